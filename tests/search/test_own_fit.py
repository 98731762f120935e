"""The searches run their own ``fit``, and it gives what ``GridSearchCV`` gives.

For a fixed list of candidates, ``BayesSearchCV``'s ``cv_results_`` (times
left out) and ``best_*`` equal ``GridSearchCV``'s column by column, for every
setting ``fit`` handles; and the package reaches no private scikit-learn name
outside ``_compat.py``, nor any closure cell anywhere.
"""

import ast
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import RidgeClassifier
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV, GroupKFold, ParameterGrid, StratifiedKFold

import sklearn_hp
from sklearn_hp._compat import BaseSearchCV
from sklearn_hp.search import BaseSampler, BayesSearchCV, Categorical

X, Y = load_iris(return_X_y=True)
GRID = {"alpha": [0.01, 1.0, 30.0, 300.0], "fit_intercept": [True, False]}
MODEL = RidgeClassifier()


class Listed(BaseSampler):
    """Proposes ``candidates`` in their order, as a grid search evaluates them."""

    def __init__(self, candidates=()):
        self.candidates = candidates

    def propose(self, space, trials, n_candidates, random_state):
        return [dict(c) for c in self.candidates[len(trials):len(trials) + n_candidates]]


def _pair(grid=GRID, estimator=MODEL, batch_size=None, **settings):
    """Our search and GridSearchCV over the same candidates, in the same order."""
    candidates = list(ParameterGrid(grid))
    space = {name: Categorical(values) for name, values in grid.items()}
    ours = BayesSearchCV(estimator, space, n_iter=len(candidates), sampler=Listed(candidates),
                         batch_size=batch_size, **settings)
    return ours, GridSearchCV(estimator, grid, **settings)


def _assert_same_results(ours, theirs):
    mine, reference = ours.cv_results_, theirs.cv_results_
    keys = [k for k in reference if "time" not in k]
    assert [k for k in mine if "time" not in k] == keys  # same columns, same order
    assert {k for k in mine if "time" in k} == {k for k in reference if "time" in k}
    for key in keys:
        a, b = mine[key], reference[key]
        if key == "params":
            assert a == b
            continue
        assert type(a) is type(b) and a.dtype == b.dtype, key
        if key.startswith("param_"):
            assert np.array_equal(np.ma.getmaskarray(a), np.ma.getmaskarray(b)), key
            assert list(a.compressed()) == list(b.compressed()), key
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, equal_nan=True, err_msg=key)
    for name in ("best_index_", "best_params_", "best_score_", "multimetric_", "n_splits_"):
        assert hasattr(ours, name) == hasattr(theirs, name), name
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), name
    if hasattr(theirs, "best_estimator_"):
        np.testing.assert_allclose(ours.best_estimator_.coef_, theirs.best_estimator_.coef_)
        assert ours.refit_time_ >= 0


def _fit_both(ours, theirs, *args, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(*args, **params)
        theirs.fit(*args, **params)
    _assert_same_results(ours, theirs)
    return ours, theirs


def test_single_metric_and_train_scores():
    ours, theirs = _fit_both(*_pair(cv=3, return_train_score=True), X, Y)
    assert "split2_train_score" in ours.cv_results_
    assert ours.scorer_(ours.best_estimator_, X, Y) == theirs.scorer_(theirs.best_estimator_, X, Y)


def test_several_metrics_refit_by_name():
    ours, _ = _fit_both(*_pair(cv=3, scoring=["accuracy", "f1_macro"], refit="f1_macro",
                               return_train_score=True), X, Y)
    assert ours.multimetric_ and sorted(ours.scorer_) == ["accuracy", "f1_macro"]
    assert ours.best_score_ == ours.cv_results_["mean_test_f1_macro"][ours.best_index_]


def test_callable_refit_picks_the_row_it_returns():
    def worst(results):
        return int(np.argmin(results["mean_test_score"]))

    ours, _ = _fit_both(*_pair(cv=3, refit=worst), X, Y)
    assert not hasattr(ours, "best_score_")
    scores = ours.cv_results_["mean_test_score"]
    assert scores[ours.best_index_] == scores.min() < scores.max()


def test_several_metrics_with_a_bad_refit_fail_as_scikit_learn_does():
    ours, theirs = _pair(cv=3, scoring=["accuracy", "f1_macro"], refit="recall")
    with pytest.raises(ValueError) as mine:
        ours.fit(X, Y)
    with pytest.raises(ValueError) as reference:
        theirs.fit(X, Y)
    assert str(mine.value) == str(reference.value)
    assert "refit must be set to a scorer key" in str(mine.value)


def test_a_failing_candidate_gets_error_score_and_a_fit_failed_warning():
    # alpha=-1 fails every fit; it shares its batch with the candidates after it
    grid = {"alpha": [1.0, -1.0, 0.1, 10.0]}
    ours, theirs = _pair(grid, batch_size=4, cv=3, error_score=np.nan)
    for search in (ours, theirs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search.fit(X, Y)
        failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
        assert len(failed) == 1
        assert re.search(r"3 fits failed out of a total of \d+\.\nThe score on these "
                         r"train-test partitions for these parameters will be set to nan",
                         str(failed[0].message))
    _assert_same_results(ours, theirs)
    assert np.isnan(ours.cv_results_["mean_test_score"][1])
    assert ours.trials_[1].status == "failed" and "InvalidParameterError" in (
        ours.trials_[1].fit_error)


def fit_failed_messages(search, X, y):
    """Fit ``search``; the messages of its ``FitFailedWarning``s, each checked to
    point at this file, where ``fit`` was called."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    assert failed and {w.filename for w in failed} == {__file__}
    return [str(w.message) for w in failed]


def test_a_batch_whose_fits_all_failed_keeps_each_fits_error_and_the_search_warns_once():
    # batches of one: alpha=-1 fails every fit of its batch, the others succeed; one
    # warning for the whole search, counting its fits, not one per batch
    ours, theirs = _pair({"alpha": [1.0, -1.0, 0.1]}, batch_size=1, cv=3, error_score=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.fit(X, Y)
    failed = fit_failed_messages(ours, X, Y)
    assert len(failed) == 1 and "\n3 fits failed out of a total of 9.\n" in failed[0]
    assert failed[0].count("3 fits failed with the following error") == 1
    _assert_same_results(ours, theirs)
    errors = [split["fit_error"] for split in ours.trials_[1].splits]
    assert len(errors) == 3 and all("InvalidParameterError" in e and "All the" not in e
                                    for e in errors)
    assert [t.status for t in ours.trials_] == ["complete", "failed", "complete"]


def test_error_score_raise_raises_the_fit_error():
    ours, theirs = _pair({"alpha": [1.0, -1.0]}, cv=3, error_score="raise")
    errors = []
    for search in (ours, theirs):
        with pytest.raises(ValueError, match="'alpha' parameter of RidgeClassifier") as caught:
            search.fit(X, Y)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def test_metadata_routing_weights_the_fits_and_the_scorer():
    weights = np.where(Y == 2, 5.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = RidgeClassifier().set_fit_request(sample_weight=True)
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        ours, _ = _fit_both(*_pair(estimator=estimator, cv=3, scoring=scorer), X, Y,
                            sample_weight=weights)
    train, test = next(StratifiedKFold(3).split(X, Y))  # what cv=3 makes of iris
    # the first candidate's first split, by hand: both the fit and the score are weighted
    params = ours.cv_results_["params"][0]
    model = RidgeClassifier(**params).fit(X[train], Y[train], sample_weight=weights[train])
    expected = accuracy_score(Y[test], model.predict(X[test]), sample_weight=weights[test])
    assert ours.cv_results_["split0_test_score"][0] == pytest.approx(expected, abs=1e-12)
    unweighted = accuracy_score(Y[test], model.predict(X[test]))
    assert expected != unweighted


def test_groups_go_to_the_splitter():
    groups = np.arange(len(Y)) % 5
    ours, _ = _fit_both(*_pair(cv=GroupKFold(5)), X, Y, groups=groups)
    assert ours.n_splits_ == 5


def test_verbose_fits_print_scikit_learns_lines(capsys):
    ours, theirs = _pair({"alpha": [1.0, 10.0]}, cv=2, verbose=3, return_train_score=True)
    lines = []
    for search in (ours, theirs):
        search.fit(X, Y)
        out = capsys.readouterr().out
        lines.append([re.sub(r"total time=.*", "", line) for line in out.splitlines()
                      if line.startswith("[CV")])
    assert lines[0] == lines[1] and len(lines[0]) == 4
    assert lines[0][0].startswith("[CV 1/2] END .....alpha=1.0;, score=(train=")


def test_fit_never_calls_base_search_cv_machinery(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("BaseSearchCV's own fit machinery was called")

    for name in ("fit", "_run_search", "_format_results", "_select_best_index",
                 "_get_scorers", "_check_refit_for_multimetric"):
        if hasattr(BaseSearchCV, name):
            monkeypatch.setattr(BaseSearchCV, name, refuse)
    ours, _ = _pair(cv=2, scoring=["accuracy", "f1_macro"], refit="accuracy")
    ours.fit(X, Y)
    assert len(ours.cv_results_["params"]) == 8 and ours.best_estimator_.coef_.shape == (3, 4)
    assert np.isfinite(ours.cv_results_["mean_test_f1_macro"]).all()


# ---------------------------------------------------------------- the grep
PACKAGE = Path(sklearn_hp.__file__).parent
_CELLS = {"__closure__", "cell_contents", "co_freevars"}


def _private_sklearn(node):
    """What ``node`` reaches of private scikit-learn API, or None."""
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sklearn":
        names = [a.name for a in node.names]
        if any(p.startswith("_") for p in node.module.split(".")) or any(
                n.startswith("_") for n in names):
            return f"from {node.module} import {', '.join(names)}"
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                return f"import {alias.name}"
    if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not (
            node.attr.endswith("__")):
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in ("sklearn", "BaseSearchCV"):
            return f"{ast.unparse(node)}"
    return None


def _closure_cell(node):
    if isinstance(node, ast.Attribute) and node.attr in _CELLS:
        return ast.unparse(node)
    if isinstance(node, ast.Constant) and node.value in _CELLS:  # getattr(f, "__closure__")
        return repr(node.value)
    return None


def offending_lines(root=PACKAGE):
    """``file:line what`` of private scikit-learn API outside ``_compat.py`` and of
    closure cells anywhere in the package under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            what = _closure_cell(node)
            if what is None and path.name != "_compat.py":
                what = _private_sklearn(node)
            if what is not None:
                found.append((str(path.relative_to(root.parent)), node.lineno, what))
    return [f"{path}:{line} {what}" for path, line, what in sorted(found)]


def test_no_private_scikit_learn_api_outside_compat_and_no_closure_cells():
    assert offending_lines() == []


def test_the_grep_names_file_and_line(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text(
        "from sklearn.model_selection._search import BaseSearchCV\n"
        "from sklearn.utils import _safe_indexing\n"
        "x = BaseSearchCV._format_results\n"
        "y = sklearn.utils._testing\n"
        "z = f.__closure__[0].cell_contents\n"
        "w = getattr(f.__code__, 'co_freevars')\n")
    (package / "_compat.py").write_text("from sklearn.utils._x import y\nc = g.__closure__\n")
    assert offending_lines(package) == [
        "pkg/_compat.py:2 g.__closure__",
        "pkg/mod.py:1 from sklearn.model_selection._search import BaseSearchCV",
        "pkg/mod.py:2 from sklearn.utils import _safe_indexing",
        "pkg/mod.py:3 BaseSearchCV._format_results",
        "pkg/mod.py:4 sklearn.utils._testing",
        "pkg/mod.py:5 f.__closure__",
        "pkg/mod.py:5 f.__closure__[0].cell_contents",
        "pkg/mod.py:6 'co_freevars'",
    ]
