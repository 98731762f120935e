"""Linear models trained by gradient descent: ``raw = X @ coef_.T + intercept_``."""

import numpy as np
from sklearn.base import is_classifier

from .._engine._targets import _usable_weights
from .._engine import BaseGradientEstimator

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

    def _initialize_from_targets(self, Y, sample_weight):
        # Start the intercept at the best constant prediction (the mean target, or
        # the logits of the class frequencies), as the networks start their output bias.
        self.intercept_[...] = self._constant_output(Y, sample_weight)

    def _target_scale(self, Y, sample_weight):
        if is_classifier(self):
            return 10.0  # the logits of a confident linear classifier reach about 10
        weights = _usable_weights(sample_weight)
        mean = np.average(Y, axis=0, weights=weights)
        std = float(np.mean(np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=weights))))
        return std if std > 0 else 1.0

    def _loss_curvature(self):
        # Sigmoid cross-entropy curves at most 1/4 in the raw output, softmax 1/2.
        if not self._training_loss().predicts_proba:  # the resolved loss, name or object
            return 1.0
        return 0.25 if self.classes_.size == 2 else 0.5

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
