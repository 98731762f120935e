"""``sklearn-hp tune`` and ``predict`` end to end, and their one-line errors."""

import argparse
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_info

from sklearn_hp import MLPClassifier
from sklearn_hp.cli import build_parser
from sklearn_hp.cli._data import load_table, make_preprocessor
from sklearn_hp.cli._tune import build_run, fit_search
from sklearn_hp.persistence import load

from .conftest import run_cli


def _tune_argv(train, search, out, n_iter=3):
    return ["tune", "--data", train, "--target", "species", "--search", search,
            "--n-iter", n_iter, "--cv", "2", "--set", "max_epochs=3", "--out", out,
            "--random-state", "0"]


@pytest.mark.parametrize("search", ["bayes", "hyperband"])
@pytest.mark.slow
def test_tune_in_a_subprocess_saves_a_model_that_predicts_like_the_search(
        table_csv, tmp_path, search):
    train, new = table_csv
    model_path = tmp_path / "model.skhp"
    done = subprocess.run([sys.executable, "-m", "sklearn_hp",
                           *map(str, _tune_argv(train, search, model_path))],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"written to {model_path}" in done.stdout
    # the same run in this process (one BLAS thread per fit, as the command) gives the
    # same best model
    args = argparse.Namespace(model="mlp", search=search, space=None, n_iter=3, cv=2,
                              assignments=["max_epochs=3"], scoring=None, n_jobs=1,
                              storage=None, time_budget=None, random_state=0)
    table = load_table(str(train), "species")
    search_here, _ = build_run(args, table)
    fit_search(search_here, table.X, table.y, out=lambda line: None, blas_threads=1)
    import pandas as pd

    rows = pd.read_csv(new)
    expected = search_here.best_estimator_.predict(rows)
    np.testing.assert_array_equal(load(model_path).predict(rows), expected)
    predicted = subprocess.run([sys.executable, "-m", "sklearn_hp", "predict", str(model_path),
                                "--data", str(new)], capture_output=True, text=True, timeout=120)
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.split() == [str(v) for v in expected]


def test_tune_reports_progress_results_learned_numbers_and_one_warning_line(
        table_csv, tmp_path, capsys):
    train, _ = table_csv
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--n-iter", 4,
                            "--cv", 2, "--set", "max_epochs=2", "--search", "random",
                            "--no-racing", "--plot", tmp_path / "history.png"])
    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().err == ""
    assert [line.split(":")[0] for line in text.splitlines() if " trial " in line] == [
        f"[BayesSearchCV] trial {i}/4" for i in range(1, 5)]
    assert "Top 4 of 4 candidates (mean ± std of 2-fold cross-validated score)" in text
    assert "model__weights_" in text and "max_epochs = 2  (you)" in text
    assert "verdict:" in text and "hyperparameter" in text
    warning_lines = [line for line in text.splitlines() if "Warning" in line]
    # one line per kind, with the search's count: 4 candidates x 2 folds (no racing)
    # and the refit all stop at 2 epochs
    assert warning_lines == [
        'warning: ConvergenceWarning in 9 of 9 fits: "MLPClassifier stopped after '
        'max_epochs=2 epochs without converging; raise max_epochs or learning_rate."']
    assert (tmp_path / "history.png").stat().st_size > 10_000


@pytest.mark.parametrize("racing", [True, False])
def test_tune_races_folds_by_default_and_says_what_it_saved(table_csv, capsys, racing):
    train, _ = table_csv
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--n-iter", 6,
                            "--cv", 3, "--set", "max_epochs=2", "--search", "random",
                            *([] if racing else ["--no-racing"])])
    assert status == 0, capsys.readouterr().err
    lines = [line for line in text.splitlines() if line.startswith("Racing stopped")]
    if racing:
        assert len(lines) == 1 and "of 6 candidates" in lines[0] and "of 18 fits" in lines[0]
    else:
        assert lines == []


def test_grid_search_stays_within_n_iter(table_csv):
    train, _ = table_csv
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--model",
                            "logistic", "--search", "grid", "--n-iter", 20, "--cv", 2,
                            "--set", "max_epochs=3"])
    assert status == 0
    # 2 penalties x 10 values of alpha (2 x 11 = 22 would exceed 20)
    assert "Top 5 of 20 candidates" in text


def test_space_file_is_read_from_toml_and_json(table_csv, tmp_path):
    train, _ = table_csv
    toml = tmp_path / "space.toml"
    toml.write_text('hidden_layer_sizes = [[4], [8, 4]]\n'
                    'learning_rate = {low = 1e-3, high = 1e-1, log = true}\n')
    json_file = tmp_path / "space.json"
    json_file.write_text('{"batch_size": {"low": 8, "high": 32}}')
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--space", toml,
                            "--n-iter", 2, "--cv", 2, "--set", "max_epochs=2"])
    assert status == 0 and "over: hidden_layer_sizes, learning_rate" in text
    assert "hidden_layer_sizes = (" in text  # lists became tuples
    status, text = run_cli(["tune", "--data", train, "--target", "species", "--space",
                            json_file, "--n-iter", 2, "--cv", 2, "--set", "max_epochs=2"])
    assert status == 0 and "batch_size = " in text


def _bad(tmp_path):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("learning_rate = {low = 1e-3, high = \n")
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"learning_rat": [0.1]}')
    no_bounds = tmp_path / "bounds.json"
    no_bounds.write_text('{"alpha": {"low": 0.1}}')
    return {
        "no such file": (["--data", tmp_path / "none.csv", "--target", "species"],
                         "no such file"),
        "unknown column": (["--target", "kind"], "'kind' is not a column"),
        "unknown model": (["--target", "species", "--model", "forest"], "is unknown"),
        "unimportable model": (["--target", "species", "--model", "sklearn.nope.Model"],
                               "cannot be imported"),
        "unknown scorer": (["--target", "species", "--scoring", "acuracy"],
                           "--scoring 'acuracy' is unknown"),
        "malformed TOML": (["--target", "species", "--space", bad_toml], "not valid TOML"),
        "unknown hyperparameter": (["--target", "species", "--space", unknown],
                                   "has no hyperparameter 'learning_rat'"),
        "half a range": (["--target", "species", "--space", no_bounds], "needs both low"),
        "unknown --set": (["--target", "species", "--set", "epochs=3"],
                          "--set epochs: MLPClassifier has no such"),
        "regression model on labels": (["--target", "species", "--model", "linear"],
                                       "--model linear does regression only"),
        "missing output folder": (["--target", "species", "--out", tmp_path / "no" / "m"],
                                  "does not exist"),
    }


@pytest.mark.parametrize("case", ["no such file", "unknown column", "unknown model",
                                  "unimportable model", "unknown scorer", "malformed TOML",
                                  "unknown hyperparameter", "half a range", "unknown --set",
                                  "regression model on labels", "missing output folder"])
def test_bad_input_is_one_line_and_status_2(table_csv, tmp_path, capsys, case):
    train, _ = table_csv
    extra, expected = _bad(tmp_path)[case]
    argv = ["tune", "--data", train, *extra] if "--data" not in extra else ["tune", *extra]
    status, text = run_cli(argv)
    err = capsys.readouterr().err
    assert status == 2 and text == ""
    assert err.count("\n") == 1 and err.startswith("sklearn-hp tune: error: "), err
    assert expected in err


def test_a_real_process_shows_no_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sklearn_hp", "tune", "--data",
                           str(tmp_path / "missing.csv"), "--target", "y"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "no such file" in done.stderr


def test_predict_names_missing_and_extra_columns(table_csv, tmp_path, capsys):
    import pandas as pd

    from sklearn_hp.cli._predict import check_columns

    train, new = table_csv
    table = load_table(str(train), "species")
    model = Pipeline([("preprocess", make_preprocessor(table)),
                      ("model", MLPClassifier(max_epochs=1, random_state=0))])
    model.fit(table.X, table.y)
    rows = pd.read_csv(new)
    assert list(check_columns(model, rows[rows.columns[::-1]], "new.csv").columns) == \
        ["length", "mass", "colour", "island"]
    with pytest.raises(ValueError, match=r"lacks columns the model was trained on: \['mass'\]"):
        check_columns(model, rows.drop(columns="mass"), "new.csv")
    with pytest.raises(ValueError, match=r"not trained on: \['species'\]"):
        check_columns(model, rows.assign(species="big"), "new.csv")
    assert run_cli(["predict", tmp_path / "none.skhp", "--data", new])[0] == 2
    assert "no such file" in capsys.readouterr().err


def test_storage_and_time_budget_pass_only_to_searches_that_take_them():
    from sklearn_hp.cli._searches import search_kwargs

    class Takes:
        def __init__(self, estimator, storage=None, time_budget=None):
            pass

    class Refuses:
        def __init__(self, estimator):
            pass

    args = argparse.Namespace(storage="study.db", time_budget=30.0)
    assert search_kwargs(Takes, args) == {"storage": "study.db", "time_budget": 30.0}
    assert search_kwargs(Refuses, argparse.Namespace(storage=None, time_budget=None)) == {}
    with pytest.raises(ValueError, match="--storage is not supported by Refuses; use "
                                         "--search random, bayes or hyperband, or run"):
        search_kwargs(Refuses, args)


def test_grid_from_space_discretises_log_and_integer_dimensions():
    from sklearn_hp.cli._searches import grid_from_space
    from sklearn_hp.search import Categorical, Integer, Real

    grid = grid_from_space({"a": Real(1e-4, 1e-2, log=True), "b": Integer(1, 9),
                            "c": Categorical(["x", "y"])}, n_iter=18)
    assert np.allclose(grid["a"], [1e-4, 1e-3, 1e-2])
    assert grid["b"] == [1, 5, 9] and grid["c"] == ["x", "y"]
    # fewer than 2 x 2 x 2 points allowed: each numeric range keeps its middle
    grid = grid_from_space({"a": Real(1e-4, 1e-2, log=True), "b": Integer(1, 9),
                            "c": Categorical(["x", "y"])}, n_iter=7)
    assert np.allclose(grid["a"], [1e-3]) and grid["b"] == [5] and grid["c"] == ["x", "y"]
    with pytest.raises(ValueError, match="the categorical choices alone make 2 candidates, "
                                         "more than --n-iter 1; raise --n-iter to at least 2"):
        grid_from_space({"c": Categorical(["x", "y"])}, n_iter=1)


class _ThreadProbe(BaseEstimator):
    """Records the BLAS threads its ``fit`` runs with (class-level, n_jobs=1 only)."""

    seen = []

    def __init__(self, a=1):
        self.a = a

    def fit(self, X, y=None):
        _ThreadProbe.seen.append(max(i["num_threads"] for i in threadpool_info()
                                     if i["user_api"] == "blas"))
        return self

    def score(self, X, y=None):
        return float(self.a)


@pytest.mark.parametrize("command", ["tune", "demo"])
def test_blas_threads_is_one_by_default_and_auto_leaves_them_to_the_library(command):
    parse = build_parser().parse_args
    data = ["--data", "iris"] if command == "tune" else []
    assert parse([command, *data]).blas_threads == 1
    assert parse([command, *data, "--blas-threads", "auto"]).blas_threads is None
    assert parse([command, *data, "--blas-threads", "3"]).blas_threads == 3

    X = np.zeros((6, 1))
    process = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    for threads, expected in ((1, 1), (None, process)):
        _ThreadProbe.seen.clear()
        fit_search(GridSearchCV(_ThreadProbe(), {"a": [1, 2]}, cv=2), X, None,
                   out=lambda line: None, blas_threads=threads)
        assert _ThreadProbe.seen == [expected] * 5  # 2 candidates x 2 splits + refit
