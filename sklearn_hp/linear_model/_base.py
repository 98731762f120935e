"""Linear models trained by gradient descent: ``raw = X @ coef_.T + intercept_``."""

import numpy as np

from ..base import BaseGradientEstimator

__all__ = ["BaseLinearModel"]


class BaseLinearModel(BaseGradientEstimator):
    """One weight per (feature, output) plus one intercept per output.

    Learned ``coef_`` has shape ``(n_outputs, n_features)``, or ``(n_features,)``
    for a single-output regressor; ``intercept_`` has shape ``(n_outputs,)``.
    """

    _parameter_constraints = {
        **BaseGradientEstimator._parameter_constraints,
        "callbacks": [list, None],
    }

    def _initialize(self, n_features, n_outputs, dtype, rng):
        shape = (n_outputs, n_features) if self._keeps_2d_coef(n_outputs) else (n_features,)
        self.coef_ = np.zeros(shape, dtype=dtype)
        self.intercept_ = np.zeros(n_outputs, dtype=dtype)

    def _keeps_2d_coef(self, n_outputs):
        return True

    def _prepare_model(self):
        self._loss_fn = self._training_loss()

    def _parameters(self):
        n_outputs = self.intercept_.shape[0]
        weights = self.coef_.reshape(n_outputs, -1).T
        return [weights, self.intercept_]

    def _penalized_indices(self):
        return [0]

    def _raw_output(self, X):
        weights, intercept = self._parameters()
        return X @ weights + intercept

    def _loss_and_gradients(self, X, Y, sample_weight, rng):
        raw = self._raw_output(X)
        loss, grad_raw = self._loss_fn.value_and_gradient(Y, raw, sample_weight)
        return loss, [X.T @ grad_raw, grad_raw.sum(axis=0)]
