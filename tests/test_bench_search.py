"""benchmarks/bench_search.py: the Markdown table shows what a run measured."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# run in a subprocess: the script sets BLAS thread variables for its own process
FRESH_RUN = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from benchmarks import bench_search as b
table = b.bench_regret(2, [3, 6], ["branin"], ["random"])
report = {{"seeds": 2, "budgets": [3, 6], "regret": b.regret_cells(table)}}
b.write_markdown(report, sys.argv[1])
print("REPORT", json.dumps(report))
"""


def _cells(markdown):
    """Regret cells of the ``branin | random`` row."""
    (row,) = [line for line in markdown.splitlines() if line.startswith("| branin | random |")]
    return [cell.strip() for cell in row.strip("|").split("|")[3:]]


@pytest.mark.slow
def test_fresh_run_and_report_only_path_fill_every_regret_cell(tmp_path):
    md = tmp_path / "fresh.md"
    done = subprocess.run([sys.executable, "-c", FRESH_RUN, str(md)], capture_output=True,
                          text=True, timeout=300, check=True)
    report = json.loads(done.stdout.split("REPORT ", 1)[1])
    medians = [report["regret"]["branin | random"][b]["median"] for b in ("3", "6")]
    cells = _cells(md.read_text())
    assert [float(re.match(r"(\S+) \[", cell).group(1)) for cell in cells] == [
        float(f"{m:.2e}") for m in medians]
    assert medians[1] <= medians[0]  # more evaluations never raise the best regret

    # --report rewrites the .md beside a stored JSON without running anything
    stored = tmp_path / "stored.json"
    stored.write_text(json.dumps(report))
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_search.py"), "--report",
                    str(stored)], capture_output=True, text=True, timeout=300, check=True)
    assert (tmp_path / "stored.md").read_text() == md.read_text()
