"""A transparent wrapper: it fits a copy of ``estimator`` and acts like it.

The searches wrap the user's estimator while they fit it (to train for a budget, to
record its warnings); scikit-learn must still see the user's estimator: its tags,
metadata routing, estimator type and classes, and its prediction methods.
"""

from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.metaestimators import available_if

from .._compat import CachedParamNames

__all__ = ["FittedCopyWrapper"]


def _delegated(name):
    """Method ``name`` calling the fitted model's, offered when the estimator has it.

    The function is named before ``available_if`` wraps it: scikit-learn's scorers
    call a bound method by its ``__name__``.
    """

    def method(self, X, *args, **params):
        return getattr(self.estimator_, name)(X, *args, **params)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``estimator_.{name}``."
    return available_if(lambda self: hasattr(self.estimator, name))(method)


class FittedCopyWrapper(MetaEstimatorMixin, CachedParamNames, BaseEstimator):
    """Base of wrappers that hold ``estimator`` and, once fitted, ``estimator_``.

    Tags, metadata routing and the estimator type are the wrapped estimator's;
    ``classes_``, ``feature_names_in_`` and the prediction methods are the fitted
    copy's. Subclasses write ``__init__`` (storing ``estimator``) and ``fit``.
    """

    def get_metadata_routing(self):
        return get_routing_for_object(self.estimator)

    def __sklearn_tags__(self):
        return self.estimator.__sklearn_tags__()

    @property
    def _estimator_type(self):
        return getattr(self.estimator, "_estimator_type", None)

    @property
    def classes_(self):
        return self.estimator_.classes_

    @property
    def feature_names_in_(self):
        return self.estimator_.feature_names_in_

    predict = _delegated("predict")
    predict_proba = _delegated("predict_proba")
    predict_log_proba = _delegated("predict_log_proba")
    decision_function = _delegated("decision_function")
    transform = _delegated("transform")
    score = _delegated("score")
