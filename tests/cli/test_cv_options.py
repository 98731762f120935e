"""``tune --groups COLUMN`` (GroupKFold, the column not a feature) and ``--cv timeseries``
(TimeSeriesSplit over the rows in file order)."""

import argparse
import re

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, TimeSeriesSplit

from sklearn_hp.cli import build_parser
from sklearn_hp.cli._data import load_table
from sklearn_hp.cli._tune import build_run
from sklearn_hp.persistence import load

from ._tables import write_tables
from .conftest import run_cli

FAST = ["--model", "logistic", "--set", "max_epochs=5", "--n-iter", "3", "--search", "random"]


@pytest.fixture
def tables(tmp_path):
    pytest.importorskip("pandas")
    return write_tables(tmp_path)


def _best_and_diagnosed(text):
    """The best cross-validated score of the table and the diagnosis's validation score."""
    best = float(re.search(r"^1 +(-?[0-9.]+) ±", text, re.M).group(1))
    again = float(re.search(r"validation score (-?[0-9.]+)", text).group(1))
    return best, again


def test_groups_keep_each_group_in_one_fold_and_leave_the_features(tables, tmp_path):
    classes, _ = tables
    model = tmp_path / "m.skhp"
    status, text = run_cli(["tune", "--data", classes, "--target", "species", "--groups",
                            "person", "--cv", "4", *FAST, "--out", model])
    assert status == 0, text
    assert "column 'person' holds the 16 groups (not a feature)" in text
    assert "(random, 4-fold GroupKFold by 'person')" in text
    # the diagnosis cross-validates on the very same group folds as the search
    best, again = _best_and_diagnosed(text)
    assert again == pytest.approx(best, abs=1e-4)
    features = list(load(model).feature_names_in_)
    assert features == ["day", "length", "mass", "colour"]


def test_groups_fold_splits_are_the_group_k_fold_of_the_column(tables):
    classes, _ = tables
    args = build_parser().parse_args(["tune", "--data", str(classes), "--target", "species",
                                      "--groups", "person", "--cv", "4", *FAST])
    table = load_table(str(classes), "species")
    table.take_groups("person")
    search, _ = build_run(args, table)
    assert isinstance(search.cv, GroupKFold) and search.cv.n_splits == 4
    for train, test in search.cv.split(table.X, table.y, table.groups):
        assert not set(table.groups[train]) & set(table.groups[test])


@pytest.mark.parametrize("extra, expected", [
    (["--groups", "persons"], "--groups 'persons' is not a column of classes.csv; columns: "
                              "['day', 'length', 'mass', 'colour', 'person']."),
    (["--groups", "person", "--cv", "20"], "--groups 'person' has 16 distinct groups, fewer "
                                           "than the 20 folds of --cv 20; lower --cv to at "
                                           "most 16"),
    (["--groups", "person", "--cv", "timeseries"], "--groups 'person' and --cv timeseries "
                                                   "cannot be combined"),
    (["--groups", "mass"], "--groups 'mass': 18 of 160 rows have no group"),
])
def test_bad_groups_are_one_line(tables, capsys, extra, expected):
    classes, _ = tables
    status, text = run_cli(["tune", "--data", classes, "--target", "species", *FAST, *extra])
    err = capsys.readouterr().err
    assert (status, text) == (2, "") and err.count("\n") == 1
    assert expected in err, err


def test_timeseries_cv_splits_rows_in_file_order_on_an_unscaled_target(tables):
    _, prices = tables
    status, text = run_cli(["tune", "--data", prices, "--target", "price", "--model", "linear",
                            "--n-iter", "3", "--search", "random", "--cv", "timeseries:3"])
    assert status == 0, text
    assert "(random, TimeSeriesSplit with 3 splits, rows in file order)" in text
    assert "of 3-fold cross-validated score" in text
    best, again = _best_and_diagnosed(text)
    assert again == pytest.approx(best, abs=1e-4)
    assert best > 0.5  # the standardized target is learned in its own units

    table = load_table(str(prices), "price")
    args = build_parser().parse_args(["tune", "--data", str(prices), "--target", "price",
                                      "--model", "linear", "--cv", "timeseries:3"])
    search, _ = build_run(args, table)
    assert isinstance(search.cv, TimeSeriesSplit) and search.cv.n_splits == 3
    for train, test in search.cv.split(table.X):
        assert train.max() < test.min()  # validated on later rows only
    assert list(table.X["day"]) == list(range(160))  # file order kept


@pytest.mark.parametrize("value, n_splits, kind", [("7", 7, "kfold"), ("timeseries", 5,
                                                   "timeseries"), ("timeseries:4", 4,
                                                   "timeseries")])
def test_cv_option_values(value, n_splits, kind):
    args = build_parser().parse_args(["tune", "--data", "iris", "--cv", value])
    assert (args.cv, args.cv_kind) == (n_splits, kind)
    assert build_parser().parse_args(["tune", "--data", "iris"]).cv_kind == "kfold"


@pytest.mark.parametrize("value", ["five", "timeseries:x", "time"])
def test_bad_cv_value_is_one_line_naming_what_is_accepted(capsys, value):
    assert run_cli(["tune", "--data", "iris", "--cv", value])[0] == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert (f"argument --cv: got {value!r}; accepted: a number of folds (at least 2), "
            "'timeseries' or 'timeseries:N'") in err


def test_make_cv_keeps_the_default_splitter_for_a_number_of_folds():
    from sklearn_hp.cli._splits import make_cv

    assert make_cv(argparse.Namespace(cv=3, cv_kind="kfold", groups=None)) == 3
    assert make_cv(argparse.Namespace(cv=3)) == 3  # namespaces built by hand (demo)
    grouped = make_cv(argparse.Namespace(cv=2, cv_kind="kfold", groups="g"),
                      np.array(["a", "a", "b", "b"]))
    assert isinstance(grouped, GroupKFold) and grouped.n_splits == 2
