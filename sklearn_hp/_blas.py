"""In-place vector updates through BLAS level 1, with a plain numpy fallback.

``y += a * x`` in numpy takes two passes and a temporary; BLAS ``axpy`` takes one
pass and none. Broadcasting a bias over a batch, or summing a batch's rows, costs a
numpy loop per row; a BLAS rank-1 update or matrix-vector product does it at once.
These helpers are the hot inner steps of the optimizers and the layers.
"""

import numpy as np
from scipy.linalg.blas import get_blas_funcs

__all__ = ["add_scaled", "add_to_rows", "column_sums", "row_sums", "running_average"]

_ROUTINES = {}
_ONES = {}


def _routine(name, array):
    key = (name, array.dtype.char)
    found = _ROUTINES.get(key)
    if found is None:
        found = _ROUTINES[key] = get_blas_funcs(name, (array,))
    return found


def _flat_views(*arrays):
    """1-D views of ``arrays`` in memory order, or None when BLAS cannot take them."""
    first = arrays[0]
    if first.dtype.char not in "fd":
        return None
    for array in arrays:
        if array.dtype != first.dtype or array.strides != first.strides:
            return None
        if not (array.flags.c_contiguous or array.flags.f_contiguous):
            return None
    return [array.ravel(order="K") for array in arrays]


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
    flat = _flat_views(target, values)
    if flat is None:
        target += scale * values
        return
    _routine("axpy", target)(flat[1], flat[0], a=scale)


def running_average(average, values, decay):
    """``average = decay * average + (1 - decay) * values``, in place.

    Parameters
    ----------
    average : ndarray
        Updated in place.
    values : ndarray
        Same shape as ``average``; left unchanged.
    decay : float in [0, 1)
    """
    flat = _flat_views(average, values)
    if flat is None:
        # decay * a + (1 - decay) * v == v + decay * (a - v): no temporaries.
        average -= values
        average *= decay
        average += values
        return
    _routine("scal", average)(decay, flat[0])
    _routine("axpy", average)(flat[1], flat[0], a=1.0 - decay)


def _ones(n, dtype):
    key = (n, dtype.char)
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
    usable = (
        matrix.ndim == 2 and matrix.flags.c_contiguous and matrix.dtype.char in "fd"
        and row.dtype == matrix.dtype and matrix.size > 0
    )
    if not usable:
        matrix += row
        return
    # matrix.T is Fortran-ordered, as BLAS wants: matrix.T += row ones^T.
    ones = _ones(matrix.shape[0], matrix.dtype)
    _routine("ger", matrix)(1.0, row, ones, a=matrix.T, overwrite_a=1)


def column_sums(matrix, out):
    """``matrix.sum(axis=0)`` into ``out``, as one matrix-vector product."""
    return np.matmul(_ones(matrix.shape[0], matrix.dtype), matrix, out=out)


def row_sums(matrix):
    """``matrix.sum(axis=1)``, as one matrix-vector product."""
    return matrix @ _ones(matrix.shape[1], matrix.dtype)
