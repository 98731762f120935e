"""In-place BLAS helpers agree with plain numpy for every memory layout."""

import numpy as np
import pytest

from sklearn_hp._blas import add_scaled, add_to_rows, column_sums, row_sums, running_average


def _pair(dtype, order_a, order_b):
    rng = np.random.RandomState(0)
    a = np.asarray(rng.randn(5, 3), dtype=dtype, order=order_a)
    b = np.asarray(rng.randn(5, 3), dtype=dtype, order=order_b)
    return a, b


LAYOUTS = [("C", "C"), ("F", "F"), ("C", "F")]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("orders", LAYOUTS)
def test_add_scaled(dtype, orders):
    target, values = _pair(dtype, *orders)
    if dtype is np.int64:
        target, values = target * 0 + 3, values * 0 + 2
    expected = target + 2 * values
    values_before = values.copy()
    seen_through = target.T
    add_scaled(target, values, 2)
    np.testing.assert_allclose(target, expected, rtol=1e-6)
    np.testing.assert_allclose(seen_through, expected.T, rtol=1e-6)  # truly in place
    np.testing.assert_array_equal(values, values_before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("orders", LAYOUTS)
def test_running_average(dtype, orders):
    average, values = _pair(dtype, *orders)
    expected = 0.9 * average + 0.1 * values
    values_before = values.copy()
    running_average(average, values, 0.9)
    np.testing.assert_allclose(average, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(values, values_before)


def test_strided_views_take_the_numpy_path():
    base = np.arange(12.0)
    target = base[::2]  # not contiguous: BLAS would need an increment
    add_scaled(target, np.ones(6), -1.0)
    np.testing.assert_array_equal(base[::2], np.arange(0.0, 12.0, 2.0) - 1.0)
    np.testing.assert_array_equal(base[1::2], np.arange(1.0, 12.0, 2.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_add_to_rows_and_column_sums(dtype, order):
    rng = np.random.RandomState(0)
    matrix = np.asarray(rng.randint(-5, 5, size=(7, 4)), dtype=dtype, order=order)
    row = np.asarray(rng.randint(-5, 5, size=4), dtype=dtype)
    expected = matrix + row
    add_to_rows(matrix, row)
    np.testing.assert_array_equal(matrix, expected)
    if dtype is not np.int64:
        out = np.empty(4, dtype=dtype)
        column_sums(matrix, out)
        np.testing.assert_allclose(out, expected.sum(axis=0), rtol=1e-6)
        np.testing.assert_allclose(row_sums(matrix), expected.sum(axis=1), rtol=1e-6)
    empty = np.empty((0, 4), dtype=dtype)
    add_to_rows(empty, row)
    assert empty.shape == (0, 4)
