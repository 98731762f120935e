"""The COCO suite's runner, cache and report (skipped without the bench extra)."""

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator

cocoex = pytest.importorskip("cocoex")

from benchmarks.coco import report, run  # noqa: E402
from benchmarks.coco.methods import METHODS  # noqa: E402
from benchmarks.coco.problems import CocoProblem, is_held_out  # noqa: E402
from sklearn_hp.search import BayesSearchCV  # noqa: E402

README = Path(__file__).resolve().parents[1] / "benchmarks" / "coco" / "README.md"


def test_a_tiny_cell_writes_one_cache_line_per_method_and_the_report_reads_them(tmp_path):
    cache = run.open_cache(tmp_path / "cache.jsonl")
    run.run_all(cache, "bbob", [2], [1], [1], [0], ["random", "ours-tpe"], log=lambda _: None)
    lines = cache.path.read_text().splitlines()
    assert len(lines) == 2
    records = cache.runs()
    ours = records["bbob", 1, 2, 1, "ours-tpe", 0, 100]
    assert ours["n_evals"] == 100 and set(ours["regret"]) == {"10", "20", "50"}
    # best-so-far: more evaluations never do worse
    assert ours["regret"]["10"] >= ours["regret"]["20"] >= ours["regret"]["50"] >= 0
    text = report.render(records, list(METHODS))
    median = np.log10(ours["regret"]["50"] + 1e-8)
    row = next(line for line in text.splitlines() if line.startswith("| f1 |"))
    assert f"{median:.2f}" in row
    # a second run computes nothing and appends nothing
    run.run_all(cache, "bbob", [2], [1], [1], [0], ["random", "ours-tpe"], log=print)
    assert cache.path.read_text().splitlines() == lines


def test_regret_of_a_known_point_is_what_cocoex_says():
    problem = CocoProblem("bbob", 3, 2, 1)
    bare = cocoex.BareProblem("bbob", 3, 2, 1)
    x = np.array([1.5, -2.25])
    assert problem.regret(problem.loss({"x00": 1.5, "x01": -2.25})) == pytest.approx(
        bare(x) - bare.best_value(), rel=1e-12)
    optimum = dict(zip(problem.names, bare.best_parameter()))
    assert problem.regret(problem.loss(optimum)) == 0.0
    assert report.precision(problem.regret(problem.loss(optimum))) == -8.0


def test_a_run_records_the_regret_cocoex_observed():
    problem = CocoProblem("bbob", 6, 2, 2)
    record = run.run_one(problem, "random", 0)
    assert problem.problem.evaluations == 100
    assert record["regret"]["50"] == pytest.approx(
        problem.problem.best_observed_fvalue1 - problem.f_opt, abs=1e-12)


@pytest.mark.parametrize("function, scale", [(7, 1), (8, 1e-2), (20, 1e-1), (24, 1e-1)])
def test_mixint_problems_are_searched_on_their_integer_grid_down_to_f_opt(
        tmp_path, monkeypatch, function, scale):
    """At the optimum cocoex names, the loss is f_opt: COCO's factor of the
    function times the bbob instance's optimum (without it, f8 and f24 had
    regret 0 everywhere and f20 regret 490 at best)."""
    problem = CocoProblem("bbob-mixint", function, 5, 1)
    kinds = [type(dim).__name__ for dim in problem.space.values()]
    assert kinds == ["Integer"] * 4 + ["Real"]
    monkeypatch.chdir(tmp_path)  # cocoex writes the optimum to a file there
    problem.problem._best_parameter("print")
    x = np.loadtxt(tmp_path / "._bbob_problem_best_parameter.txt")
    f_best = problem.loss(dict(zip(problem.names, x)))
    bare = cocoex.BareProblem("bbob", function, 5, 1).best_value()
    assert f_best == pytest.approx(scale * bare, rel=1e-12) == pytest.approx(problem.f_opt)
    assert problem.regret(f_best) == 0.0


def test_a_value_below_f_opt_is_an_error_not_a_regret_of_0():
    problem = CocoProblem("bbob-mixint", 8, 5, 1)
    with pytest.raises(ValueError, match=r"bbob-mixint_f008_i01_d05: f = 1\.0 is below its "
                                         r"optimum f_opt = 1\.49"):
        problem.regret(1.0)
    assert problem.regret(problem.f_opt * (1 - 1e-12)) == 0.0


class _Function(BaseEstimator):
    """Scores ``-f`` at its parameters: COCO's f1 in 2-D, for BayesSearchCV."""

    def __init__(self, x00=0.0, x01=0.0):
        self.x00, self.x01 = x00, x01

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        return -CocoProblem("bbob", 1, 2, 1).loss({"x00": self.x00, "x01": self.x01})


@pytest.mark.parametrize("method, sampler", [("ours-gp", "gp"), ("ours-tpe", "tpe")])
def test_ours_is_the_ask_tell_loop_bayes_search_runs(method, sampler):
    search = BayesSearchCV(_Function(), CocoProblem("bbob", 1, 2, 1).space, n_iter=12,
                           sampler=sampler, random_state=3, refit=False,
                           cv=[(np.arange(2), np.arange(2, 4))])
    search.fit(np.zeros((4, 1)), np.zeros(4))
    losses, _ = METHODS[method](CocoProblem("bbob", 1, 2, 1), 12, 3)
    np.testing.assert_array_equal(losses, -search.cv_results_["mean_test_score"])


def test_the_held_out_split_is_the_one_written_in_the_readme():
    text = README.read_text()
    assert "**Held out: the even-numbered functions**" in text
    held_out_part = text.split("## Held-out split")[1].split("**For choosing")[0]
    written = {int(n) for n in re.findall(r"f(\d+)", held_out_part)}
    assert {f for f in range(1, 25) if is_held_out(f)} == set(range(2, 25, 2))
    assert {2, 4, 24} <= written and not written & {1, 3, 23}


def test_the_report_shows_the_held_out_half_first():
    record = {"suite": "bbob", "dim": 2, "instance": 1, "seed": 0, "budget": 100,
              "regret": {"10": 1.0, "20": 0.5, "50": 0.1}, "n_evals": 100,
              "optimiser_seconds": 0.1, "load": 3.0, "by": "x"}
    runs = {(f, m): {**record, "function": f, "method": m}
            for f in (1, 2) for m in ("random", "ours-gp")}
    text = report.render(runs, list(METHODS))
    assert text.index("## `bbob`, held out") < text.index("## `bbob`, used to choose")
    assert "| f2 | 1 | **-1.00** | **-1.00** |" in text


def test_a_method_without_runs_in_a_dimension_leaves_only_that_dimensions_tables():
    # skopt ran in 2-D only: the 5-D tables compare the others and name skopt as not run
    record = {"suite": "bbob", "instance": 1, "seed": 0, "function": 2, "n_evals": 100,
              "optimiser_seconds": 0.1, "load": 3.0, "by": "x"}
    regrets = {"random": 1.0, "ours-gp": 0.1, "optuna-tpe": 0.5, "skopt": 0.01}
    runs = {(d, m): {**record, "dim": d, "budget": 50 * d, "method": m,
                     "regret": {k: regrets[m] for k in ("10", "20", "50")}}
            for d in (2, 5) for m in regrets if (d, m) != (5, "skopt")}
    text = report.render(runs, list(METHODS))
    five = text[text.index("### `bbob` 5-D, held out"):]
    two = text[text.index("### `bbob` 2-D, held out"):text.index("### `bbob` 5-D")]
    assert "| f2 | 1 | **-1.00** | -0.30 | 0.00 |" in five and "Not run here: skopt." in five
    assert "| f2 | 1 | -1.00 | -0.30 | **-2.00** | 0.00 |" in two
    assert "Not run here" not in two
    # cells won, ours-gp at or below the best peer, above random: skopt wins in 2-D,
    # ours-gp in 5-D, where skopt did not run
    assert "| 2 | 50·d | 1 | 0 | 0 | 1 | 0 | 0 | 0 |" in text
    assert "| 5 | 50·d | 1 | 1 | 0 | 0 | 1 | 0 |" in text


def test_a_method_run_on_one_half_only_leaves_the_other_halfs_tables_to_the_rest():
    # skopt ran on the held-out function only: the tuning half's tables still
    # compare the others (and name skopt as not run there) instead of showing nothing
    record = {"suite": "bbob", "dim": 2, "instance": 1, "seed": 0, "budget": 100,
              "n_evals": 100, "optimiser_seconds": 0.1, "load": 3.0, "by": "x"}
    regrets = {"random": 1.0, "ours-gp": 0.1, "optuna-tpe": 0.5, "skopt": 0.01}
    runs = {(f, m): {**record, "function": f, "method": m,
                     "regret": {k: regrets[m] for k in ("10", "20", "50")}}
            for f in (1, 2) for m in regrets if (f, m) != (1, "skopt")}
    text = report.render(runs, list(METHODS))
    held_out = text[:text.index("## `bbob`, used to choose")]
    tuning = text[text.index("## `bbob`, used to choose"):text.index("## Optimiser overhead")]
    assert "| f2 | 1 | -1.00 | -0.30 | **-2.00** | 0.00 |" in held_out
    assert "| f1 | 1 | **-1.00** | -0.30 | 0.00 |" in tuning
    assert "Not run here: skopt." in tuning and "Not run here" not in held_out
    assert "| 2 | 50·d | 1 | 1 | 0 | 0 | 1 | 0 |" in tuning  # ours-gp wins, ≤ best peer


@pytest.mark.parametrize("report_only, shown", [(True, ["ours-gp", "random"]),
                                                (False, list(METHODS))])
def test_a_report_only_run_shows_the_methods_asked_a_run_shows_all(tmp_path, monkeypatch,
                                                                   report_only, shown):
    from types import SimpleNamespace

    from benchmarks.coco import cli
    from benchmarks.coco.cli import run_and_report

    monkeypatch.setattr(cli.signal, "signal", lambda *args: None)  # keep pytest's SIGTERM

    args = SimpleNamespace(report_only=report_only, methods=["ours-gp", "random"],
                           report=tmp_path / "report.md")
    cache = SimpleNamespace(runs=lambda: {}, compact=lambda: None)
    seen = []
    run_and_report(args, cache, lambda log: None,
                   lambda runs, methods: seen.append(methods) or "report")
    assert seen == [shown] and args.report.read_text() == "report\n"


def test_a_cache_of_variants_only_reports_without_them(tmp_path):
    """A GP variant (``--methods ours-gp-candidates-501``) is never reported; a cache
    holding only its runs used to crash the overhead table (no load to show)."""
    cache = run.open_cache(tmp_path / "cache.jsonl")
    run.run_all(cache, "bbob", [2], [1], [1], [0], ["ours-gp-candidates-501"],
                log=lambda _: None)
    record = cache.runs()["bbob", 1, 2, 1, "ours-gp-candidates-501", 0, 100]
    assert record["n_evals"] == 100 and record["regret"]["50"] < 1e-3  # a 2-D sphere
    text = report.render(cache.runs(), list(METHODS))
    assert "candidates-501" not in text and "| bbob | 2 |" not in text


def test_the_tpe_hedge_proposes_every_fourth_candidate_after_the_warm_up():
    from benchmarks.coco.methods import InterleavedSampler
    from sklearn_hp.search import Real, SearchSpace, Trial

    sampler = InterleavedSampler(every=4)
    sampler.gp.propose = lambda *args, **kwargs: ["gp"]
    sampler.tpe.propose = lambda *args, **kwargs: ["tpe"]
    space = SearchSpace({"x": Real(0.0, 1.0)})  # warm-up: max(5, 1 + 1) = 5 trials
    trials = [Trial({"x": 0.1 * i}, float(i)) for i in range(20)]
    who = [sampler.propose(space, trials[:n], 1, 0)[0] for n in range(21)]
    assert [n for n, name in enumerate(who) if name == "tpe"] == [8, 12, 16, 20]


def test_the_checked_hedge_hands_over_to_tpe_where_the_model_ranks_the_best_badly():
    from benchmarks.coco.methods import CheckedHedgeSampler
    from sklearn_hp.search import Real, SearchSpace, Trial

    space = SearchSpace({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})

    def quality_after(points, scores):
        sampler = CheckedHedgeSampler()
        trials = [Trial({"x": x, "y": y}, score) for (x, y), score in zip(points, scores)]
        sampler.gp.propose(space, trials, 1, 0)
        return sampler.gp.quality

    bowl, noise = [], []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        points = rng.uniform(size=(40, 2))
        bowl.append(quality_after(points, -((points - [0.3, 0.6]) ** 2).sum(1)))
        noise.append(quality_after(points, rng.normal(size=40)))
    # a smooth bowl: the model ranks its best trials as they are
    assert min(bowl) > 0.95
    # scores with no structure: it cannot (one draw of 10 best trials scatters widely)
    assert np.median(noise) < 0.5 and max(noise) < min(bowl) - 0.3

    # the hand-over: TPE's proposal once warm and below the threshold, the GP's otherwise
    sampler = CheckedHedgeSampler(threshold=0.3)
    sampler.gp.propose = lambda *args, **kwargs: ["gp"]
    sampler.tpe.propose = lambda *args, **kwargs: ["tpe"]
    trials = [Trial({"x": 0.02 * i, "y": 0.5}, 0.0) for i in range(40)]
    sampler.gp.quality = 0.1
    assert sampler.propose(space, trials[:3], 1, 0) == ["gp"]  # warm-up: 5 trials
    assert sampler.propose(space, trials, 1, 0) == ["tpe"]
    sampler.gp.quality = 0.9
    assert sampler.propose(space, trials, 1, 0) == ["gp"]
