"""benchmarks/results/ holds only what a suite writes, and its caches still make its tables."""

import re
import subprocess
from pathlib import Path

import pytest

from benchmarks._suites import RESULTS, find_suites
from benchmarks.bbo.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]


def _committed_results():
    """Paths under benchmarks/results/ that git tracks (every file there outside git)."""
    listed = subprocess.run(["git", "ls-files", "benchmarks/results"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode == 0:
        return [Path(line).relative_to("benchmarks/results").as_posix()
                for line in listed.stdout.splitlines()]
    return [p.relative_to(RESULTS).as_posix() for p in RESULTS.rglob("*") if p.is_file()]


def test_every_results_file_is_one_a_suite_declares_it_writes():
    declared = {name: suite.name for suite in find_suites().values() for name in suite.outputs}
    committed = _committed_results()
    assert "bbo.md" in committed and "bbo/cache.jsonl" in committed
    assert [name for name in committed if name not in declared] == []


def test_result_store_appends_keeps_the_last_result_of_a_key_and_compacts(tmp_path):
    store = ResultStore(tmp_path / "runs.jsonl")
    assert store.load("branin2", "random", 0) is None
    store.save("branin2", "random", 1, {"losses": [3.0]})
    store.save("branin2", "random", 0, {"losses": [2.0, 1.0], "code": None})
    store.save("branin2", "random", 1, {"losses": [0.5]})
    assert len(store.path.read_text().splitlines()) == 3
    assert ResultStore(store.path).load("branin2", "random", 1) == {"losses": [0.5]}
    store.compact()
    lines = store.path.read_text().splitlines()
    assert [re.search(r'"seed":(\d)', line).group(1) for line in lines] == ["0", "1"]
    assert ResultStore(store.path).load("branin2", "random", 0) == {"losses": [2.0, 1.0],
                                                                    "code": None}


@pytest.mark.slow
def test_bbo_tables_come_back_byte_for_byte_from_the_committed_caches():
    from benchmarks.bbo import __main__ as suite
    from benchmarks.bbo import hit_rate
    from benchmarks.bbo.methods import METHODS
    from benchmarks.bbo.problems import PROBLEMS

    table = (RESULTS / "bbo.md").read_text()
    code = re.search(r"Our code: `(\w+)`", table).group(1)
    assert suite.report(list(PROBLEMS), list(METHODS), list(range(10)), code) == table
    hits = (RESULTS / "bbo_hit_rate.md").read_text()
    methods = hit_rate.OUTPUTS["bbo_hit_rate.md"].split()[1:]
    ordered = [m for m in METHODS if m in methods]
    assert hit_rate.report(hit_rate.REAL_TASKS, ordered, range(100), code) == hits


def test_the_readme_quotes_the_parameter_names_benchmark():
    # "cloning an MLPClassifier takes 0.17 of the time, and a budget search of
    # millisecond fits 0.92" (default threads), from bench_param_names.md
    ratios = dict(re.findall(r"^\| (clone|hyperband) \| default \|[^|]*\|[^|]*\| \*\*([\d.]+)\*\*",
                             (RESULTS / "bench_param_names.md").read_text(), re.M))
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert set(ratios) == {"clone", "hyperband"}
    assert (f"cloning an `MLPClassifier` takes {ratios['clone']} of the time, and a budget "
            f"search of millisecond fits {ratios['hyperband']}, `bench_param_names.md`") in readme
    assert float(ratios["clone"]) < 0.5 and float(ratios["hyperband"]) < 1.0
