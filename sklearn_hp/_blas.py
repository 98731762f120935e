"""In-place array kernels of the training step, on numpy's one BLAS.

Every matrix product here and in the layers goes through numpy, never through
``scipy.linalg.blas``: scipy's wheels bundle an OpenBLAS of their own, beside
numpy's, each with its own pool of threads. A training step that alternates
between the two (a numpy matrix product, then a scipy ``axpy`` or ``ger``) leaves
one library's threads spinning on the cores that the other's need, and with the
default thread count a fit ran 20-40 times slower than on one thread. The
element-wise updates are memory-bound, where threads gain nothing, so they are
numpy ufuncs writing in place (no temporaries).
"""

import numpy as np

__all__ = ["add_scaled", "add_to_rows", "column_sums", "row_sums", "running_average"]

_ONES = {}


def add_scaled(target, values, scale):
    """``target += scale * values``, in place.

    Parameters
    ----------
    target : ndarray
        Updated in place.
    values : ndarray
        Same shape as ``target``; left unchanged.
    scale : float
    """
    target += scale * values


def running_average(average, values, decay):
    """``average = decay * average + (1 - decay) * values``, in place.

    ``average`` and ``values`` have one shape; only ``average`` changes, and
    ``decay`` lies in [0, 1).
    """
    # decay * a + (1 - decay) * v == v + decay * (a - v): three passes, no temporaries.
    average -= values
    average *= decay
    average += values


def _ones(n, dtype):
    key = (n, np.dtype(dtype).char)
    found = _ONES.get(key)
    if found is None:
        found = _ONES[key] = np.ones(n, dtype=dtype)
    return found


def add_to_rows(matrix, row):
    """``matrix += row`` for every row of a 2-D ``matrix``, in place.

    Parameters
    ----------
    matrix : ndarray of shape (n_rows, n_columns)
    row : ndarray of shape (n_columns,)
    """
    matrix += row


def column_sums(matrix, out):
    """``matrix.sum(axis=0)`` into ``out``, as one matrix-vector product."""
    return np.matmul(_ones(matrix.shape[0], matrix.dtype), matrix, out=out)


def row_sums(matrix):
    """``matrix.sum(axis=1)``, as one matrix-vector product."""
    return matrix @ _ones(matrix.shape[1], matrix.dtype)
