"""ConvNetClassifier: convolution and pooling blocks in front of the dense layers."""

import math
from numbers import Integral

import numpy as np

from .._compat import Interval, StrOptions
from .._engine._targets import GradientClassifierMixin
from ..nn import ActivationLayer, Conv2D, Flatten, Pool2D, Reshape
from ..nn._layers import conv_output_length, pool_output_length
from ._base import BaseNeuralNetwork
from ._classifier import CLASSIFIER_CONSTRAINTS
from ._network_docstrings import fill_network_doc

__all__ = ["BaseConvNet", "ConvNetClassifier"]

_POSITIVE_INT_OR_PAIR = [Interval(Integral, 1, None, closed="left"), tuple, list]


def _positive_ints(name, value, length=None):
    """``value`` as a tuple of positive ints (an int stands for ``length`` copies)."""
    values = (value,) * (length or 1) if isinstance(value, Integral) else tuple(value)
    ok = all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values)
    if not ok or (length is not None and len(values) != length):
        shape = f"{length} " if length else ""
        raise ValueError(
            f"{name}={value!r} is not accepted; give a positive integer or a tuple of "
            f"{shape}positive integers."
        )
    return values


class BaseConvNet(BaseNeuralNetwork):
    """Blocks of convolution, activation and pooling, then the dense layers.

    Images are channels-last: a flat sample of ``height * width * channels``
    features is read as ``X.reshape(height, width, channels)``.
    """

    _trainable_attributes = (
        "kernels_", "kernel_biases_", *BaseNeuralNetwork._trainable_attributes
    )

    _parameter_constraints = {
        **BaseNeuralNetwork._parameter_constraints,
        "image_shape": [tuple, list, None, StrOptions({"row"})],
        "conv_filters": _POSITIVE_INT_OR_PAIR,
        "kernel_size": _POSITIVE_INT_OR_PAIR,
        "pool_size": _POSITIVE_INT_OR_PAIR,
        "pooling": [StrOptions({"max", "avg"})],
        "stride": _POSITIVE_INT_OR_PAIR,
        "padding": [StrOptions({"valid", "same"})],
    }

    def _validate_hyperparameters(self):
        super()._validate_hyperparameters()
        self._conv_filters()
        for name in ("kernel_size", "pool_size", "stride"):
            _positive_ints(name, getattr(self, name), length=2)

    def _conv_filters(self):
        return _positive_ints("conv_filters", self.conv_filters)

    def _n_feature_activations(self):
        return len(self._conv_filters())

    def _image_shape(self, n_features):
        """``(height, width, channels)`` of the images in X's rows."""
        if isinstance(self.image_shape, str):  # "row": a 1-D signal
            return (1, n_features, 1)
        if self.image_shape is None:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(
                    f"image_shape=None infers a square one-channel image, but "
                    f"n_features={n_features} is not a square number; give "
                    "image_shape=(height, width) or (height, width, channels) whose "
                    f"product is {n_features}, or image_shape='row' to read each sample as a "
                    f"one-row image (1, {n_features}, 1)."
                )
            return (side, side, 1)
        shape = _positive_ints("image_shape", self.image_shape)
        if len(shape) not in (2, 3):
            raise ValueError(
                f"image_shape={self.image_shape!r} must be (height, width) or "
                "(height, width, channels)."
            )
        shape = shape + (1,) * (3 - len(shape))
        if math.prod(shape) != n_features:
            raise ValueError(
                f"image_shape={self.image_shape!r} holds {math.prod(shape)} values per "
                f"sample but X has n_features={n_features}; give a shape whose product "
                f"is {n_features}, or None to infer a square one-channel image."
            )
        return shape

    def _initialize_features(self, n_features, dtype, rng):
        height, width, channels = self.image_shape_ = self._image_shape(n_features)
        kh, kw = _positive_ints("kernel_size", self.kernel_size, length=2)
        sh, sw = _positive_ints("stride", self.stride, length=2)
        ph, pw = _positive_ints("pool_size", self.pool_size, length=2)
        self.kernels_, self.kernel_biases_ = [], []
        for layer, filters in enumerate(self._conv_filters(), start=1):
            if self.padding == "valid" and (kh > height or kw > width):
                raise ValueError(
                    f"kernel_size={self.kernel_size!r} is larger than the {height}x{width} "
                    f"image reaching convolution layer {layer} (image_shape="
                    f"{self.image_shape_}, n_features={n_features}); use a smaller "
                    "kernel_size, fewer convolution layers or padding='same'."
                )
            self.kernels_.append(self._new_weights(
                (kh, kw, channels, filters), kh * kw * channels, kh * kw * filters, dtype, rng
            ))
            self.kernel_biases_.append(np.zeros(filters, dtype=dtype))
            height = pool_output_length(conv_output_length(height, kh, sh, self.padding), ph)
            width = pool_output_length(conv_output_length(width, kw, sw, self.padding), pw)
            channels = filters
        return height * width * channels

    def _fitted_architecture(self):
        return {**super()._fitted_architecture(),
                "conv_filters": tuple(k.shape[3] for k in self.kernels_)}

    def _requested_architecture(self):
        return {**super()._requested_architecture(), "conv_filters": self._conv_filters()}

    def _feature_layers(self, activations):
        layers = [Reshape(self.image_shape_)]
        pool = _positive_ints("pool_size", self.pool_size, length=2)
        for kernel, bias, activation in zip(self.kernels_, self.kernel_biases_, activations):
            layers.append(Conv2D(kernel, bias, stride=self.stride, padding=self.padding))
            layers.append(ActivationLayer(activation, inplace=True))
            if pool != (1, 1):
                layers.append(Pool2D(pool, mode=self.pooling))
        layers.append(Flatten())
        return layers


@fill_network_doc
class ConvNetClassifier(GradientClassifierMixin, BaseConvNet):
    """Convolutional network classifier for images given as flat rows of X.

    Each convolution layer is followed by its activation and a pooling layer; the
    flattened result feeds the dense hidden layers and the output layer.

    Parameters
    ----------
    image_shape : tuple, "row" or None, default=None
        ``(height, width)`` or ``(height, width, channels)`` of each sample, read
        channels-last from its row of X. ``None`` infers a square one-channel image
        (64 features -> 8x8x1) and refuses a feature count that is not a square;
        ``"row"`` reads each sample as a one-row image ``(1, n_features, 1)``.
    conv_filters : int or tuple of int, default=(16, 32)
        Filters of each convolution layer; ``()`` gives no convolution.
    kernel_size : int or (int, int), default=3
        Height and width of the convolution kernels.
    pool_size : int or (int, int), default=2
        Non-overlapping pooling window after each convolution (1 for none); a
        window larger than the image is cut to it.
    pooling : {"max", "avg"}, default="max"
        Pooling operation.
    stride : int or (int, int), default=1
        Step of the convolution window.
    padding : {"same", "valid"}, default="same"
        "same" zero-pads so a convolution keeps ``ceil(size / stride)`` rows and
        columns; "valid" uses only whole windows, and the kernel must fit the image.
    hidden_layer_sizes : int or tuple of int, default=(64,)
        Units of each dense hidden layer after the convolutions.
    activation : str, Activation or list of them, default="relu"
        Activation of the convolution and hidden dense layers: one for all, or one
        per layer (convolutions first).
    dropout : float or list of float in [0, 1), default=0.0
        Dropout rate after each hidden dense layer.
    batch_norm : bool, default=False
        Batch-normalise each hidden dense layer before its activation.
    weight_init : str, Initializer or callable, default="glorot_uniform"
        Initialiser of the kernels and dense weights (see :class:`MLPClassifier`).
    loss : {%(classification_losses)s} or Loss, default="log_loss"
        Training loss on the output layer.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
%(training_parameters)s

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(height, width, channels)`` used.
    kernels_ : list of ndarray
        Convolution kernels, ``kernels_[i]`` of shape
        (kernel_height, kernel_width, in_channels, filters).
    kernel_biases_ : list of ndarray
        Convolution biases, ``kernel_biases_[i]`` of shape (filters,).
%(network_attributes)s
    classes_ : ndarray of shape (n_classes,)
%(learned_training_attributes)s
    """

    _parameter_constraints = {**BaseConvNet._parameter_constraints, **CLASSIFIER_CONSTRAINTS}

    def __init__(
        self,
        image_shape=None,
        *,
        conv_filters=(16, 32),
        kernel_size=3,
        pool_size=2,
        pooling="max",
        stride=1,
        padding="same",
        hidden_layer_sizes=(64,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        loss="log_loss",
        class_weight=None,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        optimizer="adam",
        learning_rate="auto",
        lr_schedule="constant",
        momentum=0.9,
        batch_size="auto",
        max_epochs=200,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        callbacks=None,
    ):
        self.image_shape = image_shape
        self.conv_filters = conv_filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.pooling = pooling
        self.stride = stride
        self.padding = padding
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.weight_init = weight_init
        self.loss = loss
        self.class_weight = class_weight
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.callbacks = callbacks
