"""The committed racing reports come back from their JSON, and the README quotes them."""

import json
import re
from pathlib import Path

import pytest

from benchmarks import bench_racing, bench_rung_replay
from benchmarks._suites import RESULTS

ROOT = Path(__file__).resolve().parents[1]
#: Reports kept as their run wrote them: the provisional run (under load, 3 seeds)
#: compared at the same wall time by a rule since replaced, which its JSON cannot
#: feed the present report.
KEPT_AS_WRITTEN = {"bench_racing_provisional"}
RACING_JSON = [p for p in sorted(RESULTS.glob("bench_racing*.json"))
               if p.stem not in KEPT_AS_WRITTEN]


@pytest.mark.parametrize("path", RACING_JSON, ids=lambda p: p.stem)
def test_each_racing_report_is_what_its_json_makes(path):
    report = json.loads(path.read_text())
    assert path.with_suffix(".md").read_text() == bench_racing.report_text(report) + "\n"


def test_the_held_out_report_merges_the_runs_it_names():
    names = bench_racing.OUTPUTS["bench_racing.json"].split()[1:]
    merged = bench_racing.merge_reports([json.loads((RESULTS / n).read_text()) for n in names])
    assert merged == json.loads((RESULTS / "bench_racing.json").read_text())


@pytest.mark.slow
def test_the_rung_replay_report_is_what_its_recorded_runs_make(monkeypatch):
    written = {}
    monkeypatch.setattr(bench_rung_replay, "write_result",
                        lambda name, text: written.setdefault(name, text))
    bench_rung_replay.write_report(json.loads((RESULTS / "bench_rung_replay.json").read_text()))
    assert (RESULTS / "bench_rung_replay.md").read_text() == written["bench_rung_replay.md"] + "\n"


def _racing_section():
    text = (ROOT / "README.md").read_text()
    start = text.index("### Fold racing")
    return " ".join(text[start:text.index("\n## ", start)].split())


def _ratio_pairs(method, column):
    """``"default / one thread"`` medians of a column of the held-out table, per task."""
    records = json.loads((RESULTS / "bench_racing.json").read_text())["records"]
    cells = {}
    for row in bench_racing.ratio_rows(records, "held-out"):
        if row[2] == method:
            cells.setdefault(row[0], []).append(re.search(r"\*\*(.+?)\*\*", row[column])[1])
    return {task: " / ".join(values) for task, values in cells.items()}


@pytest.mark.parametrize("method", ["ours random raced", "ours GP raced",
                                    "ours Hyperband raced"])
def test_the_readme_quotes_the_held_out_ratios(method):
    section = _racing_section()
    columns = {3: "raced / unraced", 4: "ours / RandomizedSearchCV"}
    if method == "ours random raced":  # the README leaves it out against the peers
        del columns[4]
    for column, name in columns.items():
        for task, pair in _ratio_pairs(method, column).items():
            assert pair in section, f"{method}, {task}, {name}: {pair} not in the README"


#: The order the README's racing paragraph lists the held-out tasks in.
README_TASK_ORDER = ["gradient_boosting", "random_forest", "mlp_digits", "pca_svc"]


def test_the_readme_quotes_the_perfect_race_shares_of_the_held_out_tasks():
    report = json.loads((RESULTS / "bench_racing.json").read_text())
    rows = bench_racing.floor_rows(report["records"], report["targets"])
    section = _racing_section()
    for method, label in [("ours GP", "GP run's fits"), ("ours random", 'sampler="random"')]:
        by_task = {row[0]: row[3].split()[0] for row in rows if row[2] == method}
        medians = [by_task[task] for task in README_TASK_ORDER]
        quoted = ", ".join(medians[:-1]) + " and " + medians[-1]
        assert quoted in section and label in section, (method, quoted)
