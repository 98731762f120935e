"""The command line: the demo prints hyperparameters beside learned parameters."""

import subprocess
import sys

import pytest

from sklearn_hp.cli import main


def _run(argv):
    lines = []
    status = main(argv, out=lines.append)
    return status, "\n".join(lines)


def test_demo_reports_both_kinds_of_numbers_and_a_good_accuracy():
    status, text = _run(["demo", "--max-epochs", "50"])
    assert status == 0
    assert "Hyperparameters (what you set" in text and "learning_rate        0.01" in text
    assert "Learned parameters (what training found, 32 numbers)" in text
    accuracy = float(text.rsplit("test accuracy ", 1)[1].rstrip("."))
    assert accuracy >= 0.93


def test_demo_on_a_multiclass_dataset():
    status, text = _run(["demo", "--dataset", "iris"])
    assert status == 0 and text.count("coef_ (class") == 3


def test_bad_option_gives_a_clear_error_and_status_2(capsys):
    status, _ = _run(["demo", "--optimizer", "adamm"])
    assert status == 2
    assert "Got 'adamm'" in capsys.readouterr().err


def test_python_dash_m_entry_point():
    done = subprocess.run([sys.executable, "-m", "sklearn_hp", "demo", "--max-epochs", "5"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "intercept_" in done.stdout


def test_no_command_prints_help_and_fails():
    with pytest.raises(SystemExit):
        main(["--help"])
    assert main([]) == 2


def test_diagnose_command_names_the_knob():
    status, text = _run(["diagnose", "--set", "alpha=5.0", "--cv", "3"])
    assert status == 0
    assert "verdict: underfitting" in text
    assert "decrease logisticclassifier__alpha" in text


def test_diagnose_rejects_a_malformed_assignment(capsys):
    assert _run(["diagnose", "--set", "alpha"])[0] == 2
    assert "--set takes NAME=VALUE, got 'alpha'" in capsys.readouterr().err


def test_inspect_command_reads_a_saved_model(tmp_path):
    from sklearn.datasets import load_iris

    from sklearn_hp import LogisticClassifier
    from sklearn_hp.persistence import save

    path = tmp_path / "model.skhp"
    save(LogisticClassifier(alpha=0.25, max_epochs=5).fit(*load_iris(return_X_y=True)), path)
    status, text = _run(["inspect", str(path)])
    assert status == 0
    assert "alpha                            0.25" in text
    assert "Learned parameters (15 numbers)" in text
    assert "coef_                            shape (3, 4), dtype float64" in text


def test_inspect_reads_a_hyperparameters_file(tmp_path):
    from sklearn_hp import LogisticClassifier
    from sklearn_hp.persistence import save

    save(LogisticClassifier(alpha=0.25), tmp_path / "hp.json", what="hyperparameters")
    status, text = _run(["inspect", str(tmp_path / "hp.json")])
    assert status == 0
    assert "alpha                            0.25" in text
    assert "Not fitted: no learned parameters." in text


def test_inspect_missing_file_is_a_clear_error(tmp_path, capsys):
    assert _run(["inspect", str(tmp_path / "none.skhp")])[0] == 2
    assert "No such file" in capsys.readouterr().err
