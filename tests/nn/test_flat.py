"""One buffer for the trainable arrays: values, layout, and when it must be rebuilt."""

import copy
import pickle

import numpy as np
import pytest

from sklearn_hp.nn import FlatParameters


def _arrays(dtype=np.float64):
    rng = np.random.RandomState(0)
    return [rng.randn(3, 4).astype(dtype), rng.randn(4).astype(dtype),
            rng.randn(4, 2).astype(dtype), rng.randn(2).astype(dtype)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_views_hold_the_values_and_share_one_buffer(dtype):
    arrays = _arrays(dtype)
    packed = FlatParameters(arrays, [True, False, True, False])
    for original, view in zip(arrays, packed.views):
        assert view.shape == original.shape and view.dtype == dtype
        np.testing.assert_array_equal(view, original)
        assert view.base is packed.buffer
    assert packed.buffer.size == 12 + 4 + 8 + 2
    # Penalised arrays first: the first group is exactly the two weight matrices.
    assert [g.size for g in packed.groups] == [20, 6]
    assert packed.penalized_groups == [0]
    np.testing.assert_array_equal(
        packed.groups[0], np.concatenate([arrays[0].ravel(), arrays[2].ravel()])
    )


def test_writing_a_group_updates_the_views_and_gradients_line_up():
    packed = FlatParameters(_arrays(), [True, False, True, False])
    packed.groups[0][:] = 7.0
    assert np.all(packed.views[0] == 7.0) and np.all(packed.views[2] == 7.0)
    assert not np.any(packed.views[1] == 7.0)
    packed.grad_views[3][:] = [1.0, 2.0]
    np.testing.assert_array_equal(packed.grad_groups[1][-2:], [1.0, 2.0])
    assert all(g.base is packed.grad_buffer for g in packed.grad_views)


def test_only_unpenalized_arrays_give_one_group():
    packed = FlatParameters(_arrays()[1::2], [False, False])
    assert [g.size for g in packed.groups] == [6] and packed.penalized_groups == []


def test_holds_only_its_own_live_views():
    packed = FlatParameters(_arrays(), [True, False, True, False])
    views = list(packed.views)
    assert packed.holds(views) and packed.holds(views[::-1])
    assert not packed.holds(views[:-1])
    assert not packed.holds([views[0], views[0], views[2], views[3]])
    assert not packed.holds([views[0].copy(), *views[1:]])
    assert not packed.holds(copy.deepcopy(views))
    clone = copy.deepcopy(packed)  # copies every view into an array of its own
    assert not clone.holds(clone.views)
    assert not packed.holds(pickle.loads(pickle.dumps(views)))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="2 arrays but 1 penalty flags"):
        FlatParameters(_arrays()[:2], [True])
    with pytest.raises(ValueError, match="share one dtype.*float32.*float64"):
        FlatParameters([np.zeros(2, np.float32), np.zeros(2)], [True, False])
