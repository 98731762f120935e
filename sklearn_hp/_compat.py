"""The only module that touches private scikit-learn API.

Every import from a private scikit-learn module, and every match on the text of a
scikit-learn message, lives here (``tests/test_compat.py`` greps the package to keep
it so). Everything version-dependent (scikit-learn 1.6 to 1.9) is resolved here once,
so the rest of the package imports stable names from this module.
"""

import sklearn
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    HasMethods,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_sample_weight as check_sample_weight
from sklearn.utils.validation import validate_data

__all__ = [
    "BaseSearchCV",
    "CachedParamNames",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "SKLEARN_VERSION",
    "construct_test_instances",
    "CallbackSupportMixin",
    "RUN_SEARCH_TAKES_CALLBACK_CTX",
    "open_callback_context",
    "with_fit_callbacks",
    "RegistryOptions",
    "check_sample_weight",
    "validate_data",
    "validate_parameter_constraints",
    "validate_estimator_settings",
]

SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2] if p.isdigit())

#: ``(class, its __init__) -> parameter names``, filled by :class:`CachedParamNames`.
_PARAM_NAMES = {}


class CachedParamNames:
    """Reads a class's parameter names from its ``__init__`` once, not at every call.

    ``BaseEstimator._get_param_names`` inspects the signature of ``__init__`` each
    time ``get_params``, ``set_params`` or ``clone`` runs, for the estimator and
    every component of it; in a budget search over small networks that was a tenth
    of the run. Put it before ``BaseEstimator`` in the bases. The names are kept per
    class and ``__init__`` function, so a subclass or a replaced ``__init__`` reads
    its own.
    """

    @classmethod
    def _get_param_names(cls):
        key = (cls, cls.__init__)
        names = _PARAM_NAMES.get(key)
        if names is None:
            names = _PARAM_NAMES[key] = tuple(super()._get_param_names())
        return list(names)


class RegistryOptions(StrOptions):
    """``StrOptions`` whose strings are read from a registry at every validation.

    A block registered after the estimator classes were defined (a plug-in, a
    test) is accepted and listed in the error message like the built-in ones.

    Parameters
    ----------
    names : callable
        Returns the set of accepted names.
    """

    def __init__(self, names):
        self._names = names
        super().__init__(set())

    @property
    def options(self):
        return self._names()

    @options.setter
    def options(self, value):
        """Ignored: the names always come from the registry."""


def construct_test_instances(estimator_class):
    """Instances scikit-learn's own tests build for ``estimator_class`` (1.6+).

    Meta-estimators get the sub-estimators their required parameters need. Imported
    on first use: the generator imports every scikit-learn estimator.
    """
    from sklearn.utils._test_common.instance_generator import _construct_instances

    return list(_construct_instances(estimator_class))


def compiled_sklearn_types():
    """The private scikit-learn types whose learned arrays compiled code follows.

    ``sklearn_hp.persistence`` checks these arrays (tree nodes, neighbour-tree
    indices, histogram-gradient-boosting predictor nodes) before a loaded model is
    handed back, and needs the classes to recognise them. Imported on first use.
    """
    import types

    from sklearn.ensemble._forest import BaseForest
    from sklearn.ensemble._gb import BaseGradientBoosting
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.neighbors import _ball_tree, _kd_tree
    from sklearn.tree._tree import Tree

    return types.SimpleNamespace(
        Tree=Tree, TreePredictor=TreePredictor, PREDICTOR_RECORD_DTYPE=PREDICTOR_RECORD_DTYPE,
        BaseForest=BaseForest, BaseGradientBoosting=BaseGradientBoosting,
        kd_trees=(_kd_tree.KDTree64, _kd_tree.KDTree32),
        ball_trees=(_ball_tree.BallTree64, _ball_tree.BallTree32))


try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - scikit-learn 1.6 to 1.8 have no callbacks
    class CallbackSupportMixin:
        """Callbacks arrived in scikit-learn 1.9: nothing to support before."""

    def with_callbacks(method):
        """Callbacks arrived in scikit-learn 1.9: ``method`` itself before."""
        return method

#: Whether scikit-learn has callbacks (1.9+), for which searches make task contexts.
RUN_SEARCH_TAKES_CALLBACK_CTX = hasattr(CallbackSupportMixin, "set_callbacks")

#: Decorates a ``fit`` that opens a callback context (:func:`open_callback_context`):
#: the callbacks' ``teardown`` runs when it returns or raises (scikit-learn's public
#: ``sklearn.callback.with_callbacks``; nothing before 1.9).
with_fit_callbacks = with_callbacks


def open_callback_context(estimator, max_subtasks):
    """The root task of ``estimator``'s fit for scikit-learn's callbacks, or None.

    The one place where the search engine reaches private scikit-learn API:
    scikit-learn (>= 1.9) builds the root of a fit's task tree (set up the
    callbacks given with ``set_callbacks``, merge the tree with a parent
    meta-estimator's) in the private ``CallbackSupportMixin._init_callback_context``,
    which estimators supporting callbacks call at the start of ``fit``; it has no
    public equivalent. ``fit`` must be decorated with :data:`with_fit_callbacks`.

    Parameters
    ----------
    estimator : CallbackSupportMixin
    max_subtasks : int or None
        Sub-tasks of the fit (``None``: not known in advance).

    No tree is built when no callback could see it (none set on ``estimator``,
    which is not inside a meta-estimator's tree): every fit would otherwise carry
    the tree of the tasks so far to its worker.

    Returns
    -------
    CallbackContext or None
        ``None`` before scikit-learn 1.9, or without callbacks.
    """
    init = getattr(estimator, "_init_callback_context", None)
    watched = (getattr(estimator, "_skl_callbacks", None)
               or hasattr(estimator, "_parent_callback_ctx"))
    return None if init is None or not watched else init(max_subtasks=max_subtasks)


def validate_estimator_settings(estimator):
    """Check the hyperparameters of ``estimator`` and of every estimator nested in it.

    Each is validated against its own ``_parameter_constraints``, so a bad value is
    reported under its estimator's name (inside ``cross_validate`` scikit-learn would
    rename the error after ``cross_validate``). Estimators without constraints are
    skipped.
    """
    nested = [estimator, *(v for v in estimator.get_params(deep=True).values()
                           if hasattr(v, "get_params") and not isinstance(v, type))]
    for est in nested:
        constraints = getattr(est, "_parameter_constraints", None)
        if constraints:
            validate_parameter_constraints(constraints, est.get_params(deep=False),
                                           caller_name=type(est).__name__)
