"""Twin trials: two candidates that trained the same model, told by their fold scores.

A budget search's sampler proposes points of a continuous space, but an
estimator often quantises what it is given: a forest's ``max_features=0.73`` and
``0.76`` both draw 7 of 10 features, so the two candidates fit the same trees. Such
*twins* score the same on every fold, bit for bit, and continuing both to the next
rung trains the same model twice. Promotions therefore skip a candidate whose fold
scores at a budget equal, fold for fold, those of a better-ranked candidate of its
rung or of a trial already continued from that budget, and promote the next
distinct candidate in its place (a rung with fewer distinct models than places
promotes fewer). The sampler, too, sees each model once (:func:`one_per_model`):
six trials of one model would otherwise weigh six times in its picture of where
the good scores are, and draw it back to that plateau.

Scores that are equal on every fold (a perfect score, or a model predicting the
majority class under stratified folds) do not tell models apart, so such
candidates are never taken for twins. Nor are candidates scored on fewer than
3 folds or on a fold of fewer than 100 test rows: an accuracy on 45 rows moves in
steps of 1/45, and different models tie on two such folds often (a 2-fold search
of logistic regressions on a 90-row table found such "twins").
Two different models that still score the same on every fold are taken for twins:
nothing on these folds tells them apart, and only the better-ranked (or first)
of them goes on.
"""

import functools

import numpy as np

from ._racing import complete_fold_scores

__all__ = ["distinct_order", "fold_signature", "one_per_model"]

#: Least folds, and least test rows in every fold, for fold scores to tell models apart.
MIN_FOLDS, MIN_TEST_ROWS = 3, 100


def fold_signature(record, metric):
    """The fold scores of ``record`` as bytes, or ``None`` where they tell no model apart.

    ``None`` for a record whose folds did not all run, a failed one, one with fewer
    than ``MIN_FOLDS`` folds or a fold of fewer than ``MIN_TEST_ROWS`` test rows, and
    one whose folds all scored the same.
    """
    scores = complete_fold_scores(record, metric)
    if scores is None or len(scores) < MIN_FOLDS or not np.all(np.isfinite(scores)):
        return None
    if any(split.get("n_test_samples", 0) < MIN_TEST_ROWS for split in record.splits):
        return None
    if np.all(scores == scores[0]):
        return None
    return scores.tobytes()


def distinct_order(records, metric, taken=(), signature=None):
    """Positions in ``records``, best mean score first (failed last), without twins.

    Parameters
    ----------
    records : list of TrialRecord
        One rung's trials.
    metric : str or None
        The scorer compared (a multimetric search's refit metric).
    taken : collection of bytes
        Signatures (:func:`fold_signature`) of trials already continued from the
        same budget; a record with one of them is left out.
    signature : callable or None
        ``signature(record)``, for a caller that keeps them; by default
        :func:`fold_signature` of ``metric``.

    Returns
    -------
    list of int
        A record is left out when its signature equals one in ``taken`` or that of
        a better-ranked record.
    """
    scores = np.array([r.score for r in records], dtype=float)
    order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
    signature = signature or functools.partial(fold_signature, metric=metric)
    return list(_skip_twins(records, order, signature, taken))


def one_per_model(records, metric):
    """``records`` without the twins of an earlier record (same fold signature), in order."""
    signature = functools.partial(fold_signature, metric=metric)
    return [records[i] for i in _skip_twins(records, range(len(records)), signature)]


def _skip_twins(records, order, signature, taken=()):
    """The positions in ``order`` whose record is no twin of one before it, nor of ``taken``."""
    seen = set(taken)
    for i in order:
        key = signature(records[i])
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        yield int(i)
