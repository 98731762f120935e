"""``tune`` checks what its last steps need before the search, so no search is lost:
writable ``--out``/``--plot``, skops and matplotlib, a model that saves and loads
(``--trust``), ``--set`` values against the space; and a search of NaN scores says so."""

import os
import re
import sys

import numpy as np
import pytest

from sklearn_hp.cli import _tune

from ._tables import write_module, write_tables
from .conftest import run_cli

FAST = ["--model", "logistic", "--set", "max_epochs=3", "--n-iter", "2", "--cv", "2",
        "--search", "random"]


@pytest.fixture
def tables(tmp_path):
    pytest.importorskip("pandas")
    return write_tables(tmp_path)


@pytest.fixture
def no_search(monkeypatch):
    """A list that records every search ``tune`` starts (none should start)."""
    started = []
    monkeypatch.setattr(_tune, "fit_search", lambda *a, **k: started.append(a))
    return started


def _unwritable(tmp_path):
    if os.geteuid() == 0:  # root writes anywhere but in /sys
        return "/sys/model.skhp"
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return str(folder / "model.skhp")


def _cases(tmp_path, classes):
    (tmp_path / "a_file").write_text("")
    return {
        "out is a folder": (["--out", tmp_path],
                            f"--out '{tmp_path}' is a folder; give a file path, e.g. "
                            f"'{tmp_path / 'model.skhp'}'"),
        "out folder missing": (["--out", tmp_path / "no" / "m.skhp"],
                               f"the folder '{tmp_path / 'no'}' does not exist"),
        "out under a file": (["--out", tmp_path / "a_file" / "m.skhp"],
                             f"'{tmp_path / 'a_file'}' is a file, not a folder"),
        "out unwritable": (["--out", _unwritable(tmp_path)], "cannot be written ("),
        "out is the data": (["--out", classes], "is the --data file; writing it would "
                                                "destroy it"),
        "plot is a folder": (["--plot", tmp_path], f"--plot '{tmp_path}' is a folder"),
        "plot format": (["--plot", tmp_path / "history.txt"],
                        "matplotlib cannot write .txt files; accepted extensions: "),
        "out and plot alike": (["--out", tmp_path / "x.png", "--plot", tmp_path / "x.png"],
                               "--out and --plot name the same file"),
    }


@pytest.mark.parametrize("case", ["out is a folder", "out folder missing", "out under a file",
                                  "out unwritable", "out is the data", "plot is a folder",
                                  "plot format", "out and plot alike"])
def test_a_bad_output_path_fails_in_one_line_before_any_fit(tables, tmp_path, capsys,
                                                            no_search, case):
    classes, _ = tables
    extra, expected = _cases(tmp_path, classes)[case]
    status, text = run_cli(["tune", "--data", classes, "--target", "species", *FAST, *extra])
    err = capsys.readouterr().err
    assert (status, text, no_search) == (2, "", [])
    assert err.count("\n") == 1 and err.startswith("sklearn-hp tune: error: "), err
    assert expected in err


@pytest.mark.parametrize("package, option, extra", [("skops", "--out", "persist"),
                                                    ("matplotlib", "--plot", "plot")])
def test_a_missing_optional_package_fails_before_any_fit(tables, tmp_path, capsys, monkeypatch,
                                                         no_search, package, option, extra):
    classes, _ = tables
    monkeypatch.setitem(sys.modules, package, None)  # import raises ImportError
    path = tmp_path / ("m.skhp" if option == "--out" else "h.png")
    status, text = run_cli(["tune", "--data", classes, "--target", "species", *FAST,
                            option, path])
    err = capsys.readouterr().err
    assert (status, text, no_search) == (2, "", [])
    assert f"needs {package}, which is not installed: pip install 'sklearn_hp[{extra}]'" in err
    assert not path.exists()


def test_set_of_a_searched_hyperparameter_fixes_it_and_says_so(tables):
    classes, _ = tables
    status, text = run_cli(["tune", "--data", classes, "--target", "species", *FAST,
                            "--set", "alpha=0.01"])
    assert status == 0
    assert ("--set alpha=0.01 fixes alpha: it is not searched (the space had "
            "Real(1e-06, 0.1, log=True)).") in text
    assert "over: penalty\n" in text
    rows = text.split("Top 2 of 2 candidates", 1)[1].split("\n\n", 1)[0]
    assert "alpha=" not in rows and rows.count("penalty=") == 2
    assert "alpha = 0.01  (you)" in text


@pytest.mark.parametrize("assignment, expected", [
    ("alpha=abc", "--set alpha='abc': alpha is a number (the space searches Real(1e-06, 0.1, "
                  "log=True)); accepted: a number, e.g. --set alpha=1e-06."),
    ("penalty=l3", "--set penalty='l3': The 'penalty' parameter of LogisticClassifier must be "
                   "a str among"),
    ("max_epochs=many", "--set max_epochs='many': The 'max_epochs' parameter of "
                        "LogisticClassifier must be an int in the range [1, inf). Got 'many'"),
])
def test_set_value_the_model_refuses_is_an_error_naming_it(tables, capsys, no_search,
                                                           assignment, expected):
    classes, _ = tables
    status, text = run_cli(["tune", "--data", classes, "--target", "species", "--model",
                            "logistic", "--set", assignment])
    err = capsys.readouterr().err
    assert (status, text, no_search) == (2, "", [])
    assert err.count("\n") == 1 and expected in err, err


def test_set_of_every_searched_hyperparameter_leaves_nothing_to_search(tables, capsys):
    classes, _ = tables
    status, _ = run_cli(["tune", "--data", classes, "--target", "species", "--model",
                         "logistic", "--set", "alpha=0.1", "--set", "penalty=l2"])
    assert status == 2
    assert ("--set fixes every hyperparameter the space searches (alpha, penalty); nothing "
            "is left to search.") in capsys.readouterr().err


_OWN_MODELS = '''
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LogisticRegression


class OwnClassifier(LogisticRegression):
    """A class outside the registry of sklearn_hp.persistence."""


class NaNRegressor(RegressorMixin, BaseEstimator):
    """Fits, and predicts NaN: every score is NaN though no fit fails."""

    def __init__(self, a=1.0):
        self.a = a

    def fit(self, X, y):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.full(len(X), np.nan)
'''


@pytest.fixture
def own_models(tmp_path, monkeypatch):
    write_module(tmp_path, "own_models", _OWN_MODELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "own_models"
    sys.modules.pop("own_models", None)


def test_a_model_load_would_refuse_fails_before_the_search_and_trust_accepts_it(
        tables, tmp_path, capsys, monkeypatch, own_models):
    import pandas as pd

    from sklearn_hp.persistence import load

    classes, _ = tables
    (tmp_path / "c.json").write_text('{"C": {"low": 0.01, "high": 10.0, "log": true}}')
    model = tmp_path / "own.skhp"
    argv = ["tune", "--data", classes, "--target", "species", "--model",
            "own_models.OwnClassifier", "--space", tmp_path / "c.json", "--n-iter", "2",
            "--cv", "2", "--search", "random", "--out", model]
    started = []
    real_fit_search = _tune.fit_search
    monkeypatch.setattr(_tune, "fit_search",
                        lambda *a, **k: started.append(1) or real_fit_search(*a, **k))
    status, text = run_cli(argv)
    err = capsys.readouterr().err
    assert (status, text, started, model.exists()) == (2, "", [], False)
    assert ("the tuned model could not be saved, so the search was not started: it holds "
            "own_models.OwnClassifier, which sklearn_hp.persistence does not load by default. "
            "If you trust it, add --trust own_models.OwnClassifier") in err

    status, text = run_cli([*argv, "--trust", "own_models.OwnClassifier"])
    assert status == 0 and started == [1]
    assert (f"apply it with: sklearn-hp predict {model} --data new.csv --trust "
            "own_models.OwnClassifier") in text
    rows = tmp_path / "rows.csv"
    pd.read_csv(classes).drop(columns="species").head(7).to_csv(rows, index=False)
    status, _ = run_cli(["predict", model, "--data", rows])
    assert status == 2 and "add --trust own_models.OwnClassifier" in capsys.readouterr().err
    status, text = run_cli(["predict", model, "--data", rows, "--trust",
                            "own_models.OwnClassifier"])
    from own_models import OwnClassifier

    expected = load(model, trusted=[OwnClassifier]).predict(pd.read_csv(rows))
    assert status == 0 and text.split() == [str(v) for v in expected]
    status, text = run_cli(["inspect", model, "--trust", "own_models.OwnClassifier"])
    assert status == 0 and "OwnClassifier" in text


@pytest.mark.parametrize("value, expected", [
    ("own_models.Nothing", "--trust 'own_models.Nothing' cannot be imported"),
    ("Nothing", "--trust 'Nothing' is not an import path"),
    ("own_models.np.pi", "--trust 'own_models.np.pi' cannot be imported"),
])
def test_trust_names_the_value_it_cannot_use(tables, tmp_path, capsys, own_models, value,
                                             expected):
    classes, _ = tables
    status, _ = run_cli(["tune", "--data", classes, "--target", "species", *FAST, "--out",
                         tmp_path / "m.skhp", "--trust", value])
    err = capsys.readouterr().err
    assert status == 2 and expected in err and "accepted: the import path of a class" in err


def test_search_of_nan_scores_says_the_scores_were_nan(tables, tmp_path, capsys, own_models):
    _, prices = tables
    (tmp_path / "a.json").write_text('{"a": {"low": 0.1, "high": 1.0}}')
    status, text = run_cli(["tune", "--data", prices, "--target", "price", "--model",
                            "own_models.NaNRegressor", "--space", tmp_path / "a.json",
                            "--n-iter", "2", "--cv", "2", "--search", "random"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert ("Every score of all 2 evaluated candidates was NaN or infinite, though no fit "
            "raised an error") in err
    assert "First error: None" not in err


def test_hist_gradient_boosting_by_import_path_saves_and_predicts(tables, tmp_path):
    import pandas as pd

    from sklearn_hp.persistence import TrustedClasses, load

    classes, _ = tables
    tree = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
    trust = [] if tree in TrustedClasses() else ["--trust", tree]  # trusted by default, or named
    (tmp_path / "hgb.json").write_text('{"learning_rate": {"low": 0.02, "high": 0.3, '
                                       '"log": true}, "max_leaf_nodes": [7, 15]}')
    model = tmp_path / "hgb.skhp"
    status, text = run_cli(["tune", "--data", classes, "--target", "species", "--model",
                            "sklearn.ensemble.HistGradientBoostingClassifier", "--space",
                            tmp_path / "hgb.json", "--set", "max_iter=15", "--n-iter", "2",
                            "--cv", "2", "--search", "random", "--out", model, *trust])
    assert status == 0, text
    assert f"(preprocessing + HistGradientBoostingClassifier) written to {model}" in text
    rows = tmp_path / "rows.csv"
    pd.read_csv(classes).drop(columns="species").tail(9).to_csv(rows, index=False)
    status, text = run_cli(["predict", model, "--data", rows, "--proba", *trust])
    assert status == 0
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    loaded = load(model, trusted=[TreePredictor])
    printed = pd.read_csv(__import__("io").StringIO(text))
    np.testing.assert_allclose(printed[["proba_big", "proba_small"]],
                               loaded.predict_proba(pd.read_csv(rows)), atol=1e-5)
    assert list(printed["prediction"]) == list(loaded.predict(pd.read_csv(rows)))


def test_a_save_failing_after_the_search_names_the_best_hyperparameters(
        tables, tmp_path, capsys, monkeypatch):
    import sklearn_hp.persistence as persistence

    classes, _ = tables
    out, plot = tmp_path / "m.skhp", tmp_path / "h.png"
    real_save = persistence.save

    def save(estimator, path, *args, **kwargs):  # the check passes; the real save fails
        if os.fspath(path) == os.fspath(out):
            raise OSError("disk full")
        return real_save(estimator, path, *args, **kwargs)

    monkeypatch.setattr(persistence, "save", save)
    status, text = run_cli(["tune", "--data", classes, "--target", "species", *FAST,
                            "--out", out, "--plot", plot])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert re.search(rf"--out '{re.escape(str(out))}': the model could not be saved \(disk "
                     r"full\); its hyperparameters were alpha=[0-9.e-]+, "
                     r"penalty='(l1|l2)'\.$", err)
    # nothing else is lost: the plot is written and the report printed
    assert plot.stat().st_size > 10_000 and f"Plot written to {plot}" in text
    assert "Diagnosis of the best model" in text


def test_readme_tune_install_line_installs_what_its_commands_need():
    import shlex
    import tomllib
    from pathlib import Path

    from sklearn_hp.cli._preconditions import _PACKAGES

    root = Path(__file__).resolve().parents[2]
    section = (root / "README.md").read_text().split("## Tune a model on your own table",
                                                     1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[0].replace("\\\n", " ")
    install = next(line for line in block.splitlines() if "pip install" in line)
    extras = set(re.search(r"\.\[([\w,]+)\]", install).group(1).split(","))
    needed = set()
    for line in block.splitlines():
        words = shlex.split(line.split("#")[0])
        if words and words[0].endswith("sklearn-hp"):
            needed |= {"data"} if any(w.endswith(".csv") for w in words) else set()
            if words[1] == "predict" or (words[1] == "tune" and "--out" in words):
                needed.add("persist")  # tune --out writes a model, predict reads one
            needed |= {"plot"} if "--plot" in words else set()
    assert needed == {"data", "persist", "plot"} and needed <= extras
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    for package, (_, extra) in _PACKAGES.items():  # the extras the errors recommend
        assert any(dep.startswith(package) for dep in declared[extra])
    assert any(dep.startswith("pandas") for dep in declared["data"])
