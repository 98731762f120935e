"""A small table with numeric and categorical columns, missing values and text labels."""

import numpy as np
import pytest

from sklearn_hp.cli import main

def make_frame(n=90, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "length": rng.normal(10, 3, n),
        "mass": rng.normal(50, 10, n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "island": rng.choice(["north", "south"], n),
    })
    signal = (frame["length"] - 10) / 3 + 1.5 * (frame["colour"] == "red") - 0.5
    frame["species"] = np.where(signal > 0, "big", "small")
    frame.loc[::9, "length"] = np.nan
    frame.loc[::13, "colour"] = np.nan
    return frame


@pytest.fixture
def table_csv(tmp_path):
    """``(train.csv, new.csv)``: a training table and 15 new rows without the target."""
    pytest.importorskip("pandas")
    frame = make_frame()
    train, new = tmp_path / "train.csv", tmp_path / "new.csv"
    frame.to_csv(train, index=False)
    make_frame(15, seed=1).drop(columns="species").to_csv(new, index=False)
    return train, new


def run_cli(argv):
    """``(status, stdout text)`` of an in-process run."""
    lines = []
    status = main([str(a) for a in argv], out=lines.append)
    return status, "\n".join(lines)
