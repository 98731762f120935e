"""The README's Python examples each run alone and print what the README shows.

Conventions of README.md that these tests hold it to:

- Every ```python block runs by itself, as a reader copies it: its own imports and data.
  Each runs in a fresh interpreter (``python -c BLOCK``) in an empty working directory.
- The output of a block that prints is shown in the first ```text block after it (only
  prose may stand between them). Its lines are the lines the block prints on stdout, in
  order and all of them, except that a line ``...`` stands for any number of lines left
  out (at the start, in the middle or at the end).
- A shown line agrees with a printed one when their text between the numbers is the same
  (a run of spaces counts as one space) and every number reads exactly as printed:
  integers, floats at the precision printed, percentages. Seeds are fixed, so a run
  prints the same numbers every time. The one exception is a number written ``~12.3``:
  it marks a value that varies from run to run or machine to machine (a time, a
  thread-dependent rounding), and any number is accepted in its place; each such marker
  must say so in the prose around it.
- stderr holds at most one line per warning category and line of the block that issued
  it: a search reports a repeated warning of its fits once, with a count, so a block
  running two searches may show one line for each, but never a flood.

Beyond the shown numbers, ``CHECKS`` adds assertions per block (recovered coefficients,
scores, files written), run in the same interpreter right after the block.
"""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
NUMBER = re.compile(r"(~?[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?)")
WARNING_LINE = re.compile(r"^(\S.*?:\d+): (\w+Warning): ", re.M)

CHECKS = {
    # the distinctive text of a block: assertions run after it, in its interpreter
    "load_wine(": """
import os
from sklearn_hp.inspection import count_parameters
assert wine.best_score_ > 0.95, wine.best_score_
assert table.n_learned == count_parameters(wine.best_estimator_[-1]) + 3 * 13 + 1
assert importance.rows[0]["name"] == "mlpclassifier__learning_rate", importance.rows
assert os.path.getsize("learning_rate_vs_score.png") > 10_000
""",
    "GridSearchCV(": """
assert search.best_score_ > 0.95, search.best_score_
assert set(learned_parameters(best)) == {"coef_", "intercept_", "threshold_"}
""",
    "HyperbandSearchCV(": """
assert mlp.score(X_te, y_te) > 0.95
assert bayes.best_score_ > 0.9, bayes.best_score_
assert hyper.resource_spent_ < hyper.resource_requested_
""",
    "diagnose(": """
import os
assert (model.predict(X) == pipe.predict(X)).all()
assert os.path.getsize("settings.json") > 100
""",
    'storage="study.db"': """
assert study.n_trials_ == len(study.cv_results_["params"]) == 10
assert study._resumed_numbers == tuple(range(6))   # the second fit ran 4 new trials only
assert study.best_score_ > 0.9, study.best_score_
""",
    "parallel_backend(": """
assert on_dask.best_score_ > 0.9, on_dask.best_score_
""",
    "LinearRegressor(": """
assert abs(plane.coef_ - [3, -2]).max() < 0.02, plane.coef_
assert abs(plane.intercept_ - 5) < 0.02, plane.intercept_
assert abs(plane.learning_rate_ - 0.1 * y_plane.std()) < 1e-12
""",
    "set_blas_thread_policy(": """
assert sklearn_hp.get_blas_thread_policy() == "auto"
""",
}


def python_blocks(text):
    """``[(line, code, excerpt or None)]``: each python block and the output it shows.

    ``line`` is the README line the block starts on; ``excerpt`` is the text of the first
    ```text block after it when no other fenced block stands between them.
    """
    fences = [(text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2))
              for m in FENCE.finditer(text)]
    blocks = []
    for i, (line, lang, body) in enumerate(fences):
        if lang != "python":
            continue
        following = fences[i + 1] if i + 1 < len(fences) else None
        excerpt = following[2] if following and following[1] == "text" else None
        blocks.append((line, body, excerpt))
    return blocks


def _split(line):
    """A line's text between its numbers (spaces collapsed) and its numbers."""
    parts = NUMBER.split(line.rstrip())
    return [re.sub(r"\s+", " ", p) for p in parts[::2]], parts[1::2]


def line_agrees(shown, printed):
    """Whether a shown line agrees with a printed one (module docstring)."""
    shown_text, shown_numbers = _split(shown)
    printed_text, printed_numbers = _split(printed)
    if shown_text != printed_text or len(shown_numbers) != len(printed_numbers):
        return False
    return all(s.startswith("~") or s == p for s, p in zip(shown_numbers, printed_numbers))


def _segment_at(segment, printed, start):
    return start + len(segment) <= len(printed) and all(
        line_agrees(s, p) for s, p in zip(segment, printed[start:]))


def _first_difference(segment, printed, start):
    """The first (shown, printed) pair of lines that disagree, placing ``segment`` at start."""
    for offset, shown in enumerate(segment):
        got = printed[start + offset] if start + offset < len(printed) else "<end of output>"
        if not line_agrees(shown, got):
            shown_numbers, got_numbers = _split(shown)[1], _split(got)[1]
            return (f"the README shows\n    {shown!r}\nwhere the block printed\n    {got!r}"
                    f"\n  (numbers shown {shown_numbers}, printed {got_numbers})")
    return None


def compare_excerpt(excerpt, printed):
    """``None`` when the excerpt agrees with the printed text, else what differs first."""
    shown = excerpt.rstrip("\n").split("\n")
    printed = printed.rstrip("\n").split("\n")
    segments, current = [], []
    for line in shown:
        if line.strip() == "...":
            segments.append(current)
            current = []
        else:
            current.append(line)
    segments.append(current)
    # segments[0] starts the output unless the excerpt opens with "...", the last one ends
    # it unless it closes with "..."; the ones between sit in order, each on consecutive lines
    position = 0
    for k, segment in enumerate(segments):
        if not segment:
            continue
        last = k == len(segments) - 1
        if k == 0:
            candidates = [0]
        elif last:
            candidates = [len(printed) - len(segment)]
        else:
            candidates = range(position, len(printed) - len(segment) + 1)
        found = next((start for start in candidates
                      if start >= position and _segment_at(segment, printed, start)), None)
        if found is None:
            # name the closest place: where the same text (numbers aside) stands
            same_text = [start for start in candidates if start >= position and all(
                _split(s)[0] == _split(p)[0] for s, p in zip(segment, printed[start:]))]
            start = same_text[0] if same_text else (
                candidates[0] if k == 0 or last else position)
            return _first_difference(segment, printed, start) or (
                f"the README's lines {segment[:2]!r}... are not printed after line {position}")
        position = found + len(segment)
    if segments[-1] and position < len(printed):
        return (f"the block printed more than the README shows (end the excerpt with "
                f"'...' to leave lines out): {printed[position]!r}")
    return None


def warning_counts(stderr):
    """How many warning lines ``stderr`` holds per (place that issued it, category)."""
    return Counter(WARNING_LINE.findall(stderr))


BLOCKS = python_blocks(README.read_text())
#: keys of CHECKS whose block takes over 5 s: marked slow
SLOW_BLOCKS = ("load_wine(", "GridSearchCV(", "HyperbandSearchCV(")


def _block_param(block):
    slow = any(key in block[1] for key in SLOW_BLOCKS)
    return pytest.param(*block, id=f"line{block[0]}", marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("line, code, excerpt", [_block_param(block) for block in BLOCKS])
def test_readme_python_block_runs_alone_and_prints_what_the_readme_shows(
        line, code, excerpt, tmp_path):
    checks = [extra for key, extra in CHECKS.items() if key in code]
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-c", code + "".join(checks)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, f"README block at line {line} failed:\n{done.stderr}"
    if done.stdout.strip():
        assert excerpt is not None, (
            f"README block at line {line} prints, but no ```text block after it shows "
            f"what:\n{done.stdout}")
    if excerpt is not None:
        problem = compare_excerpt(excerpt, done.stdout)
        assert problem is None, (
            f"README block at line {line}: {problem}\nIt printed:\n{done.stdout}")
    repeated = {key: n for key, n in warning_counts(done.stderr).items() if n > 1}
    assert not repeated, (
        f"README block at line {line} printed these warnings more than once: {repeated}; "
        f"stderr starts:\n{done.stderr[:2000]}")


def test_every_check_belongs_to_exactly_one_block():
    for key in CHECKS:
        assert sum(key in code for _, code, _ in BLOCKS) == 1, key
    assert len(BLOCKS) >= 8


def test_excerpt_comparison_reads_numbers_exactly_and_honours_gaps():
    printed = ("best of 20 candidates (score 0.9776)\nname  value\nalpha 0.004755\n"
               "3,115 learned numbers\nfit took 2.31 s\n")
    assert compare_excerpt(printed, printed) is None
    assert compare_excerpt("best of 20 candidates (score 0.9776)\n...\n", printed) is None
    assert compare_excerpt("...\nalpha   0.004755\n...", printed) is None   # spaces collapse
    assert compare_excerpt("...\nfit took ~9.9 s", printed) is None         # marked: varies
    shifted = compare_excerpt("best of 20 candidates (score 0.9720)\n...", printed)
    assert "0.9720" in shifted and "0.9776" in shifted
    assert compare_excerpt("...\nfit took 9.9 s", printed) is not None
    assert compare_excerpt("...\nalpha 0.0048\n...", printed) is not None   # precision counts
    assert compare_excerpt("...\n3115 learned numbers\n...", printed) is not None
    assert compare_excerpt("best of 20 candidates (score 0.9776)", printed) is not None
    assert compare_excerpt("name  value\n...", printed) is not None      # not the first line
    assert compare_excerpt("...\nalpha 0.004755\nname  value\n...", printed) is not None


def test_warning_counts_read_one_category_per_line():
    stderr = ("<string>:17: ConvergenceWarning: stopped after 20 epochs\n"
              "/x/y.py:3: UserWarning: a\n  source line\n"
              "<string>:17: ConvergenceWarning: stopped after 9 epochs\n"
              "<string>:19: ConvergenceWarning: 25 of 25 fits of BayesSearchCV: stopped\n")
    assert warning_counts(stderr) == {("<string>:17", "ConvergenceWarning"): 2,
                                      ("/x/y.py:3", "UserWarning"): 1,
                                      ("<string>:19", "ConvergenceWarning"): 1}


def test_readme_quick_start_has_exactly_two_setup_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in re.findall(r"```bash\n(.*?)```", quick, re.S)[0].splitlines()
                if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[0].endswith("sklearn-hp demo")
    assert commands[1].endswith(".venv/bin/python -m pytest -n 2")
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci
