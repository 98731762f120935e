"""The command line: demo, diagnose, inspect, and one-line errors everywhere."""

import re
import subprocess
import sys

import numpy as np
import pytest

from sklearn_hp.cli import main, one_line

from .conftest import run_cli


def test_demo_is_a_guided_tuning_run_ending_with_set_vs_learned():
    status, text = run_cli(["demo", "--n-iter", "4", "--max-epochs", "10", "--cv", "2"])
    assert status == 0
    assert [line.split(":")[0] for line in text.splitlines() if " trial " in line] == [
        f"[BayesSearchCV] trial {i}/4" for i in range(1, 5)]
    assert "4. What was set, and what was learned, in the best model:" in text
    assert "max_epochs = 10  (you)" in text and "(the search)" in text
    # the learned count is that of the chosen architecture (+ 4 x 64 scaler/imputer numbers)
    sizes = eval(re.search(r"hidden_layer_sizes = (\(.*?\))", text).group(1))
    widths = [64, *sizes, 10]
    network = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    assert f"found by training, {network + 4 * 64 + 1:,} numbers)" in text
    accuracy = float(re.search(r"held-out images: (\d\.\d+)", text).group(1))
    assert accuracy >= 0.9


def test_demo_help_lists_only_options_demo_accepts(capsys):
    assert main(["demo", "--help"]) == 0
    options = set(re.findall(r"(--[a-z-]+)", capsys.readouterr().out))
    assert options == {"--help", "--n-iter", "--cv", "--max-epochs", "--n-jobs", "--plot",
                       "--random-state", "--blas-threads"}
    for option in ("--n-iter", "--cv", "--max-epochs", "--n-jobs", "--blas-threads"):
        assert main(["demo", option, "0"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{option} must be at least" in err
    assert main(["demo", "--dataset", "iris"]) == 2
    assert "unrecognized arguments: --dataset iris" in capsys.readouterr().err


def test_python_dash_m_entry_point_and_usage_errors_are_one_line():
    done = subprocess.run([sys.executable, "-m", "sklearn_hp", "demo", "--n-iter", "x"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "invalid int value: 'x'" in done.stderr


def test_no_command_prints_help_and_fails():
    assert main(["--help"]) == 0
    assert main([]) == 2


def test_diagnose_command_names_the_knob():
    status, text = run_cli(["diagnose", "--set", "alpha=5.0", "--cv", "3"])
    assert status == 0
    assert "verdict: underfitting" in text
    assert "decrease logisticclassifier__alpha" in text


@pytest.mark.parametrize("assignment, expected", [
    ("alpha", "--set takes NAME=VALUE, got 'alpha'"),
    ("alpha=abc", "The 'alpha' parameter of LogisticClassifier must be"),
])
def test_diagnose_bad_settings_are_one_line(capsys, assignment, expected):
    assert run_cli(["diagnose", "--set", assignment, "--cv", "2"])[0] == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_inspect_command_reads_a_saved_model(tmp_path):
    from sklearn.datasets import load_iris

    from sklearn_hp import LogisticClassifier
    from sklearn_hp.persistence import save

    path = tmp_path / "model.skhp"
    save(LogisticClassifier(alpha=0.25, max_epochs=5).fit(*load_iris(return_X_y=True)), path)
    status, text = run_cli(["inspect", str(path)])
    assert status == 0
    assert "alpha                            0.25" in text
    assert "Learned parameters (15 numbers)" in text
    assert "coef_                            shape (3, 4), dtype float64" in text


def test_inspect_reads_a_hyperparameters_file(tmp_path):
    from sklearn_hp import LogisticClassifier
    from sklearn_hp.persistence import save

    save(LogisticClassifier(alpha=0.25), tmp_path / "hp.json", what="hyperparameters")
    status, text = run_cli(["inspect", str(tmp_path / "hp.json")])
    assert status == 0
    assert "alpha                            0.25" in text
    assert "Not fitted: no learned parameters." in text


def test_inspect_missing_file_is_a_clear_error(tmp_path, capsys):
    assert run_cli(["inspect", str(tmp_path / "none.skhp")])[0] == 2
    assert "No such file" in capsys.readouterr().err


def _hostile_files(tmp_path):
    from sklearn.datasets import load_iris

    from sklearn_hp import LogisticClassifier
    from sklearn_hp.persistence import save

    good = tmp_path / "good.skhp"
    save(LogisticClassifier(max_epochs=2).fit(*load_iris(return_X_y=True)), good)
    data = good.read_bytes()
    (tmp_path / "truncated.skhp").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.skhp").write_bytes(b"")
    with open(tmp_path / "nested.skhp", "wb") as handle:  # meta nested 100,000 deep
        np.savez(handle, __meta__=np.array("[" * 100_000 + "]" * 100_000))
    return ["truncated.skhp", "empty.skhp", "nested.skhp", "missing.skhp"]


def test_inspect_turns_hostile_files_into_one_line(tmp_path, capsys):
    for name in _hostile_files(tmp_path):
        status, text = run_cli(["inspect", str(tmp_path / name)])
        err = capsys.readouterr().err
        assert status == 2 and text == "", name
        assert err.count("\n") == 1 and err.startswith("sklearn-hp inspect: error: "), err


def test_one_line_keeps_the_cause_of_an_embedded_traceback():
    error = ValueError("All the 2 fits failed.\nBelow are more details:\n"
                       "Traceback (most recent call last):\n  File 'x', line 1\n"
                       "ValueError: alpha must be a float, got 'abc'.\n")
    assert one_line(error) == "ValueError: alpha must be a float, got 'abc'."
    assert one_line(KeyError()) == "KeyError"


@pytest.mark.slow
def test_demo_with_its_defaults_reaches_the_readme_accuracy():
    # README: "the held-out quarter: 0.978 (the tests hold it at 0.97 or more)"
    status, text = run_cli(["demo"])
    assert status == 0
    accuracy = float(re.search(r"held-out images: (\d\.\d+)", text).group(1))
    assert accuracy >= 0.97
