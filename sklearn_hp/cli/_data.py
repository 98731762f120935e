"""Read a table for ``tune``: a bundled dataset or a CSV file, and its preprocessing."""

import os
from dataclasses import dataclass

import numpy as np

from ._options import DATASETS

__all__ = ["Table", "load_table", "make_preprocessor", "read_csv", "infer_task"]

#: A numeric target with at most this many distinct integer values is taken as classes.
MAX_INTEGER_CLASSES = 20


@dataclass
class Table:
    """Features, target and what was inferred about them."""

    X: object
    y: np.ndarray
    name: str
    target: str
    numeric: list
    categorical: list
    task: str
    n_dropped: int = 0
    groups: object = None
    group_column: object = None

    def describe(self):
        """One line: rows, columns by kind, task and classes."""
        text = (f"{self.name}: {len(self.y)} rows, {len(self.numeric)} numeric and "
                f"{len(self.categorical)} categorical feature columns; target "
                f"{self.target!r} -> {self.task}")
        if self.task == "classification":
            classes = np.unique(self.y)
            shown = ", ".join(map(str, classes[:6])) + (", ..." if len(classes) > 6 else "")
            text += f" of {len(classes)} classes ({shown})"
        if self.n_dropped:
            text += f"; {self.n_dropped} rows without a target dropped"
        if self.group_column is not None:
            text += (f"; column {self.group_column!r} holds the {len(np.unique(self.groups))} "
                     "groups (not a feature)")
        return text

    def take_groups(self, column):
        """Move ``column`` out of the features into :attr:`groups`.

        Raises
        ------
        ValueError
            If the column is not in the table (the message lists those that are)
            or has missing values.
        """
        columns = [str(c) for c in getattr(self.X, "columns", [])]
        if column not in columns:
            raise ValueError(f"--groups {column!r} is not a column of {self.name}; columns: "
                             f"{columns}.")
        values = self.X[column]
        missing = int(values.isna().sum())
        if missing:
            raise ValueError(f"--groups {column!r}: {missing} of {len(values)} rows have no "
                             "group; fill them in (each row needs one) or drop those rows.")
        self.groups = values.astype(str).to_numpy() if values.dtype.kind == "O" \
            else values.to_numpy()
        self.group_column = column
        self.X = self.X.drop(columns=[column])
        self.numeric = [c for c in self.numeric if c != column]
        self.categorical = [c for c in self.categorical if c != column]
        if not self.numeric and not self.categorical:
            raise ValueError(f"{self.name} has no feature columns besides the target "
                             f"{self.target!r} and the groups {column!r}.")


def _pandas(purpose):
    try:
        import pandas as pd
    except ImportError:
        raise ValueError(f"{purpose} needs pandas: pip install 'sklearn_hp[data]'.") from None
    return pd


def read_csv(path, option="--data"):
    """Read a CSV file with pandas (column types inferred); clear errors for bad files."""
    pd = _pandas("reading a CSV file")
    if not os.path.isfile(path):
        raise ValueError(f"{option} {path!r}: no such file; give a CSV file or one of "
                         f"{', '.join(sorted(DATASETS))}.")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{option} {path!r} is not a readable CSV file: {first}") from None
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ValueError(f"{option} {path!r} has no rows or no columns.")
    return frame


def infer_task(y):
    """``"classification"`` for text, boolean or few distinct integer labels, else regression."""
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        return "classification"
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        return "regression"
    return "classification" if len(np.unique(y)) <= MAX_INTEGER_CLASSES else "regression"


def _bundled(name):
    bunch = DATASETS[name]()
    names = [str(n) for n in getattr(bunch, "feature_names", range(bunch.data.shape[1]))]
    y = bunch.target
    if name != "diabetes" and getattr(bunch, "target_names", None) is not None:
        y = np.asarray(bunch.target_names)[y]  # labels by name, as a CSV would give them
    try:
        pd = _pandas("")
        X, columns = pd.DataFrame(bunch.data, columns=names), names
    except ValueError:  # no pandas: plain arrays, columns by position
        X, columns = bunch.data, list(range(bunch.data.shape[1]))
    task = "regression" if name == "diabetes" else "classification"
    return Table(X, np.asarray(y), name, "target", columns, [], task)


def load_table(data, target=None, task=None):
    """Return a :class:`Table` for ``--data`` and ``--target``.

    Parameters
    ----------
    data : str
        A bundled dataset name or a CSV path.
    target : str or None
        Target column of a CSV (bundled datasets have their own).
    task : {"classification", "regression"} or None
        Overrides the inferred task.
    """
    if data in DATASETS:
        if target not in (None, "target"):
            raise ValueError(f"--target {target!r}: the bundled dataset {data!r} has its own "
                             "target; leave --target out.")
        table = _bundled(data)
    else:
        if not data.lower().endswith(".csv") and not os.path.isfile(data):
            raise ValueError(f"--data {data!r}: not a bundled dataset nor a CSV file; accepted: "
                             f"{', '.join(sorted(DATASETS))} or PATH.csv.")
        frame = read_csv(data)
        if target is None:
            raise ValueError(f"--target is required with a CSV file; columns of {data!r}: "
                             f"{list(frame.columns)}.")
        if target not in frame.columns:
            raise ValueError(f"--target {target!r} is not a column of {data!r}; columns: "
                             f"{list(frame.columns)}.")
        known = frame[target].notna().to_numpy()
        frame_X = frame.loc[known].drop(columns=[target]).reset_index(drop=True)
        if frame_X.shape[1] == 0:
            raise ValueError(f"{data!r} has no feature columns besides the target {target!r}.")
        numeric = [c for c in frame_X.columns
                   if frame_X[c].dtype.kind in "iuf"]
        categorical = [c for c in frame_X.columns if c not in numeric]
        y = frame.loc[known, target].to_numpy()
        if y.dtype.kind == "O":
            y = y.astype(str)
        table = Table(frame_X, y, os.path.basename(data), target, numeric, categorical,
                      infer_task(y), int((~known).sum()))
    if task is not None:
        table.task = task
    if len(table.y) < 4:
        raise ValueError(f"{table.name} has {len(table.y)} rows with a target; "
                         "tuning needs at least 4.")
    return table


def make_preprocessor(table):
    """Impute and scale numeric columns; impute and one-hot encode categorical ones."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts = []
    if table.numeric:
        parts.append(("numeric", make_pipeline(SimpleImputer(strategy="median"),
                                               StandardScaler()), table.numeric))
    if table.categorical:
        parts.append(("categorical", make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore", sparse_output=False)), table.categorical))
    return ColumnTransformer(parts)
