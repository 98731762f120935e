"""MLPClassifier, and the classifier behaviour shared with ConvNetClassifier."""

import numpy as np
from sklearn.utils.metaestimators import available_if

from .._compat import StrOptions, validate_data
from .._docs import store_hyperparameters
from .._targets import GradientClassifierMixin
from ..nn import get_loss
from ._base import BaseNeuralNetwork
from ._docs import fill_network_doc

__all__ = ["MLPClassifier", "NetworkClassifierMixin"]

CLASSIFIER_CONSTRAINTS = {
    "loss": [StrOptions({"log_loss", "hinge", "squared_hinge"})],
    "class_weight": [dict, StrOptions({"balanced"}), None],
}


def _has_probabilities(estimator):
    return estimator.loss == "log_loss"


class NetworkClassifierMixin(GradientClassifierMixin):
    """Losses, probabilities and ``partial_fit`` of the network classifiers."""

    @property
    def _signed_targets(self):
        # Margin losses take -1/+1 targets, log-loss 0/1.
        return self.loss != "log_loss"

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

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Return class probabilities, shape (n_samples, n_classes).

        Only with ``loss="log_loss"``.
        """
        self._check_is_fitted()
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        proba = get_loss(self.loss).link(self._raw_output(X))
        if proba.shape[1] == 1:
            return np.hstack([1.0 - proba, proba])
        return proba

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


@fill_network_doc
class MLPClassifier(NetworkClassifierMixin, BaseNeuralNetwork):
    """Multi-layer perceptron classifier trained by mini-batch gradient descent.

    Parameters
    ----------
%(network_parameters)s
    loss : {"log_loss", "hinge", "squared_hinge"}, default="log_loss"
        Training loss on the output layer: softmax (or sigmoid for two classes)
        cross-entropy, or one-vs-rest margin losses (no ``predict_proba``).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
%(training_parameters)s

    Attributes
    ----------
%(network_attributes)s
    classes_ : ndarray of shape (n_classes,)
%(learned_training_attributes)s

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_hp.neural_network import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((16,), learning_rate=0.01, random_state=0).fit(X, y)
    >>> [w.shape for w in clf.weights_]
    [(4, 16), (16, 3)]
    """

    _parameter_constraints = {**BaseNeuralNetwork._parameter_constraints, **CLASSIFIER_CONSTRAINTS}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
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
        store_hyperparameters(self, locals())
