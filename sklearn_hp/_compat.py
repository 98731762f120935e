"""The only module that touches private scikit-learn API.

Everything version-dependent (scikit-learn 1.6 to 1.9) is resolved here once, so
the rest of the package imports stable names from this module.
"""

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
from sklearn.utils.validation import validate_data

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "SKLEARN_VERSION",
    "RUN_SEARCH_TAKES_CALLBACK_CTX",
    "SEARCH_HOOKS",
    "set_search_results",
    "validate_data",
    "validate_parameter_constraints",
]

SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2] if p.isdigit())

#: scikit-learn 1.9 added a keyword-only ``callback_ctx`` to ``BaseSearchCV._run_search``.
RUN_SEARCH_TAKES_CALLBACK_CTX = (
    "callback_ctx" in inspect.signature(BaseSearchCV._run_search).parameters
)

#: Private ``BaseSearchCV`` methods that ``sklearn_hp.search`` overrides, with the
#: same signatures in scikit-learn 1.6 to 1.9: ``_format_results(candidate_params,
#: n_splits, out, more_results=None)`` (the searches keep each batch's raw results
#: and format all trials once, see :func:`set_search_results`) and the static
#: ``_select_best_index(refit, refit_metric, results)`` (budget searches pick the
#: best full-budget candidate).
SEARCH_HOOKS = ("_format_results", "_select_best_index")
_missing_hooks = [name for name in SEARCH_HOOKS if not hasattr(BaseSearchCV, name)]
if _missing_hooks:  # pragma: no cover - only on an unsupported scikit-learn
    raise ImportError(
        f"scikit-learn {sklearn.__version__} lacks BaseSearchCV.{_missing_hooks}, "
        f"which sklearn_hp.search relies on; supported versions: 1.6 to 1.9."
    )

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
    code, closure = evaluate_candidates.__code__, evaluate_candidates.__closure__ or ()
    cells = dict(zip(code.co_freevars, closure))
    missing = [name for name in _FIT_STATE if name not in cells]
    if missing:  # pragma: no cover - only on an unsupported scikit-learn
        raise RuntimeError(
            f"scikit-learn {sklearn.__version__}'s BaseSearchCV.fit no longer keeps "
            f"{missing} for evaluate_candidates; supported versions: 1.6 to 1.9."
        )
    cells["all_candidate_params"].cell_contents[:] = list(candidate_params)
    cells["all_out"].cell_contents[:] = list(out)
    accumulated = cells["all_more_results"].cell_contents
    accumulated.clear()
    accumulated.update({k: list(v) for k, v in more_results.items()})
    cells["results"].cell_contents = results
