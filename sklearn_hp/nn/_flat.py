"""One contiguous buffer for a network's trainable arrays, one for their gradients.

Optimizers and the descent step work element by element, so two long arrays (the
penalised weights, then everything else) cost far fewer numpy calls per batch than
every small weight and bias array in turn. Layers keep working on *views* into the
buffers, with their own shapes, so nothing is copied during training.
"""

import numpy as np

__all__ = ["FlatParameters"]


class FlatParameters:
    """Copy trainable arrays into one buffer and hand out views of it.

    Parameters
    ----------
    arrays : list of ndarray
        Trainable arrays, all of one dtype.
    penalized : list of bool
        Which ``arrays`` take the weight penalty; they are stored first.

    Attributes
    ----------
    views : list of ndarray
        Views into the parameter buffer, in the order and shapes of ``arrays``,
        holding their values.
    grad_views : list of ndarray
        Matching views into the gradient buffer, for the layers' backward passes.
    groups : list of ndarray
        Flat views: the penalised block, then the rest (empty blocks left out).
    grad_groups : list of ndarray
        The gradient buffer cut the same way.
    penalized_groups : list of int
        Indices in ``groups`` that take the penalty.
    """

    def __init__(self, arrays, penalized):
        if len(arrays) != len(penalized):
            raise ValueError(
                f"Got {len(arrays)} arrays but {len(penalized)} penalty flags; give one "
                "flag per array."
            )
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) > 1:
            raise ValueError(
                f"Trainable arrays must share one dtype, got {sorted(map(str, dtypes))}."
            )
        dtype = dtypes.pop() if dtypes else np.float64
        order = sorted(range(len(arrays)), key=lambda i: not penalized[i])
        n_penalized = sum(arrays[i].size for i in order if penalized[i])
        total = sum(a.size for a in arrays)
        self.buffer = np.empty(total, dtype=dtype)
        self.grad_buffer = np.zeros(total, dtype=dtype)
        self.views = [None] * len(arrays)
        self.grad_views = [None] * len(arrays)
        start = 0
        for i in order:
            stop = start + arrays[i].size
            self.views[i] = self.buffer[start:stop].reshape(arrays[i].shape)
            self.views[i][...] = arrays[i]
            self.grad_views[i] = self.grad_buffer[start:stop].reshape(arrays[i].shape)
            start = stop
        cuts = [(0, n_penalized, True), (n_penalized, total, False)]
        kept = [(a, b, flag) for a, b, flag in cuts if b > a]
        self.groups = [self.buffer[a:b] for a, b, _ in kept]
        self.grad_groups = [self.grad_buffer[a:b] for a, b, _ in kept]
        self.penalized_groups = [i for i, (_, _, flag) in enumerate(kept) if flag]
        self._view_ids = {id(v) for v in self.views}

    def holds(self, arrays):
        """Whether ``arrays`` are exactly this buffer's views (in any order).

        False after anything replaced an array, or after copying or unpickling,
        which turn views into arrays of their own.
        """
        return (
            len({id(a) for a in arrays}) == len(arrays) == len(self.views)
            and all(id(a) in self._view_ids and a.base is self.buffer for a in arrays)
        )
