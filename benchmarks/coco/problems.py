"""COCO's problems (``bbob`` and ``bbob-mixint``) as loss functions on a search space.

A problem is one (suite, function, dimension, instance) of ``cocoex``; its
``space`` is a dict of :class:`Real` (and, for ``bbob-mixint``, :class:`Integer`)
dimensions named ``x00``, ``x01``, ... in the problem's variable order, and
``loss(params)`` evaluates the function. ``f_opt`` is the instance's optimal
value as ``cocoex`` states it (``BareProblem.best_value``). A ``bbob-mixint``
instance discretises the ``bbob`` instance of the same numbers and multiplies
its values by a factor per function (:data:`MIXINT_SCALE`), its optimum
included: without the factor, f6, f8 and f24 had optima above values every
method found, and f20 an optimum 490 below any value there is.
"""

import numpy as np

from sklearn_hp.search import Integer, Real

#: Dimensions run per suite.
DIMENSIONS = {"bbob": (2, 5, 10, 20), "bbob-mixint": (5, 10)}
#: Instances run per (function, dimension).
INSTANCES = (1, 2, 3, 4, 5)
FUNCTIONS = tuple(range(1, 25))
#: ``bbob-mixint``'s factor on the values of f1, ..., f24, optimum included
#: (``suite_bbob_mixint_scaling_factors`` in COCO's ``suite_bbob_mixint.c``;
#: ``cocoex`` does not expose them).
MIXINT_SCALE = (1, 1e-3, 1e-1, 1e-1, 1, 1e-2, 1, 1e-2, 1e-2, 1e-3, 1e-2, 1e-4,
                1e-1, 1, 1e-1, 1, 10, 1, 10, 1e-1, 1, 1, 10, 1e-1)
#: BBOB's five function groups (``bbob-mixint`` keeps the same numbering).
GROUPS = {
    "separable": range(1, 6),
    "low/moderate conditioning": range(6, 10),
    "high conditioning, unimodal": range(10, 15),
    "multimodal, adequate structure": range(15, 20),
    "multimodal, weak structure": range(20, 25),
}


def is_held_out(function):
    """Whether ``function`` is in the held-out half: the even-numbered functions."""
    return function % 2 == 0


def group_of(function):
    """The name of the BBOB group ``function`` belongs to."""
    return next(name for name, members in GROUPS.items() if function in members)


class CocoProblem:
    """One ``cocoex`` problem: ``space``, ``loss(params)``, ``f_opt`` and ``regret(f)``."""

    def __init__(self, suite, function, dim, instance):
        import cocoex

        self.suite, self.function, self.dim, self.instance = suite, function, dim, instance
        self._suite = cocoex.Suite(suite, f"instances: {instance}",
                                   f"dimensions: {dim} function_indices: {function}")
        self.problem = self._suite[0]
        f_opt = float(cocoex.BareProblem("bbob", function, dim, instance).best_value())
        self.f_opt = f_opt * (MIXINT_SCALE[function - 1] if suite == "bbob-mixint" else 1)
        self.names = [f"x{i:02d}" for i in range(dim)]
        self.space = self._space()

    @property
    def name(self):
        return self.problem.id

    def _space(self):
        n_int = self.problem.number_of_integer_variables
        space = {}
        for i, (name, low, high) in enumerate(zip(self.names, self.problem.lower_bounds,
                                                  self.problem.upper_bounds)):
            space[name] = Integer(int(low), int(high)) if i < n_int else Real(low, high)
        return space

    def loss(self, params):
        """The function's value at ``params`` (a dict over ``space``)."""
        return float(self.problem(np.array([params[n] for n in self.names], dtype=float)))

    def regret(self, f):
        """``f - f_opt``; rounding below ``f_opt`` counts as 0, more is an error."""
        f = float(f)
        if f < self.f_opt - 1e-9 * max(1.0, abs(self.f_opt)):
            raise ValueError(f"{self.name}: f = {f!r} is below its optimum "
                             f"f_opt = {self.f_opt!r}; the optimum is wrong.")
        return max(f - self.f_opt, 0.0)
