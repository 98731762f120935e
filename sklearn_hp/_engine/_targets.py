"""Classifier and regressor sides of the gradient estimators: targets in, predictions out."""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from .._compat import check_sample_weight as _sklearn_check_sample_weight
from .._compat import validate_data
from ..nn import LOSSES
from ..nn._losses import losses_for

__all__ = ["GradientClassifierMixin", "GradientRegressorMixin", "check_sample_weight",
           "loss_constraint"]

_FLOATS = [np.float64, np.float32]


def check_sample_weight(sample_weight, X):
    """``sample_weight`` as an array of X's dtype; negative weights are refused.

    A negative weight would make training maximise that sample's loss.
    """
    sample_weight = _sklearn_check_sample_weight(sample_weight, X, dtype=X.dtype)
    if sample_weight.size and sample_weight.min() < 0:
        bad = np.flatnonzero(sample_weight < 0)
        raise ValueError(
            f"sample_weight must be >= 0; got {bad.size} negative value(s), e.g. "
            f"sample_weight[{bad[0]}]={float(sample_weight[bad[0]])!r}. Give samples to ignore "
            "a weight of 0."
        )
    return sample_weight


def _usable_weights(sample_weight):
    """``sample_weight``, or None when it is missing or sums to zero."""
    if sample_weight is None or not np.sum(sample_weight) > 0:
        return None
    return sample_weight


def loss_constraint(task, **flags):
    """``_parameter_constraints`` entry of ``loss``: the registered losses for ``task``.

    Parameters
    ----------
    task : {"classification", "regression"}
    **flags
        Loss class attributes to match, e.g. ``signed_targets=True`` (margin losses).
    """
    return LOSSES.constraint(where=losses_for(task, **flags))


class _LossMixin:
    """Resolve the ``loss`` hyperparameter (a name or a Loss object) for this task."""

    _loss_task = None

    def _loss_settings(self):
        """Estimator hyperparameters a loss name may read (the Huber ``delta``)."""
        return {}

    def _training_loss(self):
        loss = LOSSES.resolve(self.loss, **self._loss_settings())
        if loss.task != self._loss_task:
            raise ValueError(
                f"loss={self.loss!r} is a {loss.task} loss; {type(self).__name__} takes "
                f"a {self._loss_task} loss: "
                f"{LOSSES.names(losses_for(self._loss_task))} or such an object."
            )
        return loss


def _has_probabilities(estimator):
    try:
        return estimator._training_loss().predicts_proba
    except ValueError:  # an invalid loss: fit will say why
        return False


class GradientClassifierMixin(_LossMixin, ClassifierMixin):
    """Label encoding, class weights and predictions for classifiers.

    Two classes use one output column (the positive class ``classes_[1]``);
    more classes use one column per class.
    """

    _loss_task = "classification"

    @property
    def _signed_targets(self):
        # Margin losses take -1/+1 targets, log-loss 0/1.
        return self._training_loss().signed_targets

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``(X, y)``, starting from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like, optional
            Every class label; required on the first call unless ``y`` has them all.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._partial_fit(X, y, sample_weight, classes=classes)

    def _validate_training_data(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, dtype=_FLOATS)
        check_classification_targets(y)
        if type_of_target(y) not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} supports binary and multiclass targets, "
                f"got target type {type_of_target(y)!r}."
            )
        return X, y

    def _stratify_split(self):
        return True

    def _prepare_sample_weight(self, X, y, sample_weight, continuing, classes):
        self._set_classes(y, continuing, classes)
        sw = None if sample_weight is None else check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            cw = compute_sample_weight(self._class_weight_dict(), y).astype(X.dtype)
            sw = cw if sw is None else sw * cw
        return sw

    def _class_weight_dict(self):
        if self.class_weight == "balanced":
            return "balanced"
        unknown = set(self.class_weight) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"class_weight names classes {sorted(unknown)} not in the data's classes "
                f"{self.classes_.tolist()}."
            )
        return self.class_weight

    def _set_classes(self, y, continuing, classes):
        if continuing:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y holds classes {unseen.tolist()} not seen in the first fit; "
                    f"known classes are {self.classes_.tolist()}."
                )
            return
        found = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        if classes is not None and np.setdiff1d(np.unique(y), found).size:
            raise ValueError(
                f"y holds labels {np.setdiff1d(np.unique(y), found).tolist()} that are not "
                f"in classes={found.tolist()}."
            )
        if found.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got "
                f"1 class: {found.tolist()}."
            )
        self.classes_ = found

    def _encode_targets(self, y):
        classes = self.classes_
        if classes.size == 2:
            Y = (y == classes[1]).reshape(-1, 1)
        else:
            Y = y.reshape(-1, 1) == classes.reshape(1, -1)
        Y = Y.astype(np.float64)
        return 2.0 * Y - 1.0 if self._signed_targets else Y

    def decision_function(self, X):
        """Return the raw scores: shape (n_samples,) for two classes, else (n, n_classes)."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False, dtype=_FLOATS)
        raw = self._raw_output(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict(self, X):
        """Return the predicted class of each sample."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > self._binary_cut()).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _binary_cut(self):
        """Threshold on the raw score that separates the two classes."""
        return 0.0

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Return class probabilities, shape (n_samples, n_classes).

        Only with a loss that models probabilities (``"log_loss"``).
        """
        self._check_is_fitted()
        X = validate_data(self, X, reset=False, dtype=_FLOATS)
        proba = self._training_loss().link(self._raw_output(X))
        if proba.shape[1] == 1:
            return np.hstack([1.0 - proba, proba])
        return proba

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def _constant_output(self, Y, sample_weight):
        """Raw output of the best constant model: logits of the class frequencies.

        Margin losses (-1/+1 targets) start at 0.
        """
        if self._signed_targets:
            return 0.0
        prior = np.clip(np.average(Y, axis=0, weights=_usable_weights(sample_weight)),
                        1e-6, 1 - 1e-6)
        return np.log(prior / (1.0 - prior)) if Y.shape[1] == 1 else np.log(prior)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class GradientRegressorMixin(_LossMixin, RegressorMixin):
    """Target handling and predictions for (multi-output) regressors."""

    _loss_task = "regression"

    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``(X, y)``, starting from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._partial_fit(X, y, sample_weight)

    def _validate_training_data(self, X, y, reset):
        X, y = validate_data(
            self, X, y, reset=reset, dtype=_FLOATS, multi_output=True, y_numeric=True
        )
        if reset:
            self._y_ndim = y.ndim
        return X, y

    def _encode_targets(self, y):
        return y.reshape(y.shape[0], -1)

    def _constant_output(self, Y, sample_weight):
        """Raw output of the best constant model: the (weighted) mean target."""
        return np.average(Y, axis=0, weights=_usable_weights(sample_weight))

    def predict(self, X):
        """Return the predicted targets."""
        self._check_is_fitted()
        X = validate_data(self, X, reset=False, dtype=_FLOATS)
        raw = self._raw_output(X)
        return raw[:, 0] if self._y_ndim == 1 else raw

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
