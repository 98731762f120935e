"""benchmarks/bench_race_to_target.py: the replay's counts, and its report from its records."""

import json

import numpy as np
import pytest

from benchmarks import bench_race_to_target as b
from benchmarks._suites import RESULTS

ROOT = RESULTS.parents[1]


def test_a_replayed_run_counts_its_fits_and_its_wrong_stops():
    rng = np.random.default_rng(0)
    fold_effect = rng.normal(0, 0.02, 5)
    noise = lambda: rng.normal(0, 0.002, 5)  # noqa: E731
    folds = np.array([0.80 + fold_effect + noise(),  # the first: complete
                      0.70 + fold_effect + noise(),  # far below: stopped after one fold
                      0.81 + fold_effect + noise(),  # better: complete
                      0.60 + fold_effect + noise()])  # far below: stopped
    kept, stops, beat, reaching = b.replay_run(folds, target=0.9, level=0.05, floor=0.25)
    assert (kept, stops, beat, reaching) == (5 + 1 + 5 + 1, 2, 0, 0)
    # a huge floor stops nothing once two trials are complete (before, the bar's
    # own spread is used): only the second candidate stops
    assert b.replay_run(folds, 0.9, level=0.05, floor=100.0)[:2] == (5 + 1 + 5 + 5, 1)


def test_a_stop_that_would_have_won_is_counted_as_wrong():
    # identical fold effects: the pooled spread is the floor, and a candidate whose
    # first fold dips far enough is stopped though its full mean beats the best
    first = np.array([0.80, 0.80, 0.80, 0.80, 0.80])
    dips = np.array([0.70, 0.90, 0.90, 0.90, 0.90])  # mean 0.88
    kept, stops, beat, reaching = b.replay_run(np.array([first, first + 0.001, dips]),
                                               target=0.85, level=0.2, floor=0.25)
    assert stops == 1 and beat == 1 and reaching == 1 and kept == 11


@pytest.mark.slow
def test_the_report_is_what_its_recorded_runs_make(monkeypatch):
    written = {}
    monkeypatch.setattr(b, "write_result", lambda name, text: written.setdefault(name, text))
    b.write_report(json.loads((RESULTS / "bench_race_to_target.json").read_text()))
    assert (RESULTS / "bench_race_to_target.md").read_text() == \
        written["bench_race_to_target.md"] + "\n"


def _rows():
    lines = (RESULTS / "bench_race_to_target.md").read_text().splitlines()
    return [[cell.strip() for cell in line.strip("|").split("|")]
            for line in lines if line.startswith("| ") and not line.startswith("| task")]


def test_the_readme_quotes_the_replay():
    text = " ".join((ROOT / "README.md").read_text().split())
    rows = _rows()
    tasks = list(dict.fromkeys(row[0] for row in rows))
    assert tasks == ["svc_digits", "logistic_pipeline", "hist_boosting"]

    def listed(rule, column, part=lambda cell: cell.split()[0]):
        cells = [part(row[column]) for row in rows if row[1] == rule]
        return ", ".join(cells[:-1]) + " and " + cells[-1]

    now, before = "5 %, floor 0.5 (now)", "5 %, floor 0.25 (before)"
    loose = "20 %, floor 0.25"
    share = lambda cell: cell.split("(")[1].rstrip(")").replace("%", " %")  # noqa: E731
    for quoted in [listed(now, 2), listed(now, 3), listed(now, 5, share),
                   listed(before, 5, share), listed(loose, 2), listed(loose, 5, share)]:
        assert quoted in text, quoted
