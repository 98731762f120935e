"""Network layers, each with its backward pass right beside its forward.

A layer maps a batch ``x`` to ``forward(x, training, rng)``. After a training
forward pass, ``backward(grad)`` returns the gradient of the loss with respect to
``x`` and fills ``grads``, the gradients of ``params`` in the same order.

Layers hold *references* to the estimator's learned arrays, so an optimizer that
updates ``params`` in place updates the estimator. Two ownership rules keep the
hot path free of copies: ``backward`` may overwrite the ``grad`` it receives, and a
layer built with ``inplace=True`` may overwrite its input in ``forward`` (the
network only does so where the input is a temporary of the previous layer).

Image layers use the channels-last layout ``(n_samples, height, width, channels)``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._blas import add_to_rows, column_sums
from ._activations import get_activation

__all__ = [
    "Layer",
    "Dense",
    "ActivationLayer",
    "Dropout",
    "BatchNorm",
    "Conv2D",
    "Pool2D",
    "Reshape",
    "Flatten",
    "Sequential",
    "conv_output_length",
    "pool_output_length",
]


class Layer:
    """Base class: no parameters, no state; subclasses override what they have.

    Attributes
    ----------
    params : list of ndarray
        Trainable arrays (shared with the estimator).
    grads : list of ndarray
        Their gradients after :meth:`backward` (buffers reused across batches).
    penalized : list of bool
        Which ``params`` take the weight penalty.
    state : list of ndarray
        Non-trainable learned arrays (running statistics).
    """

    params = ()
    grads = ()
    penalized = ()
    state = ()

    def forward(self, x, training=False, rng=None):
        """Return the layer output; cache what ``backward`` needs when ``training``."""
        raise NotImplementedError

    def backward(self, grad, need_input_grad=True):
        """Fill ``grads``; return the gradient with respect to the input (or None)."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


def _gradient_buffers(params):
    return [np.empty_like(p) for p in params]


class Dense(Layer):
    """Fully connected layer ``x @ weight + bias``.

    Parameters
    ----------
    weight : ndarray of shape (n_inputs, n_units)
    bias : ndarray of shape (n_units,)
    """

    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias
        self.params = [weight, bias]
        self.penalized = [True, False]
        self.grads = None
        self._input = None

    def forward(self, x, training=False, rng=None):
        out = x @ self.weight
        add_to_rows(out, self.bias)
        self._input = x if training else None
        return out

    def backward(self, grad, need_input_grad=True):
        if self.grads is None:
            self.grads = _gradient_buffers(self.params)
        np.matmul(self._input.T, grad, out=self.grads[0])
        column_sums(grad, self.grads[1])
        return grad @ self.weight.T if need_input_grad else None

    def __repr__(self):
        return f"Dense({self.weight.shape[0]} -> {self.weight.shape[1]})"


class ActivationLayer(Layer):
    """Element-wise activation.

    Parameters
    ----------
    activation : str or Activation
        Name in :data:`sklearn_hp.nn.ACTIVATIONS` or an activation object.
    inplace : bool, default=False
        Overwrite the input with the output when the activation allows it.
    """

    def __init__(self, activation, inplace=False):
        self.activation = get_activation(activation)
        self.inplace = inplace
        self._input = self._output = None

    def forward(self, x, training=False, rng=None):
        act = self.activation
        y = act.forward(x, out=x) if (self.inplace and act.inplace) else act.forward(x)
        if training:
            self._input = None if act.inplace else x
            self._output = y
        return y

    def backward(self, grad, need_input_grad=True):
        act = self.activation
        if act.inplace:
            return act.backward(grad, None, self._output, out=grad)
        return act.backward(grad, self._input, self._output)

    def __repr__(self):
        return f"ActivationLayer({self.activation.name!r})"


class Dropout(Layer):
    """Zero each input with probability ``rate`` in training; identity at predict time.

    Kept inputs are scaled by ``1 / (1 - rate)`` (inverted dropout), so nothing
    changes at predict time.

    Parameters
    ----------
    rate : float in [0, 1)
    mask : ndarray, optional
        Fixed scaled mask used instead of random draws (for gradient checks).
    """

    def __init__(self, rate, mask=None):
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got rate={rate!r}.")
        self.rate = rate
        self.mask = mask
        self._mask = None

    def forward(self, x, training=False, rng=None):
        if not training or (self.rate == 0.0 and self.mask is None):
            self._mask = None
            return x
        mask = self.mask
        if mask is None:
            keep = rng.random_sample(x.shape) >= self.rate
            mask = np.multiply(keep, 1.0 / (1.0 - self.rate), dtype=x.dtype)
        self._mask = mask
        return x * mask

    def backward(self, grad, need_input_grad=True):
        if self._mask is not None:
            grad *= self._mask
        return grad

    def __repr__(self):
        return f"Dropout({self.rate})"


class BatchNorm(Layer):
    """Batch normalisation over every axis but the last (features or channels).

    Training normalises with the batch mean and variance and updates the running
    statistics; prediction normalises with the running statistics.

    Parameters
    ----------
    gamma, beta : ndarray of shape (n_features,)
        Learned scale and shift.
    running_mean, running_var : ndarray of shape (n_features,)
        Running statistics, updated in place in training.
    momentum : float, default=0.9
        Share of the old running statistics kept at each batch.
    epsilon : float, default=1e-5
        Added to the variance.
    """

    def __init__(self, gamma, beta, running_mean, running_var, momentum=0.9, epsilon=1e-5):
        self.gamma, self.beta = gamma, beta
        self.running_mean, self.running_var = running_mean, running_var
        self.momentum, self.epsilon = momentum, epsilon
        self.params = [gamma, beta]
        self.penalized = [False, False]
        self.state = [running_mean, running_var]
        self.grads = None

    def forward(self, x, training=False, rng=None):
        axes = tuple(range(x.ndim - 1))
        if training:
            mean = x.mean(axis=axes)
            centered = x - mean
            var = np.mean(centered * centered, axis=axes)
            self._update_running(mean, var)
        else:
            mean, var = self.running_mean, self.running_var
            centered = x - mean
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        centered *= inv_std
        if training:
            self._normalized, self._inv_std = centered, inv_std
        out = centered * self.gamma
        out += self.beta
        return out

    def _update_running(self, mean, var):
        m = self.momentum
        self.running_mean *= m
        self.running_mean += (1.0 - m) * mean
        self.running_var *= m
        self.running_var += (1.0 - m) * var

    def backward(self, grad, need_input_grad=True):
        if self.grads is None:
            self.grads = _gradient_buffers(self.params)
        axes = tuple(range(grad.ndim - 1))
        x_hat = self._normalized
        grad_gamma, grad_beta = self.grads
        np.sum(grad * x_hat, axis=axes, out=grad_gamma)
        np.sum(grad, axis=axes, out=grad_beta)
        if not need_input_grad:
            return None
        n = grad.size // grad.shape[-1]
        # d loss / d x = gamma / std * (g - mean(g) - x_hat * mean(g * x_hat))
        grad -= grad_beta / n
        grad -= x_hat * (grad_gamma / n)
        grad *= self.gamma * self._inv_std
        return grad

    def __repr__(self):
        return f"BatchNorm({self.gamma.shape[0]})"


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def conv_output_length(length, kernel, stride, padding):
    """Output length of a convolution along one axis (0 if the kernel does not fit)."""
    if padding == "same":
        return -(-length // stride)
    return max((length - kernel) // stride + 1, 0)


def _same_padding(length, kernel, stride):
    total = max((conv_output_length(length, kernel, stride, "same") - 1) * stride
                + kernel - length, 0)
    return total // 2, total - total // 2


def _patches(padded, kh, kw, sh, sw, rows, cols):
    """im2col: the ``(n * rows * cols, kh * kw * channels)`` matrix of input windows."""
    n, channels = padded.shape[0], padded.shape[3]
    if channels == 1:
        # One strided copy per kernel offset: with a single channel, numpy's copy of
        # the transposed window view would move one value per inner loop.
        patches = np.empty((n, rows, cols, kh * kw), dtype=padded.dtype)
        for i in range(kh):
            for j in range(kw):
                patches[..., i * kw + j] = padded[
                    :, i:i + sh * (rows - 1) + 1:sh, j:j + sw * (cols - 1) + 1:sw, 0
                ]
        return patches.reshape(n * rows * cols, kh * kw)
    # (n, rows, cols, channels, kh, kw) view -> strided -> (n * rows * cols, kh*kw*c)
    windows = sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * rows * cols, kh * kw * channels)


class Conv2D(Layer):
    """2-D convolution (cross-correlation) by im2col and one matrix product.

    Parameters
    ----------
    kernel : ndarray of shape (kernel_height, kernel_width, in_channels, filters)
    bias : ndarray of shape (filters,)
    stride : int or (int, int), default=1
    padding : {"valid", "same"}, default="valid"
        "same" zero-pads so the output has ``ceil(size / stride)`` rows and columns.
    """

    def __init__(self, kernel, bias, stride=1, padding="valid"):
        self.kernel, self.bias = kernel, bias
        self.stride = _pair(stride)
        self.padding = padding
        self.params = [kernel, bias]
        self.penalized = [True, False]
        self.grads = None

    def _pad(self, x):
        if self.padding != "same":
            return x, ((0, 0), (0, 0))
        kh, kw = self.kernel.shape[:2]
        pads = (_same_padding(x.shape[1], kh, self.stride[0]),
                _same_padding(x.shape[2], kw, self.stride[1]))
        if pads == ((0, 0), (0, 0)):
            return x, pads
        return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0))), pads

    def forward(self, x, training=False, rng=None):
        kh, kw, c_in, c_out = self.kernel.shape
        sh, sw = self.stride
        padded, pads = self._pad(x)
        if padded.shape[1] < kh or padded.shape[2] < kw:
            raise ValueError(
                f"Conv2D kernel of size {(kh, kw)} is larger than its input of size "
                f"{padded.shape[1:3]}; use a smaller kernel_size or padding='same'."
            )
        n = padded.shape[0]
        rows = (padded.shape[1] - kh) // sh + 1
        cols = (padded.shape[2] - kw) // sw + 1
        patches = _patches(padded, kh, kw, sh, sw, rows, cols)
        out = patches @ self.kernel.reshape(kh * kw * c_in, c_out)
        add_to_rows(out, self.bias)
        if training:
            self._patches, self._padded_shape, self._pads = patches, padded.shape, pads
        return out.reshape(n, rows, cols, c_out)

    def backward(self, grad, need_input_grad=True):
        if self.grads is None:
            self.grads = _gradient_buffers(self.params)
        kh, kw, c_in, c_out = self.kernel.shape
        n, rows, cols, _ = grad.shape
        grad2d = grad.reshape(-1, c_out)
        np.matmul(self._patches.T, grad2d, out=self.grads[0].reshape(-1, c_out))
        column_sums(grad2d, self.grads[1])
        if not need_input_grad:
            return None
        grad_padded = np.zeros(self._padded_shape, dtype=grad.dtype)
        sh, sw = self.stride
        # One product per kernel offset, each written contiguously, then added to its
        # window of the input gradient (kh * kw slices, not a loop over pixels).
        part = np.empty((grad2d.shape[0], c_in), dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                np.matmul(grad2d, self.kernel[i, j].T, out=part)
                grad_padded[:, i:i + sh * (rows - 1) + 1:sh, j:j + sw * (cols - 1) + 1:sw] += (
                    part.reshape(n, rows, cols, c_in)
                )
        (top, bottom), (left, right) = self._pads
        height, width = self._padded_shape[1:3]
        return grad_padded[:, top:height - bottom, left:width - right]

    def __repr__(self):
        kh, kw, c_in, c_out = self.kernel.shape
        return (f"Conv2D({c_in} -> {c_out}, kernel={(kh, kw)}, stride={self.stride}, "
                f"padding={self.padding!r})")


def pool_output_length(length, pool):
    """Output length of non-overlapping pooling; windows are cut to the input size."""
    return length // min(pool, length)


class Pool2D(Layer):
    """Non-overlapping max or average pooling (stride equal to the window).

    Windows larger than the input are cut to the input size; trailing rows or
    columns that do not fill a window are dropped. Max pooling sends the gradient
    to the first maximum of each window.

    Parameters
    ----------
    pool_size : int or (int, int), default=2
    mode : {"max", "avg"}, default="max"
    """

    def __init__(self, pool_size=2, mode="max"):
        if mode not in ("max", "avg"):
            raise ValueError(f"Pool2D mode must be 'max' or 'avg', got mode={mode!r}.")
        self.pool_size = _pair(pool_size)
        self.mode = mode

    def _window_slices(self, shape):
        """The window, output size and one strided slice per window offset."""
        height, width = shape[1:3]
        ph, pw = min(self.pool_size[0], height), min(self.pool_size[1], width)
        rows, cols = height // ph, width // pw
        offsets = [
            (slice(None), slice(i, rows * ph, ph), slice(j, cols * pw, pw))
            for i in range(ph) for j in range(pw)
        ]
        return (ph, pw), offsets

    def forward(self, x, training=False, rng=None):
        # One vectorised pass per window offset (ph * pw of them, not per pixel).
        (ph, pw), offsets = self._window_slices(x.shape)
        if training:
            self._input_shape = x.shape
        if self.mode == "avg":
            out = x[offsets[0]].copy()
            for where in offsets[1:]:
                out += x[where]
            out *= 1.0 / (ph * pw)
            return out
        out = np.maximum(x[offsets[0]], x[offsets[1]]) if len(offsets) > 1 else x[offsets[0]].copy()
        for where in offsets[2:]:
            np.maximum(out, x[where], out=out)
        if training:
            # The input is kept, not copied: the layers never write to their input
            # after the forward pass. Backward finds the maxima again from it.
            self._input, self._output = x, out
        return out

    def backward(self, grad, need_input_grad=True):
        (ph, pw), offsets = self._window_slices(self._input_shape)
        grad_input = np.zeros(self._input_shape, dtype=grad.dtype)
        if self.mode == "avg":
            share = grad * (1.0 / (ph * pw))
            for where in offsets:
                grad_input[where] = share
            return grad_input
        # Each window's gradient goes to its first maximum (in offset order) only.
        pending = np.ones(grad.shape, dtype=bool)
        hit = np.empty(grad.shape, dtype=bool)
        for k, where in enumerate(offsets):
            np.equal(self._input[where], self._output, out=hit)
            hit &= pending
            np.multiply(grad, hit, out=grad_input[where])
            if k + 1 < len(offsets):
                pending ^= hit  # hit is within pending: drop the windows just served
        return grad_input

    def __repr__(self):
        return f"Pool2D({self.pool_size}, mode={self.mode!r})"


class Reshape(Layer):
    """Reshape each sample to ``shape`` (e.g. flat pixels to an image)."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x, training=False, rng=None):
        self._input_shape = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, grad, need_input_grad=True):
        return grad.reshape(self._input_shape)

    def __repr__(self):
        return f"Reshape({self.shape})"


class Flatten(Reshape):
    """Flatten each sample to one dimension."""

    def __init__(self):
        super().__init__((-1,))

    def __repr__(self):
        return "Flatten()"


class Sequential:
    """A stack of layers run one after the other.

    Parameters
    ----------
    layers : list of Layer
    """

    def __init__(self, layers):
        self.layers = list(layers)
        trainable = [i for i, layer in enumerate(self.layers) if len(layer.params)]
        # No gradient is needed below the first trainable layer.
        self._first_trainable = trainable[0] if trainable else len(self.layers)

    @property
    def params(self):
        """Trainable arrays of every layer, in layer order."""
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self):
        """Gradients of :attr:`params` after :meth:`backward`."""
        return [g for layer in self.layers if len(layer.params) for g in layer.grads]

    @property
    def penalized(self):
        """Indices in :attr:`params` that take the weight penalty."""
        flags = [f for layer in self.layers for f in layer.penalized]
        return [i for i, flag in enumerate(flags) if flag]

    def use_gradient_buffers(self, grads):
        """Make the layers write their gradients into ``grads`` (ordered as :attr:`params`)."""
        if len(grads) != len(self.params):
            raise ValueError(f"Got {len(grads)} gradient buffers for {len(self.params)} params.")
        remaining = iter(grads)
        for layer in self.layers:
            if len(layer.params):
                layer.grads = [next(remaining) for _ in layer.params]

    @property
    def state(self):
        """Non-trainable learned arrays (running statistics), in layer order."""
        return [s for layer in self.layers for s in layer.state]

    def forward(self, x, training=False, rng=None):
        """Run every layer; in training each caches what its backward needs."""
        for layer in self.layers:
            x = layer.forward(x, training=training, rng=rng)
        return x

    def backward(self, grad):
        """Back-propagate ``grad`` (gradient of the output); fill each layer's ``grads``."""
        for i in range(len(self.layers) - 1, self._first_trainable - 1, -1):
            grad = self.layers[i].backward(grad, need_input_grad=i > self._first_trainable)
        return grad

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner}\n])"
