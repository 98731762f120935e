"""LinearRegressor: linear regression by mini-batch gradient descent."""

from numbers import Real

from .._compat import Interval
from .._engine._docstrings import fill_doc
from .._engine._targets import GradientRegressorMixin, loss_constraint
from ._base import BaseLinearModel

__all__ = ["LinearRegressor"]


@fill_doc
class LinearRegressor(GradientRegressorMixin, BaseLinearModel):
    """Linear regression trained by mini-batch gradient descent.

    Parameters
    ----------
    loss : {%(regression_losses)s} or Loss, default="squared_error"
        Training loss; ``"huber"`` is quadratic up to ``epsilon`` then linear.
    epsilon : float, default=1.35
        Huber threshold (only with ``loss="huber"``).
%(training_parameters)s

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : ndarray of shape (n_targets,)
%(learned_training_attributes)s
    """

    _parameter_constraints = {
        **BaseLinearModel._parameter_constraints,
        "loss": loss_constraint("regression"),
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_error",
        *,
        epsilon=1.35,
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
        self.loss = loss
        self.epsilon = epsilon
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

    def _keeps_2d_coef(self, n_outputs):
        return self._y_ndim == 2

    def _loss_settings(self):
        return {"delta": self.epsilon}
