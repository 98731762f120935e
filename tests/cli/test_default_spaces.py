"""No default search space makes a model worse than leaving it untuned.

For every ``--model`` choice and every bundled dataset of its task, as shipped and
standardized (features, and the target of a regression), a small tune of the default
space (6 random candidates, 3-fold CV, seed 0, exactly as ``tune`` builds it) scores on
a held-out 30 % at least as well as the untuned model (``tune``'s pipeline with the
model's own defaults), within a tolerance of two bootstrap standard errors of the
paired held-out difference: the tuned model must not be detectably worse on those
rows. ``convnet`` reads images, so it runs on digits only.
"""

import argparse

import numpy as np
import pytest
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from sklearn_hp.cli._data import Table, load_table, make_preprocessor
from sklearn_hp.cli._models import MODELS, build_pipeline, make_model
from sklearn_hp.cli._tune import build_run

from .conftest import run_cli

DATASETS = {"classification": ["breast_cancer", "iris", "wine", "digits"],
            "regression": ["diabetes"]}
CASES = [(model, data) for model, tasks in MODELS.items() for task in tasks
         for data in DATASETS[task] if model != "convnet" or data == "digits"]


def _standardized(table):
    X = table.X - table.X.mean()
    X = X / X.std().replace(0.0, 1.0)  # digits' blank pixel columns stay 0
    y = table.y
    if table.task == "regression":
        y = (y - y.mean()) / y.std()
    return Table(X, y, table.name + " (standardized)", table.target, table.numeric, [],
                 table.task)


def _rowwise(model, X, y, task):
    """Per-row held-out results the score is a function of."""
    if task == "classification":
        return (model.predict(X) == y).astype(float)
    return model.predict(X)


def _score(rows, y, task):
    if task == "classification":
        return rows.mean()
    return 1.0 - np.sum((y - rows) ** 2) / np.sum((y - y.mean()) ** 2)


def held_out(model_name, table, n_iter=6, seed=0):
    """``(untuned score, tuned score, tolerance)`` on a held-out 30 % of ``table``."""
    stratify = table.y if table.task == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        table.X, table.y, test_size=0.3, random_state=seed, stratify=stratify)
    args = argparse.Namespace(model=model_name, search="random", space=None, n_iter=n_iter,
                              cv=3, assignments=[], scoring=None, n_jobs=1, storage=None,
                              time_budget=None, random_state=seed)
    with threadpool_limits(1, user_api="blas"):
        untuned, _ = build_pipeline(make_preprocessor(table),
                                    make_model(model_name, table.task, seed))
        untuned.fit(X_train, y_train)
        search, _ = build_run(args, table)
        search.fit(X_train, y_train)
    y_test = np.asarray(y_test)
    before = _rowwise(untuned, X_test, y_test, table.task)
    after = _rowwise(search.best_estimator_, X_test, y_test, table.task)
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(200):  # bootstrap the held-out rows; both models on the same rows
        rows = rng.integers(0, len(y_test), len(y_test))
        diffs.append(_score(after[rows], y_test[rows], table.task)
                     - _score(before[rows], y_test[rows], table.task))
    scorer = get_scorer("accuracy" if table.task == "classification" else "r2")
    untuned_score = scorer(untuned, X_test, y_test)
    tuned_score = scorer(search.best_estimator_, X_test, y_test)
    return untuned_score, tuned_score, 2 * float(np.std(diffs))


@pytest.mark.slow
@pytest.mark.parametrize("standardize", [False, True], ids=["as shipped", "standardized"])
@pytest.mark.parametrize("model_name, dataset", CASES)
def test_tuning_the_default_space_does_not_lose_to_the_untuned_model(model_name, dataset,
                                                                     standardize):
    table = load_table(dataset)
    if standardize:
        table = _standardized(table)
    untuned, tuned, tolerance = held_out(model_name, table)
    if tuned < untuned:  # a loss within the held-out noise, and that noise small
        assert untuned - tuned <= tolerance <= 0.06, (untuned, tuned, tolerance)


def _price_frame(n=400, seed=0):
    """Flat prices in currency units (~1e5): area, rooms, age, a district, missing values."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    area = rng.uniform(40, 250, n)
    rooms = rng.integers(1, 7, n)
    age = rng.uniform(0, 80, n)
    district = rng.choice(["centre", "suburb", "village"], n)
    price = (50_000 + 2_500 * area + 8_000 * rooms - 900 * age
             + np.select([district == "centre", district == "suburb"], [90_000, 30_000], 0)
             + rng.normal(0, 40_000, n))
    frame = pd.DataFrame({"area": area, "rooms": rooms, "age": age, "district": district,
                          "price": price})
    frame.loc[::11, "age"] = np.nan
    frame.loc[::17, "district"] = np.nan
    return frame


@pytest.mark.slow
def test_linear_model_on_an_unscaled_price_target_fits_like_least_squares(tmp_path):
    pytest.importorskip("pandas")
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline

    frame = _price_frame()
    train, test = frame.iloc[:300], frame.iloc[300:]
    train.to_csv(tmp_path / "train.csv", index=False)
    model_path = tmp_path / "linear.skhp"
    status, text = run_cli(["tune", "--data", tmp_path / "train.csv", "--target", "price",
                            "--model", "linear", "--n-iter", 6, "--cv", 3, "--search",
                            "random", "--out", model_path])
    assert status == 0
    from sklearn_hp.persistence import load

    X_test, y_test = test.drop(columns="price"), test["price"].to_numpy()
    tuned = load(model_path).score(X_test, y_test)
    table = load_table(str(tmp_path / "train.csv"), "price")
    least_squares = Pipeline([("preprocess", make_preprocessor(table)),
                              ("model", LinearRegression())]).fit(table.X, table.y)
    reference = least_squares.score(X_test, y_test)
    assert reference > 0.8
    assert tuned >= 0.9 * reference, (tuned, reference)
    # every candidate fits, none is stuck near R² 0 as with an unscaled target
    scores = [float(line.split()[1]) for line in text.splitlines()
              if line[:1].isdigit() and "±" in line]
    assert len(scores) == 5 and min(scores) > 0.5 * reference
