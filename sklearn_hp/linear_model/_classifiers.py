"""LogisticClassifier and LinearSVMClassifier: linear classifiers by gradient descent."""

from numbers import Real

import numpy as np
from scipy.special import logit
from sklearn.metrics import roc_curve

from .._compat import Interval, StrOptions
from .._engine._docstrings import fill_doc
from .._engine._targets import GradientClassifierMixin, loss_constraint
from ._base import BaseLinearModel

__all__ = ["LogisticClassifier", "LinearSVMClassifier"]

_CLASSIFIER_CONSTRAINTS = {
    **BaseLinearModel._parameter_constraints,
    "class_weight": [dict, StrOptions({"balanced"}), None],
}


@fill_doc
class LogisticClassifier(GradientClassifierMixin, BaseLinearModel):
    """Logistic regression (binary or softmax) trained by mini-batch gradient descent.

    Parameters
    ----------
    decision_threshold : float in (0, 1) or "auto", default=0.5
        Binary problems: predict the positive class when its probability is at
        least this. "auto" learns ``threshold_`` maximising balanced accuracy on a
        held-out ``validation_fraction`` of the data (or ``validation_data``).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
%(training_parameters)s

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    threshold_ : float or None
        Probability threshold of the positive class (binary problems).
%(learned_training_attributes)s
    """

    _parameter_constraints = {
        **_CLASSIFIER_CONSTRAINTS,
        "decision_threshold": [Interval(Real, 0, 1, closed="neither"), StrOptions({"auto"})],
    }
    loss = "log_loss"

    def __init__(
        self,
        *,
        decision_threshold=0.5,
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
        self.decision_threshold = decision_threshold
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

    def _needs_validation_split(self):
        return self.early_stopping or self.decision_threshold == "auto"

    def _prepare_model(self):
        super()._prepare_model()
        if self.classes_.size > 2 and self.decision_threshold != 0.5:
            raise ValueError(
                f"decision_threshold={self.decision_threshold!r} applies to binary "
                f"problems only; y has {self.classes_.size} classes. Use 0.5."
            )
        if not hasattr(self, "threshold_"):
            self.threshold_ = 0.5 if self.classes_.size == 2 else None

    def _after_fit(self, X, y, sample_weight, validation):
        if self.classes_.size > 2:
            self.threshold_ = None
        elif self.decision_threshold != "auto":
            self.threshold_ = float(self.decision_threshold)
        else:
            X_val, y_val, sw_val = validation if validation is not None else (X, y, sample_weight)
            self.threshold_ = _balanced_accuracy_threshold(
                y_val == self.classes_[1], self.predict_proba(X_val)[:, 1], sw_val
            )

    def _binary_cut(self):
        return logit(self.threshold_)


def _balanced_accuracy_threshold(is_positive, proba, sample_weight):
    """Probability cut that maximises balanced accuracy (mean of TPR and TNR)."""
    if is_positive.all() or not is_positive.any():
        return 0.5
    fpr, tpr, thresholds = roc_curve(is_positive, proba, sample_weight=sample_weight)
    best = np.argmax(tpr - fpr)
    eps = np.finfo(np.float64).eps
    return float(np.clip(thresholds[best], eps, 1.0 - eps))


@fill_doc
class LinearSVMClassifier(GradientClassifierMixin, BaseLinearModel):
    """Linear support vector machine (one-vs-rest hinge loss) by gradient descent.

    Parameters
    ----------
    loss : {%(margin_losses)s} or Loss, default="hinge"
        Margin loss per class.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
%(training_parameters)s

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    support_ : ndarray of int
        Indices of the training samples on or inside the margin of any class.
    support_vectors_ : ndarray of shape (n_support, n_features)
        Those training samples.
%(learned_training_attributes)s
    """

    _parameter_constraints = {
        **_CLASSIFIER_CONSTRAINTS,
        "loss": loss_constraint("classification", signed_targets=True),
    }

    def __init__(
        self,
        loss="hinge",
        *,
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

    def _after_fit(self, X, y, sample_weight, validation):
        margins = self._encode_targets(y) * self._raw_output(X)
        on_or_inside = np.any(margins <= 1.0 + 1e-8, axis=1)
        self.support_ = np.flatnonzero(on_or_inside)
        self.support_vectors_ = X[self.support_]
