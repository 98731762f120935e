"""The suite lists, at the end of a run, the tests over the threshold not marked slow."""

from pathlib import Path

CONFTEST = Path(__file__).with_name("conftest.py")

TESTS = """
import time

import pytest


@pytest.fixture
def slow_setup():
    time.sleep(0.2)


def test_setup_and_call_add_up(slow_setup):
    time.sleep(0.2)


@pytest.mark.slow
def test_marked():
    time.sleep(0.4)


@pytest.mark.parametrize("seconds", [0.0, pytest.param(0.4, marks=pytest.mark.slow)])
def test_parametrized(seconds):
    time.sleep(seconds)


def test_fast():
    pass
"""


def _run(pytester, *args):
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini("[pytest]\nslow_threshold = 0.3\nmarkers =\n    slow: longer tests\n")
    pytester.makepyfile(test_timed=TESTS)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_an_unmarked_test_over_the_threshold_is_listed_and_the_run_passes(pytester):
    result = _run(pytester)
    result.assert_outcomes(passed=5)
    summary = result.stdout.str().split("tests over 0.3 s not marked slow")
    assert len(summary) == 2, result.stdout.str()
    listed = [line.split()[-1] for line in summary[1].splitlines()[1:] if "::" in line]
    assert listed == ["test_timed.py::test_setup_and_call_add_up"]
    seconds = float(summary[1].splitlines()[1].split()[0].rstrip("s"))
    assert 0.4 <= seconds < 5


def test_no_section_when_the_slow_tests_are_deselected(pytester):
    result = _run(pytester, "-m", "not slow", "-k", "not add_up")
    result.assert_outcomes(passed=2)
    assert "not marked slow" not in result.stdout.str()
