"""What a sampler derives from each finished trial, derived once per trial.

A search hands its sampler the same growing list of trials at every proposal.
The sub-space of a trial, its encoding and its identity key never change, so
:class:`TrialCache` keeps them between proposals and only encodes the new
trials: a proposal's cost no longer grows with the trials it has to re-encode.
"""

import operator

import numpy as np

__all__ = ["TrialCache"]


def _same_dict(a, b):
    """Whether two parameter dicts hold the very same value objects under the same names."""
    return a is b or (a.keys() == b.keys() and all(a[k] is b[k] for k in a))


class TrialCache:
    """Sub-space index, encoding and identity keys of a growing list of parameter dicts.

    A trial is recognised by its parameter dict: the same object, or a dict
    holding the same value objects under the same names (a search that
    rebuilds its trials' dicts). When the dicts handed over are not the
    earlier ones followed by new ones, everything is derived afresh.

    Attributes
    ----------
    index : ndarray of int
        Sub-space of each dict (``SearchSpace.subspace_index``, ``-1`` for none).
    """

    def __init__(self):
        self._space = None

    def update(self, space, params_list):
        """Derive what is missing for ``params_list`` in ``space``; returns ``self``."""
        params_list = list(params_list)
        if space is not self._space or not self._extends(params_list):
            self._reset(space)
        new = params_list[len(self._params):]
        if new:
            try:
                self._append(new)
            except BaseException:  # a value that cannot be encoded: keep nothing half-done
                self._space = None
                raise
        return self

    def _extends(self, params_list):
        known = self._params
        if len(params_list) < len(known):
            return False
        return (all(map(operator.is_, known, params_list))  # the same dicts: fast
                or all(map(_same_dict, known, params_list)))

    def _reset(self, space):
        self._space = space
        self._params = []
        self.index = np.empty(0, dtype=int)
        n = space.n_subspaces
        self._positions = [np.empty(0, dtype=int) for _ in range(n)]
        self._rows = [np.empty((0, sub.n_columns)) for sub in space.subspaces]
        self._keys = [set() for _ in range(n)]
        self._joint = np.empty((0, space.joint.n_columns)) if n > 1 else None

    def _append(self, new):
        start = len(self._params)
        self._params.extend(new)
        index = self._space.subspace_indices(new)
        self.index = np.r_[self.index, index]
        for i, sub in enumerate(self._space.subspaces):
            positions = np.flatnonzero(index == i)
            if not len(positions):
                continue
            rows = sub.encode([new[p] for p in positions])
            self._positions[i] = np.r_[self._positions[i], start + positions]
            self._rows[i] = np.vstack([self._rows[i], rows])
            self._keys[i].update(sub.keys(rows))

    def positions(self, index):
        """Positions (in the list) of the dicts of sub-space ``index``."""
        return self._positions[index]

    def rows(self, index):
        """Encoding of the dicts of sub-space ``index``, in list order."""
        return self._rows[index]

    def keys(self, index):
        """Identity keys (``_SubSpace.keys``) of the dicts of sub-space ``index``, a set."""
        return self._keys[index]

    def joint_rows(self):
        """Encoding in ``space.joint`` of the dicts of some sub-space, in list order."""
        known = np.flatnonzero(self.index >= 0)
        missing = known[len(self._joint):]
        if len(missing):
            rows = self._space.joint.encode([self._params[p] for p in missing])
            self._joint = np.vstack([self._joint, rows])
        return self._joint
