"""Composable gradient transforms, the building blocks of every optimizer.

A transform is a pair of functions, ``init(params) -> state`` and
``update(grads, state, params) -> updates``. Named optimizers are chains of these
small blocks (the optax design). To stay fast on numpy, ``update`` may overwrite the
``grads`` buffers and mutates ``state`` in place; the returned updates are
*descent directions*: the training loop applies ``params -= learning_rate * updates``.

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
]


class GradientTransform:
    """Base class: a stateful map from gradients to descent directions."""

    def init(self, params):
        """Return the initial state for ``params`` (a list of arrays)."""
        return {}

    def update(self, grads, state, params):
        """Return the updates for ``grads``; may overwrite ``grads`` and ``state``."""
        raise NotImplementedError


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
