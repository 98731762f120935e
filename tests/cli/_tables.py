"""Tables the command-line tests write: missing values, text categories, groups, and a
regression target in its own (unscaled) units."""

import numpy as np


def people_frame(n=160, n_people=16, seed=0):
    """Rows of ``n_people`` people in time order, with a class and a price target.

    Columns: ``day`` (the row's order), ``length``, ``mass`` (some missing),
    ``colour`` (text, some missing), ``person`` (the group), ``species``
    (``big``/``small``) and ``price`` (around 50,000, spread in thousands).
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "day": np.arange(n),
        "length": rng.normal(10, 3, n),
        "mass": rng.normal(50, 10, n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "person": rng.choice([f"p{i:02d}" for i in range(n_people)], n),
    })
    red = (frame["colour"] == "red").to_numpy()
    frame["species"] = np.where(frame["length"] + 2 * red > 11, "big", "small")
    frame["price"] = (50_000 + 2_000 * frame["length"] + 5_000 * red
                      + rng.normal(0, 1_000, n)).round(2)
    frame.loc[::9, "mass"] = np.nan
    frame.loc[::13, "colour"] = np.nan
    return frame


def write_tables(folder, n=160, seed=0):
    """``(classification.csv, regression.csv)`` in ``folder``: one target each."""
    frame = people_frame(n, seed=seed)
    classes, prices = folder / "classes.csv", folder / "prices.csv"
    frame.drop(columns="price").to_csv(classes, index=False)
    frame.drop(columns="species").to_csv(prices, index=False)
    return classes, prices


def write_module(folder, name, source):
    """Write ``source`` as module ``name`` in ``folder`` (put on ``sys.path`` by the caller)."""
    (folder / f"{name}.py").write_text(source)
