"""The lint CI runs (ruff, settings in pyproject.toml) passes over the whole tree."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_passes_on_package_tests_and_benchmarks():
    pytest.importorskip("ruff")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "sklearn_hp", "tests", "benchmarks"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ruff check sklearn_hp tests benchmarks" in (ROOT / ".ci" / "run").read_text()
