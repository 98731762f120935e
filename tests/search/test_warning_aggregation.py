"""A search reports the warnings of its fits once per category, with the count of fits."""

import gc
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning

from sklearn_hp.cli._progress import counted_warnings
from sklearn_hp.search import BayesSearchCV, HyperbandSearchCV, Real
from sklearn_hp.search._warnings import WarningTally, read_fit_warnings, shorten, warn_summaries


class TiredWarning(UserWarning):
    """A category of this test's own (filters can name it)."""


class WarnsInFit(RegressorMixin, BaseEstimator):
    """Warns in ``fit``: ``TiredWarning`` always, ``RuntimeWarning`` when ``lr > 0.1``.

    ``max_epochs``, ``warm_start`` and ``partial_fit`` make it a budget estimator.
    """

    def __init__(self, lr=0.01, max_epochs=9, warm_start=False):
        self.lr = lr
        self.max_epochs = max_epochs
        self.warm_start = warm_start

    def fit(self, X, y=None):
        warnings.warn(f"tired after {self.max_epochs} epochs; rest more", TiredWarning)
        if self.lr > 0.1:
            warnings.warn("learning rate above 0.1", RuntimeWarning)
            warnings.warn("learning rate above 0.1", RuntimeWarning)  # twice: one fit
        self.epochs_ = self.max_epochs
        return self

    def partial_fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -abs(np.log10(self.lr) + 1.0)


SPACE = {"lr": Real(1e-3, 1.0, log=True)}


def _search(n_jobs=1, **kwargs):
    return BayesSearchCV(WarnsInFit(), SPACE, n_iter=6, sampler="random", cv=3,
                         random_state=0, n_jobs=n_jobs, **kwargs)


def _fit_recording(search, X, y, action="always"):
    """The warnings ``search.fit`` let through, but ``ResourceWarning``.

    A garbage collection during the fit can finalise what an earlier test left
    open and warn about it there; collecting first, and leaving that category
    out, keeps such warnings out of this test's record (one once failed a run
    of the suite on two workers, unreproduced since).
    """
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        search.fit(X, y)
    return [w for w in caught if not issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_one_warning_per_category_with_the_count_of_fits(n_jobs, toy_data):
    search = _search(n_jobs)
    caught = _fit_recording(search, *toy_data)
    lrs = np.array([p["lr"] for p in search.cv_results_["params"]])
    n_fits = 6 * 3 + 1  # candidates x folds, and the refit
    n_high = int(np.sum(lrs > 0.1)) * 3 + int(search.best_params_["lr"] > 0.1)
    assert 0 < n_high < n_fits  # the draw has candidates on both sides of 0.1
    tired = [w for w in caught if issubclass(w.category, TiredWarning)]
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(caught) == 2 and len(tired) == 1 and len(runtime) == 1
    assert str(tired[0].message).startswith(f"{n_fits} of {n_fits} fits of BayesSearchCV: "
                                            f'"tired after 9 epochs; rest more"')
    assert str(runtime[0].message) == (
        f'{n_high} of {n_fits} fits of BayesSearchCV: "learning rate above 0.1"')
    assert tired[0].filename == __file__  # shown at the caller's line
    by_name = {s.name: s for s in search.fit_warnings_}
    assert (by_name["TiredWarning"].in_fits, by_name["TiredWarning"].of_fits) == (n_fits, n_fits)
    assert by_name["TiredWarning"].category is TiredWarning
    assert (by_name["RuntimeWarning"].in_fits, by_name["RuntimeWarning"].of_fits) == (
        n_high, n_fits)
    # the most frequent category first
    assert [s.name for s in search.fit_warnings_] == ["TiredWarning", "RuntimeWarning"]


def test_budget_search_counts_every_rung(toy_data):
    search = HyperbandSearchCV(WarnsInFit(), {"lr": Real(1e-3, 0.1, log=True)},
                               max_resource=9, random_state=0, cv=2)
    caught = _fit_recording(search, *toy_data)
    n_fits = len(search.cv_results_["params"]) * 2 + 1
    assert [w.category for w in caught] == [TiredWarning]
    summary = search.fit_warnings_[0]
    assert (summary.in_fits, summary.of_fits) == (n_fits, n_fits)
    # the rungs' messages differ ("tired after 1 epochs", "after 9", continued: "after 6")
    assert summary.n_messages > 1
    assert str(caught[0].message).startswith(f"{n_fits} of {n_fits} fits of HyperbandSearchCV")
    assert f"(and {summary.n_messages - 1} other messages)" in str(caught[0].message)


class StopsEarly(WarnsInFit):
    """Raises ``ConvergenceWarning`` in every fit, as a model stopped by its epoch limit."""

    def fit(self, X, y=None):
        warnings.warn(f"stopped after max_epochs={self.max_epochs}; raise max_epochs",
                      ConvergenceWarning)
        self.epochs_ = self.max_epochs
        return self


def test_a_budget_search_counts_convergence_warnings_only_at_the_largest_budget(toy_data):
    # fits below max_resource stop early on purpose: their ConvergenceWarning
    # ("raise max_epochs", the very resource the search sets) is not counted
    search = HyperbandSearchCV(StopsEarly(), {"lr": Real(1e-3, 0.1, log=True)},
                               max_resource=9, random_state=0, cv=2)
    caught = _fit_recording(search, *toy_data)
    budgets = np.asarray(search.cv_results_["n_resources"])
    n_fits = len(budgets) * 2 + 1  # the refit runs at the largest budget
    at_max = int(np.sum(budgets == 9)) * 2 + 1
    assert 0 < at_max < n_fits
    (summary,) = search.fit_warnings_
    assert summary.category is ConvergenceWarning
    assert (summary.in_fits, summary.of_fits) == (at_max, n_fits)
    # fits at budget 9: from scratch (max_epochs=9) or continued (the 6 epochs from 3)
    (message,) = [str(w.message) for w in caught]
    assert message.startswith(f'{at_max} of {n_fits} fits of HyperbandSearchCV: "stopped '
                              'after max_epochs=')
    assert "max_epochs=1;" not in message and summary.n_messages == 2


def test_ignore_filter_hides_everything(toy_data):
    search = _search()
    caught = _fit_recording(search, *toy_data, action="ignore")
    assert caught == [] and search.fit_warnings_ == []
    assert np.isfinite(search.best_score_)


def test_a_category_filtered_out_keeps_the_others(toy_data):
    search = _search()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=TiredWarning)
        search.fit(*toy_data)
    assert [w.category for w in caught] == [RuntimeWarning]


def test_error_filter_fails_the_warning_fits_as_scikit_learn_does(toy_data):
    """In the fit's process, "error" turns the warning into the fit's error."""
    search = _search()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("error", category=RuntimeWarning)
        # the search's FitFailedWarning (a RuntimeWarning) reports those fits
        warnings.filterwarnings("always", category=FitFailedWarning)
        search.fit(*toy_data)
    results = search.cv_results_
    high = np.array([p["lr"] > 0.1 for p in results["params"]])
    assert np.isnan(results["mean_test_score"][high]).all()
    assert np.isfinite(results["mean_test_score"][~high]).all()
    failed = [str(w.message) for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(failed) == 1 and f"\n{3 * high.sum()} fits failed out of a total of 18." in (
        failed[0])
    assert not any(issubclass(w.category, RuntimeWarning) and w.category is not FitFailedWarning
                   for w in caught)
    assert [s.name for s in search.fit_warnings_] == ["TiredWarning"]


def test_error_filter_on_the_summary_raises_after_the_search_completed(toy_data):
    search = _search()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        # only the search's summary is an error, not the warnings in the fits
        warnings.filterwarnings("error", message=r"\d+ of \d+ fits", category=TiredWarning)
        with pytest.raises(TiredWarning, match=r"^19 of 19 fits of BayesSearchCV"):
            search.fit(*toy_data)
    # the search finished before raising: results, refit and unwrapped estimator
    assert len(search.cv_results_["params"]) == 6
    assert type(search.best_estimator_) is WarnsInFit


def test_cli_prints_one_line_per_category_with_parallel_workers(toy_data):
    search = _search(n_jobs=2)
    with counted_warnings(2, fits_recorded=True) as counter:
        search.fit(*toy_data)
        warnings.warn("outside the search", TiredWarning)
    lines = counter.summary().splitlines()
    assert lines[0] == ('warning: TiredWarning in 19 of 19 fits and 1 times outside them: '
                        '"tired after 9 epochs; rest more" (and 1 other message)')
    assert lines[1].startswith("warning: RuntimeWarning in ")
    assert lines[1].endswith(' of 19 fits: "learning rate above 0.1"')
    assert len(lines) == 2


def test_cli_silences_the_workers_of_searches_that_do_not_record_fits():
    with counted_warnings(2) as counter:
        warnings.warn("seen", UserWarning)
    assert counter.summary() == "warning: the warnings of parallel workers were silenced"


def test_tally_counts_plain_warnings_and_keeps_the_most_frequent_message():
    tally = WarningTally()
    for message in ["a", "b", "b"]:
        tally.add(ConvergenceWarning, message)
    (summary,) = tally.summaries()
    assert str(summary) == 'ConvergenceWarning ×3: "b" (and 1 other message)'


def test_shorten_cuts_at_a_word_boundary():
    text = "Stochastic optimizer: maximum epochs (40) reached;\n raise max_epochs or lower tol"
    assert shorten(text, 200) == ("Stochastic optimizer: maximum epochs (40) reached; raise "
                                  "max_epochs or lower tol")
    assert shorten(text, 60) == "Stochastic optimizer: maximum epochs (40) reached; raise …"
    assert shorten("x" * 50 + " y", 10) == "x" * 50 + " …"


def test_a_category_that_cannot_be_imported_is_named_in_a_user_warning(tmp_path):
    # a fit's log line, as a worker writes it, for a class the search cannot import
    (tmp_path / "host-1.jsonl").write_text(
        '[["gone_module", "GoneWarning", "it left", 2]]\n[]\n[["gone_module", "GoneWarning"\n')
    tally = read_fit_warnings(str(tmp_path))  # the last line, cut short, is skipped
    assert tally.n_fits == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_summaries(tally.summaries(), "BayesSearchCV")
    assert [w.category for w in caught] == [UserWarning]
    assert str(caught[0].message) == 'GoneWarning: 1 of 2 fits of BayesSearchCV: "it left"'
