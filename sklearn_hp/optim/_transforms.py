"""Composable gradient transforms, the building blocks of every optimizer.

A transform is a pair of functions, ``init(params) -> state`` and
``update(grads, state, params) -> updates``. Named optimizers are chains of these
small blocks (the optax design) and return *descent directions*; the training loop
appends :class:`ScaleByLearningRate`, the last link, which turns them into steps, and
applies ``params += updates``. To stay fast on numpy, ``update`` may overwrite the
``grads`` buffers (in a chain, the updates the previous link returned) and mutates
``state`` in place.

A transform may also define ``start_epoch(state, epoch, losses) -> float``, called by
the loop before every epoch with the epoch's number and the epoch losses so far; it
returns the factor by which it scales the steps (the learning rate for
:class:`ScaleByLearningRate`, 1 for a transform that does not define it).

Settings are stored as Python floats: a numpy float64 scalar (what a search samples)
would silently turn float32 arithmetic into float64.
"""

import math

import numpy as np

from .._blas import add_scaled, running_average

__all__ = [
    "GradientTransform",
    "Chain",
    "ScaleByAdam",
    "ScaleByRMS",
    "ScaleByAdagrad",
    "Trace",
    "AddDecayedWeights",
    "ScaleByLearningRate",
]


class GradientTransform:
    """Base class: a stateful map from gradients to descent directions."""

    def init(self, params):
        """Return the initial state for ``params`` (a list of arrays)."""
        return {}

    def update(self, grads, state, params):
        """Return the updates for ``grads``; may overwrite ``grads`` and ``state``."""
        raise NotImplementedError

    def start_epoch(self, state, epoch, losses):
        """Prepare ``state`` for ``epoch``; return the factor applied to the steps.

        Parameters
        ----------
        state : object
            This transform's state, from :meth:`init`.
        epoch : int
            The epoch about to run (0-based, counted over every fit of a model).
        losses : list of float
            The losses of the epochs before it.
        """
        return 1.0


def _start_epoch_of(transform, state, epoch, losses):
    """``transform.start_epoch(...)``, or 1.0 for a transform without that method."""
    method = getattr(transform, "start_epoch", None)
    return 1.0 if method is None else method(state, epoch, losses)


class Chain(GradientTransform):
    """Apply transforms one after the other.

    Parameters
    ----------
    *transforms : GradientTransform
        Applied left to right; each receives the previous one's updates.
    """

    def __init__(self, *transforms):
        self.transforms = transforms

    def init(self, params):
        return [t.init(params) for t in self.transforms]

    def update(self, grads, state, params):
        for transform, sub_state in zip(self.transforms, state):
            grads = transform.update(grads, sub_state, params)
        return grads

    def start_epoch(self, state, epoch, losses):
        """Start the epoch in every link; return the product of their factors."""
        factor = 1.0
        for transform, sub_state in zip(self.transforms, state):
            factor *= _start_epoch_of(transform, sub_state, epoch, losses)
        return factor


class Trace(GradientTransform):
    """Heavy-ball momentum, optionally Nesterov's variant.

    ``v <- momentum * v + g``; the update is ``v`` or, with Nesterov,
    ``g + momentum * v``.
    """

    def __init__(self, momentum, nesterov=False):
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def init(self, params):
        return {"velocity": [np.zeros_like(p) for p in params]}

    def update(self, grads, state, params):
        for g, v in zip(grads, state["velocity"]):
            v *= self.momentum
            v += g
            if self.nesterov:
                g += self.momentum * v
            else:
                g[...] = v
        return grads


class ScaleByAdagrad(GradientTransform):
    """Divide by the root of the sum of all past squared gradients."""

    def __init__(self, epsilon=1e-8, initial_accumulator=0.0):
        self.epsilon = float(epsilon)
        self.initial_accumulator = initial_accumulator

    def init(self, params):
        return {"sum_sq": [np.full_like(p, self.initial_accumulator) for p in params]}

    def update(self, grads, state, params):
        for g, acc in zip(grads, state["sum_sq"]):
            acc += g * g
            g /= np.sqrt(acc) + self.epsilon
        return grads


class ScaleByRMS(GradientTransform):
    """Divide by a running root mean square of the gradients (RMSprop)."""

    def __init__(self, decay=0.9, epsilon=1e-8):
        self.decay = float(decay)
        self.epsilon = float(epsilon)

    def init(self, params):
        return {"mean_sq": [np.zeros_like(p) for p in params]}

    def update(self, grads, state, params):
        for g, ms in zip(grads, state["mean_sq"]):
            running_average(ms, np.square(g), self.decay)
            g /= np.sqrt(ms) + self.epsilon
        return grads


class ScaleByAdam(GradientTransform):
    """Adam's bias-corrected first over second moment estimate."""

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def init(self, params):
        return {
            "step": 0,
            "m": [np.zeros_like(p) for p in params],
            "v": [np.zeros_like(p) for p in params],
        }

    def update(self, grads, state, params):
        state["step"] += 1
        t = state["step"]
        b1, b2 = self.beta_1, self.beta_2
        # Fold both bias corrections into one scalar and into epsilon (math, not
        # numpy, so that they stay Python floats).
        step_scale = math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        eps = self.epsilon * math.sqrt(1.0 - b2**t)
        for g, m, v in zip(grads, state["m"], state["v"]):
            running_average(m, g, b1)
            np.square(g, out=g)
            running_average(v, g, b2)
            np.sqrt(v, out=g)
            g += eps
            np.divide(m, g, out=g)
            g *= step_scale
        return grads


class AddDecayedWeights(GradientTransform):
    """Add ``weight_decay * param`` to the update (decoupled weight decay)."""

    def __init__(self, weight_decay, mask=None):
        self.weight_decay = float(weight_decay)
        self.mask = mask

    def update(self, grads, state, params):
        if self.weight_decay:
            for i, (g, p) in enumerate(zip(grads, params)):
                if self.mask is None or self.mask[i]:
                    add_scaled(g, p, self.weight_decay)
        return grads


class ScaleByLearningRate(GradientTransform):
    """Multiply the updates by minus the epoch's learning rate: the last link of a chain.

    The descent directions of the links before it become the steps the loop adds to
    the parameters. The rate is set once per epoch by :meth:`start_epoch`, and the
    updates are scaled where they are (no array is allocated per step).

    Parameters
    ----------
    learning_rate : float or callable
        The base rate, or a function ``epoch -> rate``.
    schedule : Schedule or None, default=None
        Turns the base rate into the epoch's rate from the epoch number and the
        epoch losses so far (see :mod:`sklearn_hp.optim`); None keeps it constant.
        Ignored with a callable ``learning_rate``.
    max_epochs : int or None, default=None
        The fit's epoch budget, given to the schedule.
    """

    def __init__(self, learning_rate, schedule=None, max_epochs=None):
        self.learning_rate = learning_rate
        self.schedule = schedule
        self.max_epochs = max_epochs

    def init(self, params):
        return {"scale": None}

    def start_epoch(self, state, epoch, losses):
        """Set and return the learning rate of ``epoch``."""
        if callable(self.learning_rate):
            rate = self.learning_rate(epoch)
        elif self.schedule is None:
            rate = self.learning_rate
        else:
            rate = self.schedule(epoch, base_lr=self.learning_rate,
                                 max_epochs=self.max_epochs, losses=losses)
        state["scale"] = -float(rate)  # a numpy float64 rate would upcast a float32 step
        return float(rate)

    def update(self, grads, state, params):
        scale = state["scale"]
        if scale is None:
            raise RuntimeError("ScaleByLearningRate.update ran before start_epoch.")
        for g in grads:
            g *= scale
        return grads
