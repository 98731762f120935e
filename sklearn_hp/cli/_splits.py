"""``tune --cv N|timeseries[:N]`` and ``--groups COLUMN``: how the rows are split.

* ``--cv N`` (default 5): scikit-learn's default for the model, stratified
  K-fold for a classifier, K-fold for a regressor.
* ``--groups COLUMN``: :class:`~sklearn.model_selection.GroupKFold` with ``N``
  folds; rows of one group (a person, a shop) are never split between training
  and validation. The column is taken out of the features.
* ``--cv timeseries`` or ``timeseries:N``: :class:`~sklearn.model_selection.TimeSeriesSplit`
  (``N`` = 5 by default) over the rows in file order: each split trains on the
  rows before its validation block, never on later ones.
"""

import argparse

__all__ = ["CVAction", "describe_cv", "make_cv", "splits_for"]

_ACCEPTED = "accepted: a number of folds (at least 2), 'timeseries' or 'timeseries:N'"


class CVAction(argparse.Action):
    """Store ``--cv`` as ``args.cv`` (the number of splits) and ``args.cv_kind``."""

    def __call__(self, parser, namespace, values, option_string=None):
        kind, _, count = values.partition(":")
        if kind != "timeseries":
            kind, count = "kfold", values
        elif not count:
            count = "5"
        try:
            n_splits = int(count)
        except ValueError:
            parser.error(f"argument --cv: got {values!r}; {_ACCEPTED}")
        setattr(namespace, self.dest, n_splits)
        namespace.cv_kind = kind


def make_cv(args, groups=None):
    """The ``cv`` for the search: an int (scikit-learn's default splitter) or a splitter.

    Parameters
    ----------
    args : argparse.Namespace
        ``cv`` (number of splits), ``cv_kind`` (``"kfold"`` or ``"timeseries"``)
        and ``groups`` (the column name or None).
    groups : array-like or None
        The group of every row, for ``--groups``.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold, TimeSeriesSplit

    kind = getattr(args, "cv_kind", "kfold")
    if groups is not None:
        if kind == "timeseries":
            raise ValueError(f"--groups {args.groups!r} and --cv timeseries cannot be "
                             "combined; accepted: one of them (GroupKFold or TimeSeriesSplit).")
        n_groups = len(np.unique(groups))
        if n_groups < args.cv:
            raise ValueError(f"--groups {args.groups!r} has {n_groups} distinct groups, fewer "
                             f"than the {args.cv} folds of --cv {args.cv}; lower --cv to at "
                             f"most {n_groups} (at least 2).")
        return GroupKFold(n_splits=args.cv)
    if kind == "timeseries":
        return TimeSeriesSplit(n_splits=args.cv)
    return args.cv


def describe_cv(cv, args):
    """Words for the run's first line: ``5-fold CV``, ``5-fold GroupKFold by 'person'``..."""
    if isinstance(cv, int):
        return f"{cv}-fold CV"
    if type(cv).__name__ == "GroupKFold":
        return f"{cv.n_splits}-fold GroupKFold by {args.groups!r}"
    return f"TimeSeriesSplit with {cv.n_splits} splits, rows in file order"


def splits_for(cv, X, y, groups):
    """What a second cross-validation of the best model takes as ``cv``.

    The same splits as the search: the number for scikit-learn's default, else
    the splitter's ``(train, test)`` index pairs (computed with ``groups``).
    """
    if isinstance(cv, int):
        return cv
    return list(cv.split(X, y, groups))
