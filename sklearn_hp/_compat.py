"""The only module that touches private scikit-learn API.

Every import from a private scikit-learn module, and every match on the text of a
scikit-learn message, lives here (``tests/test_compat.py`` greps the package to keep
it so). Everything version-dependent (scikit-learn 1.6 to 1.9) is resolved here once,
so the rest of the package imports stable names from this module.
"""

import contextlib
import inspect

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
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "SKLEARN_VERSION",
    "construct_test_instances",
    "CallbackSupportMixin",
    "forward_callback_context",
    "RUN_SEARCH_TAKES_CALLBACK_CTX",
    "SEARCH_HOOKS",
    "RegistryOptions",
    "all_fits_failed",
    "route_search_fits",
    "unwrap_delayed",
    "check_sample_weight",
    "set_search_results",
    "validate_data",
    "validate_parameter_constraints",
    "validate_estimator_settings",
    "watch_search",
]

SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2] if p.isdigit())

#: scikit-learn 1.9 added a keyword-only ``callback_ctx`` to ``BaseSearchCV._run_search``.
RUN_SEARCH_TAKES_CALLBACK_CTX = (
    "callback_ctx" in inspect.signature(BaseSearchCV._run_search).parameters
)

#: Private ``BaseSearchCV`` methods that ``sklearn_hp.search`` overrides, with the
#: same signatures in scikit-learn 1.6 to 1.9: ``_format_results(candidate_params,
#: n_splits, out, more_results=None)`` (the searches keep each batch's raw results
#: and format all trials once, see :func:`set_search_results`); the static
#: ``_select_best_index(refit, refit_metric, results)`` is relied on to pick the
#: first row of ``rank_test_<refit>`` ranked 1 (budget searches rank the largest
#: budget first, so that is their best full-budget candidate).
SEARCH_HOOKS = ("_format_results", "_select_best_index")
_missing_hooks = [name for name in SEARCH_HOOKS if not hasattr(BaseSearchCV, name)]
if _missing_hooks:  # pragma: no cover - only on an unsupported scikit-learn
    raise ImportError(
        f"scikit-learn {sklearn.__version__} lacks BaseSearchCV.{_missing_hooks}, "
        f"which sklearn_hp.search relies on; supported versions: 1.6 to 1.9."
    )


def all_fits_failed(error):
    """Whether ``error`` is ``BaseSearchCV``'s "All the N fits failed" ``ValueError``."""
    return isinstance(error, ValueError) and "fits failed" in str(error)


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
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - scikit-learn 1.6 to 1.8 have no callbacks
    class CallbackSupportMixin:
        """Callbacks arrived in scikit-learn 1.9: nothing to support before."""


@contextlib.contextmanager
def forward_callback_context(wrapper, estimator):
    """Hand ``estimator`` the callback context scikit-learn (>= 1.9) gave ``wrapper``.

    A transparent wrapper that fits a copy of an estimator (in a search's fits)
    passes the search's context down, so that the estimator's callbacks and
    task tree hang under the search's as they would without the wrapper.
    Nothing happens before 1.9, or when the search has no callbacks.
    """
    parent = getattr(wrapper, "_parent_callback_ctx", None)
    if parent is None:
        yield
        return
    with parent.propagate_callback_context(estimator):
        yield


def watch_search(search, report):
    """Call ``report(results)`` after every ``evaluate_candidates`` batch of ``search.fit``.

    ``results`` is the cumulative results dict ``BaseSearchCV`` builds. The hook
    wraps the private ``_run_search`` on this one instance (keeping its
    signature, which ``BaseSearchCV.fit`` inspects); call the returned function
    to remove it.
    """
    run = search._run_search

    def wrap(evaluate_candidates):
        def evaluate(candidate_params, *args, **kwargs):
            results = evaluate_candidates(candidate_params, *args, **kwargs)
            report(results)
            return results
        evaluate.__wrapped__ = evaluate_candidates  # set_search_results reaches fit's state
        return evaluate

    if "callback_ctx" in inspect.signature(run).parameters:
        def run_search(evaluate_candidates, *, callback_ctx=None):
            return run(wrap(evaluate_candidates), callback_ctx=callback_ctx)
    else:
        def run_search(evaluate_candidates):
            return run(wrap(evaluate_candidates))
    search._run_search = run_search

    def unwatch():
        vars(search).pop("_run_search", None)
    return unwatch


#: Local variables of ``BaseSearchCV.fit`` that ``evaluate_candidates`` closes
#: over, the same in scikit-learn 1.6 to 1.9.
_FIT_STATE = ("all_candidate_params", "all_out", "all_more_results", "results")


def set_search_results(evaluate_candidates, candidate_params, out, more_results, results):
    """Make ``BaseSearchCV.fit`` finish with these results.

    ``fit`` reads what ``evaluate_candidates`` accumulated in its closure (the
    evaluated candidates, the per-split results, the extra columns and the last
    formatted ``results``) to pick the best candidate and set ``cv_results_``.
    ``sklearn_hp.search`` records every trial itself (including trials resumed
    from storage and batches whose fits all failed, which scikit-learn's
    ``evaluate_candidates`` raises on without keeping), so it replaces that state
    with its own complete record before ``fit`` goes on.

    Parameters
    ----------
    evaluate_candidates : function
        The closure ``BaseSearchCV.fit`` passed to ``_run_search``.
    candidate_params : list of dict
    out : list of dict
        One entry per (candidate, split), candidate-major, as ``_fit_and_score``
        returns them.
    more_results : dict of list
    results : dict
        ``BaseSearchCV._format_results`` of the above.
    """
    cells = _fit_cells(evaluate_candidates, _FIT_STATE)
    cells["all_candidate_params"].cell_contents[:] = list(candidate_params)
    cells["all_out"].cell_contents[:] = list(out)
    accumulated = cells["all_more_results"].cell_contents
    accumulated.clear()
    accumulated.update({k: list(v) for k, v in more_results.items()})
    cells["results"].cell_contents = results


def _fit_cells(evaluate_candidates, names):
    """The closure cells ``names`` of ``BaseSearchCV.fit``'s ``evaluate_candidates``."""
    while hasattr(evaluate_candidates, "__wrapped__"):  # e.g. watch_search's wrapper
        evaluate_candidates = evaluate_candidates.__wrapped__
    code, closure = evaluate_candidates.__code__, evaluate_candidates.__closure__ or ()
    cells = dict(zip(code.co_freevars, closure))
    missing = [name for name in names if name not in cells]
    if missing:  # pragma: no cover - only on an unsupported scikit-learn
        raise RuntimeError(
            f"scikit-learn {sklearn.__version__}'s BaseSearchCV.fit no longer keeps "
            f"{missing} for evaluate_candidates; supported versions: 1.6 to 1.9."
        )
    return cells


def route_search_fits(evaluate_candidates, runner):
    """Make ``evaluate_candidates`` run its fits through ``runner``.

    ``BaseSearchCV.fit`` (1.6 to 1.9) makes one ``Parallel`` and calls it with
    each batch's ``delayed`` fits (candidate-major) from ``evaluate_candidates``;
    ``runner`` takes its place and must return the list of results in order, as
    ``Parallel`` does.

    Parameters
    ----------
    evaluate_candidates : function
        The closure ``BaseSearchCV.fit`` passed to ``_run_search``.
    runner : callable

    Returns
    -------
    callable
        The ``Parallel`` it replaced (pass it back to undo the change).
    """
    cell = _fit_cells(evaluate_candidates, ("parallel",))["parallel"]
    previous, cell.cell_contents = cell.cell_contents, runner
    return previous


def unwrap_delayed(function):
    """The function inside scikit-learn's ``delayed`` wrapper (itself if none).

    ``sklearn.utils.parallel.delayed`` wraps a function in an object that sets
    the configuration its ``Parallel`` hands it (``with_config`` in 1.6,
    ``with_config_and_warning_filters`` from 1.7) and warns when called
    without one; a task run inside another ``delayed`` call, which already
    sets it, calls the inner function directly.
    """
    if hasattr(function, "with_config") or hasattr(function, "with_config_and_warning_filters"):
        return getattr(function, "__wrapped__", function)
    return function


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
