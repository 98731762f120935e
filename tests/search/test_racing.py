"""Fold racing: hopeless candidates stop after their first folds, the best never does."""

import math
import time

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_backend
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import KFold, cross_val_score

from sklearn_hp.search import BayesSearchCV, SuccessiveHalvingSearchCV, racing_summary

N_SPLITS = 5
#: Qualities of every fit, in order (fits run in this process or its threads).
FIT_LOG = []


class FoldScoreModel(ClassifierMixin, BaseEstimator):
    """Scores ``quality`` plus a fold effect shared by every candidate plus noise.

    The fold is recognised by its first test row, so candidates are compared on
    the same folds (paired) as real models are.
    """

    def __init__(self, quality=0.5, seed=0, noise=0.01, fold_sd=0.05, n_epochs=1,
                 fit_seconds=0.0):
        self.quality = quality
        self.seed = seed
        self.noise = noise
        self.fold_sd = fold_sd
        self.n_epochs = n_epochs
        self.fit_seconds = fit_seconds

    def fit(self, X, y):
        time.sleep(self.fit_seconds)
        FIT_LOG.append(self.quality)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        fold = int(X[0, 0])
        effect = np.random.default_rng([self.seed, fold]).normal(0, self.fold_sd)
        own = np.random.default_rng([self.seed, fold, int(round(self.quality * 1e6))])
        return self.quality + effect + own.normal(0, self.noise)


def _data(n=100):
    X = np.arange(n, dtype=float).reshape(-1, 1)
    return X, np.arange(n) % 2


def _raced_search(seed, qualities, fit_seconds=0.0, **kwargs):
    search = BayesSearchCV(
        FoldScoreModel(seed=seed, fit_seconds=fit_seconds), {"quality": list(qualities)},
        n_iter=len(qualities), sampler="random", cv=KFold(N_SPLITS), racing=True,
        random_state=seed, **kwargs)
    return search.fit(*_data())


def _qualities(seed):
    rng = np.random.default_rng(seed)
    good = np.round(rng.uniform(0.80, 0.90, 10), 4)
    bad = np.round(rng.uniform(0.50, 0.60, 10), 4)
    return good, bad


def _unraced_best(seed, qualities):
    """The candidate an unraced search picks: the best mean over all folds."""
    X, y = _data()
    means = [np.mean(cross_val_score(FoldScoreModel(q, seed=seed), X, y, cv=KFold(N_SPLITS)))
             for q in qualities]
    return qualities[int(np.argmax(means))]


def test_racing_stops_clearly_worse_candidates_early_and_never_the_best():
    stopped_early, n_bad, best_stopped = 0, 0, 0
    for seed in range(20):
        good, bad = _qualities(seed)
        search = _raced_search(seed, np.concatenate([good, bad]))
        results = search.cv_results_
        quality = np.array([p["quality"] for p in results["params"]])
        run = results["n_splits_run"]
        is_bad = np.isin(quality, bad)
        n_bad += is_bad.sum()
        stopped_early += np.sum(is_bad & (run <= 2))
        true_best = _unraced_best(seed, np.unique(quality))
        best_stopped += int(run[quality == true_best][0] < N_SPLITS)
        assert search.best_params_["quality"] == true_best
    assert stopped_early / n_bad >= 0.8, (stopped_early, n_bad)
    assert best_stopped == 0


def test_a_raced_search_saves_fits_and_reports_pruned_trials_honestly():
    good, bad = _qualities(0)
    search = _raced_search(0, np.concatenate([good, bad]))
    results = pd.DataFrame(search.cv_results_)
    pruned = results[results["n_splits_run"] < N_SPLITS]
    complete = results[results["n_splits_run"] == N_SPLITS]
    assert len(pruned) >= 8
    # ranks only among complete candidates: every pruned row ranks after them all
    assert pruned["rank_test_score"].min() > complete["rank_test_score"].max()
    assert results.loc[search.best_index_, "n_splits_run"] == N_SPLITS
    # a pruned row's mean is over the folds it ran
    row = pruned.index[0]
    ran = [results.loc[row, f"split{i}_test_score"] for i in range(N_SPLITS)]
    ran = [s for s in ran if math.isfinite(s)]
    assert len(ran) == results.loc[row, "n_splits_run"]
    assert results.loc[row, "mean_test_score"] == pytest.approx(np.mean(ran))
    statuses = {t.number: t.status for t in search.trials_}
    assert all(statuses[i] == "pruned" for i in pruned.index)
    fits = int(results["n_splits_run"].sum())
    assert fits <= 0.6 * len(results) * N_SPLITS


def test_racing_off_runs_every_fold():
    good, bad = _qualities(1)
    search = BayesSearchCV(
        FoldScoreModel(seed=1), {"quality": list(np.concatenate([good, bad]))}, n_iter=20,
        sampler="random", cv=KFold(N_SPLITS), random_state=1).fit(*_data())
    assert "n_splits_run" not in search.cv_results_
    assert {t.status for t in search.trials_} == {"complete"}


def test_racing_on_the_refit_metric_of_a_multimetric_search():
    good, bad = _qualities(2)
    scoring = {"s": lambda est, X, y: est.score(X, y), "neg": lambda est, X, y: -est.score(X, y)}
    search = _raced_search(2, np.concatenate([good, bad]), scoring=scoring, refit="s")
    run = search.cv_results_["n_splits_run"]
    assert (run < N_SPLITS).sum() >= 8
    tried = np.unique([p["quality"] for p in search.cv_results_["params"]])
    assert search.best_params_["quality"] == _unraced_best(2, tried)
    # racing on "neg" instead would stop the good candidates
    other = _raced_search(2, np.concatenate([good, bad]), scoring=scoring, refit="neg")
    assert other.best_params_["quality"] in bad


def test_pruned_trials_are_stored_and_not_run_again_on_resume(tmp_path):
    qualities = np.concatenate(_qualities(3))
    storage = str(tmp_path / "race.db")
    FIT_LOG.clear()
    first = _raced_search(3, qualities, storage=storage)
    n_first = len(FIT_LOG)
    assert n_first == first.cv_results_["n_splits_run"].sum() + 1  # + the refit
    FIT_LOG.clear()
    resumed = _raced_search(3, qualities, storage=storage)
    assert len(FIT_LOG) == 1  # the refit only: no trial, pruned or complete, runs again
    np.testing.assert_array_equal(resumed.cv_results_["n_splits_run"],
                                  first.cv_results_["n_splits_run"])
    assert [t.status for t in resumed.trials_] == [t.status for t in first.trials_]
    assert resumed.best_params_ == first.best_params_


def test_folds_interleave_on_two_workers():
    qualities = np.concatenate(_qualities(5))
    FIT_LOG.clear()
    # fits of 20 ms: joblib hands a freed worker its next fit before the race has
    # seen the result, so decisions lag a fit per worker (with fits of
    # microseconds the workers would run ahead of the race altogether)
    with parallel_backend("threading", n_jobs=2):
        search = _raced_search(5, qualities, n_jobs=2, fit_seconds=0.02)
    results = search.cv_results_
    assert len(FIT_LOG) == results["n_splits_run"].sum() + 1
    tried = np.unique([p["quality"] for p in results["params"]])
    assert search.best_params_["quality"] == _unraced_best(5, tried)
    assert results["n_splits_run"].sum() <= 0.7 * N_SPLITS * len(results["params"])


class FailingBelow(FoldScoreModel):
    """A :class:`FoldScoreModel` whose fit fails for a quality below 0.1."""

    def fit(self, X, y):
        if self.quality < 0.1:
            raise ValueError("quality below 0.1")
        return super().fit(X, y)


@pytest.mark.parametrize("batch_size", [None, 4])
def test_the_failure_warning_counts_only_the_fits_that_ran(batch_size):
    # candidates below 0.1 fail every fold; racing skips folds of the bad ones:
    # the warning's total is the fits run, not the folds the race skipped
    good, bad = _qualities(6)
    qualities = list(np.concatenate([good, bad])) + [0.01, 0.02, 0.03, 0.04]
    search = BayesSearchCV(
        FailingBelow(seed=6), {"quality": qualities}, n_iter=len(qualities), sampler="random",
        cv=KFold(N_SPLITS), racing=True, random_state=6, batch_size=batch_size,
        error_score=np.nan)
    with pytest.warns(FitFailedWarning) as caught:
        search.fit(*_data())
    failed = [str(w.message) for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(failed) == 1
    run = search.cv_results_["n_splits_run"]
    assert run.sum() < len(qualities) * N_SPLITS  # the race skipped some folds
    n_failed = sum(s["fit_error"] is not None for t in search.trials_ for s in t.splits)
    assert n_failed >= N_SPLITS and n_failed % N_SPLITS == 0
    assert f"{n_failed} fits failed out of a total of {run.sum()}." in failed[0]


def _halving(seed, qualities, racing):
    search = SuccessiveHalvingSearchCV(
        FoldScoreModel(seed=seed), {"quality": list(qualities)},
        resource="n_epochs", max_resource=9, min_resource=1, eta=3, n_candidates=18,
        sampler="random", cv=KFold(N_SPLITS), racing=racing, random_state=seed)
    return search.fit(*_data())


def test_a_rung_stops_candidates_that_cannot_be_promoted_and_promotes_the_same():
    n_stopped, n_fits, n_fits_unraced = 0, 0, 0
    for seed in range(4, 8):
        good, bad = _qualities(seed)
        raced = _halving(seed, np.concatenate([good, bad]), racing=True)
        full = _halving(seed, np.concatenate([good, bad]), racing=False)
        results = raced.cv_results_
        first_rung = np.asarray(results["iter"]) == 0
        n_stopped += (results["n_splits_run"][first_rung] < N_SPLITS).sum()
        n_fits += results["n_splits_run"].sum()
        n_fits_unraced += N_SPLITS * len(full.cv_results_["params"])

        def promoted(search):
            rung = np.asarray(search.cv_results_["iter"]) == 1
            return sorted(p["quality"] for p in np.asarray(search.cv_results_["params"])[rung])
        assert promoted(raced) == promoted(full)
        assert raced.best_params_ == full.best_params_
    # 18 candidates a rung-0 bar of the 6th best: about half the 12 raced are bad
    assert n_stopped >= 12
    assert n_fits <= 0.85 * n_fits_unraced


def test_racing_summary_counts_the_skipped_fits_and_prices_them():
    qualities = np.concatenate(_qualities(6))
    search = _raced_search(6, qualities, fit_seconds=0.005)
    stopped, total, skipped, seconds = racing_summary(search.trials_, N_SPLITS)
    run = search.cv_results_["n_splits_run"]
    assert (stopped, total) == ((run < N_SPLITS).sum(), len(run))
    assert skipped == N_SPLITS * len(run) - run.sum()
    # each skipped fit is priced at its candidate's pace: at least the 5 ms sleep
    assert 0.005 * skipped <= seconds <= 0.05 * skipped


def test_the_spread_comes_from_the_trials_nearest_the_bar():
    from sklearn_hp.search._racing import NEAREST, FoldRace

    bar = np.array([0.90, 0.80, 0.85, 0.95, 0.90])
    rng = np.random.default_rng(0)
    near = [bar - 0.01 + rng.normal(0, 0.002, N_SPLITS) for _ in range(NEAREST)]
    erratic = np.array([0.20, 0.90, 0.10, 0.80, 0.30])  # poor, and unlike the bar fold by fold

    def stops_after_one_fold(complete):
        race = FoldRace(N_SPLITS, complete)
        race.observe(0, 0, {"test_scores": bar[0] - 0.08})
        return race.is_stopped(0)

    # the erratic trial, farthest from the bar, does not widen the bound
    assert stops_after_one_fold([bar, *near, erratic])
    # pooled with the near ones alone it would, and the same fold would not stop
    assert not stops_after_one_fold([bar, near[0], erratic])


def test_the_floor_and_the_nearest_count_are_parameters():
    from sklearn_hp.search._racing import NEAREST, FoldRace

    bar = np.array([0.90, 0.80, 0.85, 0.95, 0.90])
    twins = [bar - 0.01, bar - 0.02]  # differ from the bar by a constant: no spread of their own
    erratic = bar - 0.05 + np.array([0.05, -0.05, 0.04, -0.04, 0.0])
    own = np.sqrt(2) * np.std(bar, ddof=1)
    spread = np.sqrt(np.sum((erratic - bar + 0.05) ** 2) / (N_SPLITS - 1))  # around their mean

    # the twins alone agree with the bar fold by fold: the spread is the floor
    assert FoldRace(N_SPLITS, [bar, *twins])._sigma == pytest.approx(0.5 * own)
    assert FoldRace(N_SPLITS, [bar, *twins], floor=0.25)._sigma == pytest.approx(0.25 * own)
    # the erratic trial is the farthest from the bar's mean: in with 3 nearest, out with 2
    assert NEAREST >= 3
    pooled = spread / np.sqrt(3)  # its squares over the three trials' degrees of freedom
    assert FoldRace(N_SPLITS, [bar, *twins, erratic], floor=0.0)._sigma == pytest.approx(pooled)
    assert FoldRace(N_SPLITS, [bar, *twins, erratic], floor=0.0, nearest=2)._sigma == 0.0


def test_rung_races_look_at_a_stricter_level_than_the_best_race():
    from sklearn_hp.search._racing import ALPHA, RUNG_ALPHA, FoldRace

    assert RUNG_ALPHA < ALPHA
    bar = np.array([0.90, 0.80, 0.85, 0.95, 0.90])
    others = [bar + d for d in (-0.01, -0.012, 0.008, -0.02, 0.015)]

    def folds_run(alpha, gap):
        race = FoldRace(N_SPLITS, [bar, *others], alpha=alpha)
        for fold in range(N_SPLITS):
            race.observe(0, fold, {"test_scores": bar[fold] - gap})
            if race.is_stopped(0):
                return fold + 1
        return N_SPLITS

    # a gap of 0.02 per fold: the best race's level stops it sooner than the rungs'
    assert folds_run(ALPHA, 0.02) < folds_run(RUNG_ALPHA, 0.02)
    # the rungs' level: a rung's bar (the weakest promoted) at inner rungs, the best at the last
    search = SuccessiveHalvingSearchCV(FoldScoreModel(), {"quality": [0.5, 0.6]},
                                       resource="n_epochs", max_resource=9, racing=True)
    search.max_resource_ = 9
    assert search._racing_rule(18, {"n_resources": 1}) == (6, RUNG_ALPHA)
    assert search._racing_rule(2, {"n_resources": 9}) == (1, None)


def test_a_new_bar_stops_the_candidates_waiting_below_it_without_another_fold():
    from sklearn_hp.search._racing import FoldRace

    bar = np.array([0.90, 0.80, 0.85, 0.95, 0.90])
    race = FoldRace(N_SPLITS, [bar - 0.30])  # a weak first bar: nothing below it yet
    race.observe(1, 0, {"test_scores": bar[0] - 0.20})  # above the weak bar: runs on
    race.observe(2, 0, {"test_scores": bar[0] + 0.01})
    assert not race.is_stopped(1) and not race.is_stopped(2)
    for fold in range(N_SPLITS):  # the strong trial completes: the bar moves to it
        race.observe(0, fold, {"test_scores": bar[fold]})
    assert race.is_stopped(1) and not race.is_stopped(2)
    assert race.estimate(1) == pytest.approx(bar.mean() - 0.20)


def _drive(schedule, scores, limit=1000):
    """Run ``schedule`` with one worker on ``scores[trial][split]``; the units in order."""
    units = []
    while len(units) < limit:
        unit = schedule.next_unit()
        if unit is None:
            return units
        number, split, _ = unit
        units.append((number, split))
        for trial in schedule.take(number, split, {"test_scores": scores[number][split]}):
            assert trial.in_flight == 0
    raise AssertionError("the schedule did not end")


def test_the_screening_schedule_opens_a_window_then_continues_the_best():
    from sklearn_hp.search._racing import FoldRace
    from sklearn_hp.search._schedule import TrialSchedule

    fold_effect = np.array([0.0, -0.05, 0.03, 0.02, -0.04])
    quality = [0.60, 0.62, 0.90, 0.61, 0.89, 0.59, 0.91, 0.58]
    scores = [q + fold_effect for q in quality]
    asked = []

    def ask(number):
        asked.append(number)
        return {"quality": quality[number]}

    schedule = TrialSchedule(N_SPLITS, ask, len(quality), 0, race=FoldRace(N_SPLITS),
                             max_open=2, window=4)
    units = _drive(schedule, scores)
    # the first four trials each run their first fold before any trial goes on
    assert units[:4] == [(0, 0), (1, 0), (2, 0), (3, 0)]
    # then the one standing best (trial 2) runs to the end first
    assert units[4:8] == [(2, 1), (2, 2), (2, 3), (2, 4)]
    # its bar stops the weak ones of the window after their one fold
    ran = {n: sum(1 for u in units if u[0] == n) for n in range(len(quality))}
    assert ran[0] == ran[1] == ran[3] == ran[5] == ran[7] == 1
    assert ran[2] == ran[6] == N_SPLITS  # the best, and the first to beat it
    assert 1 < ran[4] <= N_SPLITS  # close to the bar, it needs more folds to tell
    assert asked == list(range(len(quality)))


def test_a_window_of_one_runs_each_trial_to_its_end_before_the_next():
    from sklearn_hp.search._racing import FoldRace
    from sklearn_hp.search._schedule import TrialSchedule

    quality = [0.9, 0.5, 0.7]
    scores = [[q] * N_SPLITS for q in quality]
    schedule = TrialSchedule(N_SPLITS, lambda n: {"q": quality[n]}, 3, 0,
                             race=FoldRace(N_SPLITS), max_open=2, window=1)
    units = _drive(schedule, scores)
    assert units[:N_SPLITS] == [(0, f) for f in range(N_SPLITS)]
    assert units[N_SPLITS] == (1, 0)


def test_a_trial_that_may_beat_the_bar_goes_on_before_new_ones_are_screened():
    from sklearn_hp.search._racing import FoldRace
    from sklearn_hp.search._schedule import TrialSchedule

    # trial 0 sets the bar; trial 1 starts above it; every later trial falls far
    # below at once and is stopped after its first fold, so the window never fills
    quality = [0.80, 0.85] + [0.50] * 30
    scores = [[q] * N_SPLITS for q in quality]
    schedule = TrialSchedule(N_SPLITS, lambda n: {"q": quality[n]}, len(quality), 0,
                             race=FoldRace(N_SPLITS, [np.array([0.80, 0.78, 0.81, 0.79, 0.82])]),
                             max_open=2, window=4)
    units = _drive(schedule, scores)
    assert units[:N_SPLITS] == [(0, f) for f in range(N_SPLITS)]
    assert units[N_SPLITS:2 * N_SPLITS] == [(1, f) for f in range(N_SPLITS)]
    assert all(split == 0 for _, split in units[2 * N_SPLITS:])
