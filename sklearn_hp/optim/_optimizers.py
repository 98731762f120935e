"""Named optimizers: hyperparameter objects that build a chain of transforms.

Each optimizer is a scikit-learn style object (``get_params``/``set_params``), so a
search can tune its settings as nested hyperparameters, e.g. ``optimizer__beta_1``.
"""

from sklearn.base import BaseEstimator

from .._compat import CachedParamNames
from .._registry import Registry
from ._transforms import (
    AddDecayedWeights,
    Chain,
    ScaleByAdagrad,
    ScaleByAdam,
    ScaleByRMS,
    Trace,
)

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    "resolve_optimizer",
]


class Optimizer(CachedParamNames, BaseEstimator):
    """Base class of the named optimizers.

    Subclasses implement :meth:`build`, returning a
    :class:`~sklearn_hp.optim.GradientTransform`.
    """

    def build(self, decay_mask=None):
        """Return the gradient transform this optimizer stands for.

        Parameters
        ----------
        decay_mask : list of bool, optional
            Which parameters take weight decay (used by :class:`AdamW`).
        """
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum.

    Parameters
    ----------
    momentum : float in [0, 1), default=0.0
        Fraction of the previous step kept in the next one.
    nesterov : bool, default=False
        Use Nesterov's look-ahead momentum.
    """

    def __init__(self, momentum=0.0, nesterov=False):
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, decay_mask=None):
        _check_unit_interval("momentum", self.momentum)
        if self.momentum == 0.0:
            return Chain()
        return Trace(self.momentum, nesterov=self.nesterov)


class Adagrad(Optimizer):
    """Adagrad: per-coordinate steps shrinking with the sum of squared gradients."""

    def __init__(self, epsilon=1e-8, initial_accumulator=0.1):
        self.epsilon = epsilon
        self.initial_accumulator = initial_accumulator

    def build(self, decay_mask=None):
        return ScaleByAdagrad(self.epsilon, self.initial_accumulator)


class RMSprop(Optimizer):
    """RMSprop, with optional momentum on the scaled gradient."""

    def __init__(self, decay=0.9, epsilon=1e-8, momentum=0.0):
        self.decay = decay
        self.epsilon = epsilon
        self.momentum = momentum

    def build(self, decay_mask=None):
        _check_unit_interval("decay", self.decay)
        _check_unit_interval("momentum", self.momentum)
        rms = ScaleByRMS(self.decay, self.epsilon)
        return Chain(rms, Trace(self.momentum)) if self.momentum else rms


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015).

    Parameters
    ----------
    beta_1, beta_2 : float in [0, 1)
        Decay rates of the first and second moment estimates.
    epsilon : float
        Added to the denominator for numerical stability.
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, decay_mask=None):
        _check_unit_interval("beta_1", self.beta_1)
        _check_unit_interval("beta_2", self.beta_2)
        return ScaleByAdam(self.beta_1, self.beta_2, self.epsilon)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Every step subtracts ``learning_rate * weight_decay * w`` from the weights (not
    the biases), outside Adam's gradient scaling, so the decay does not shrink
    with the gradients' size as an L2 term in the loss does.

    Parameters
    ----------
    weight_decay : float or None, default=None
        Decay per step, scaled by the learning rate. ``None`` takes the
        estimator's ``alpha``, so one knob sets the penalty with every optimizer;
        the estimator's ``penalty=None`` switches the decay off whatever its
        value (built alone, ``None`` means no decay).
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=None):
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.weight_decay = weight_decay

    def build(self, decay_mask=None):
        decay = 0.0 if self.weight_decay is None else self.weight_decay
        if decay < 0:
            raise ValueError(
                f"AdamW weight_decay must be >= 0 or None, got "
                f"weight_decay={self.weight_decay!r}."
            )
        return Chain(super().build(), AddDecayedWeights(decay, decay_mask))


def _check_unit_interval(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {name}={value!r}.")


OPTIMIZERS = Registry("optimizer", Optimizer, methods=("build",), description="optimizers")
OPTIMIZERS.register("sgd", SGD)
OPTIMIZERS.register("momentum", SGD, settings=("momentum",))
OPTIMIZERS.register("nesterov", SGD, settings=("momentum",), nesterov=True)
OPTIMIZERS.register("adagrad", Adagrad)
OPTIMIZERS.register("rmsprop", RMSprop)
OPTIMIZERS.register("adam", Adam)
OPTIMIZERS.register("adamw", AdamW)


def resolve_optimizer(optimizer, momentum=0.9):
    """Return an :class:`Optimizer` for a name or an optimizer object.

    Parameters
    ----------
    optimizer : str or Optimizer
        One of ``OPTIMIZERS`` or an object with a ``build`` method.
    momentum : float, default=0.9
        Used by the names ``"momentum"`` and ``"nesterov"``.
    """
    return OPTIMIZERS.resolve(optimizer, momentum=momentum)
