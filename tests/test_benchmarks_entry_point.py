"""``python -m benchmarks``: lists every suite, runs one with its arguments, refuses others."""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks._suites import find_suites

ROOT = Path(__file__).resolve().parents[1]
BENCH_SCRIPTS = sorted(ROOT.glob("benchmarks/bench_*.py"))


def test_listing_shows_every_bench_script_with_its_files_and_run_time(capsys):
    assert len(BENCH_SCRIPTS) >= 14
    assert main([]) == 0
    listing = capsys.readouterr().out
    starts = {line.split()[0] for line in listing.splitlines() if line and line[0] != " "}
    suites = find_suites()
    for script in BENCH_SCRIPTS:
        name = script.stem.removeprefix("bench_")
        assert name in starts, f"{script.name} is not listed (does it declare OUTPUTS?)"
        suite = suites[name]
        assert suite.description and suite.description in listing
        assert f"run time: {suite.run_time}" in listing
        assert all(f"writes results/{file}" in listing for file in suite.outputs)
    assert {"bbo", "bbo.hit_rate", "bbo.overhead_vs", "bbo.trap"} <= starts


def test_listing_reads_the_first_docstring_line_and_outputs_of_each_script():
    mlp = find_suites()["mlp"]
    source = (ROOT / "benchmarks" / "bench_mlp.py").read_text()
    assert source.startswith(f'"""{mlp.description}\n')
    assert "mlp.md" in mlp.outputs and mlp.path.name == "bench_mlp.py"
    assert mlp.command(["--repeats", "1"])[1:] == [str(mlp.path), "--repeats", "1"]
    assert find_suites()["bbo.trap"].command()[1:] == ["-m", "benchmarks.bbo.trap"]


def test_unknown_suite_exits_with_an_error_naming_the_accepted_ones(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["no_such_suite"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'no_such_suite'" in error
    assert all(f"'{name}'" in error for name in find_suites())


def test_a_suite_runs_with_the_arguments_given_and_its_exit_status():
    command = [sys.executable, "-m", "benchmarks", "cli_startup"]
    helped = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: bench_cli_startup.py")
    assert "--baseline REV" in helped.stdout
    refused = subprocess.run([*command, "--repeats"], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 2
    assert "bench_cli_startup.py: error: argument --repeats: expected one argument" in (
        refused.stderr)
