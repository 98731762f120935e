"""benchmarks/bench_race_screening.py: its paired counts, and the window it forces."""

import pytest

from benchmarks import bench_race_screening as b
from sklearn_hp.search import _async


def test_a_row_pairs_each_seed_with_window_one_and_counts_the_misses_apart():
    baseline = {"0": 100, "1": 50, "2": None, "3": 80}
    runs = {"0": 60, "1": 70, "2": 40, "3": None}
    row = b.paired_row("svc_digits", "gp", 4, runs, baseline)
    assert row[:5] == ["svc_digits", "gp", "4", "4", "1"]
    # medians over the seeds it reached (60, 70, 40); paired over seeds 0 and 1 only
    assert row[5].startswith("60")
    assert row[6] == f"{(0.6 + 1.4) / 2:.2f}"
    assert row[7] == "1 / 1"
    assert float(row[8]) == pytest.approx(1.0)


def test_the_window_is_forced_inside_and_restored_after():
    from sklearn_hp.search._racing import FoldRace

    original = _async.TrialSchedule
    with b.screening_window(7):
        schedule = _async.TrialSchedule(5, lambda n: {}, 3, 0, race=FoldRace(5), window=2)
        assert schedule._window == 7
    assert _async.TrialSchedule is original
