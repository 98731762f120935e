"""Asynchronous successive halving (ASHA, Li et al., 2020) for the budget searches.

Synchronous successive halving promotes a rung's best ``1/eta`` once every
trial of the rung has finished, so the workers wait for the rung's slowest
fit. Here a worker that frees up is given, at once:

1. a promotion: a candidate of some rung that ranks in the top
   ``floor(n / eta)`` of the ``n`` trials finished in its rung so far, and
   that was not promoted yet, continues at the next rung's budget (the highest
   rung first);
2. else a new candidate at the first rung of a bracket (of the earliest
   iteration with candidates still to start, the bracket with the most of them;
   an iteration's brackets all start at once, and the next iteration's start
   while the last rungs of the one before run),
   proposed by the sampler from the trials at the largest budget that has
   enough of them, with the running new candidates pending;
3. else nothing until a running trial finishes (more promotions may follow).

A promotion is decided on the trials finished so far: a candidate promoted
early stays promoted when later trials outrank it, so a rung may hold a few
more candidates than in the synchronous search, some of which it would not
have promoted (the price of never waiting; Li et al. bound its effect).
Every bracket starts as many candidates as in the synchronous search.
"""

import collections
import json
import math

import numpy as np

from ._async import propose_one
from ._racing import race_metric
from ._schedule import IDLE
from ._twins import distinct_order, fold_signature

__all__ = ["AsyncHalving"]


class AsyncHalving:
    """The ``ask`` of an asynchronous budget search (see the module docstring).

    Parameters
    ----------
    search : _BudgetSearch
        Its parsed space, codec, ``eta`` and resource.
    sampler : sampler object
    rng : RandomState
    brackets : list of (int, list of int)
        Candidates to start and rung budgets of each bracket, iteration after
        iteration.
    per_iteration : int
        Brackets in one iteration (``brackets`` holds whole iterations).
    """

    def __init__(self, search, sampler, rng, brackets, per_iteration):
        self.search = search
        self.sampler = sampler
        self.rng = rng
        self.brackets = brackets
        self.per_iteration = per_iteration
        self.resource = search._budget_context["resource"]
        self._keys = {}  # trial number -> (bracket, rung, candidate key)
        self._signatures = {}  # trial number -> fold signature (a finished trial's stay)

    def _key(self, params):
        plain = {k: v for k, v in params.items() if k != self.resource}
        return json.dumps(self.search._codec.encode(plain), sort_keys=True)

    def _trial_key(self, trial):
        """``(bracket, rung, candidate key)`` of a finished trial, computed once."""
        key = self._keys.get(trial.number)
        if key is None:
            key = self._keys[trial.number] = (
                trial.extra["bracket"], trial.extra["iter"], self._key(trial.params))
        return key

    def _signature(self, trial):
        """:func:`fold_signature` of a finished trial on the raced metric, computed once."""
        if trial.number not in self._signatures:
            self._signatures[trial.number] = fold_signature(trial, race_metric(self.search))
        return self._signatures[trial.number]

    def __call__(self, trials, pending, pending_extra):
        started = {(e["bracket"], e["iter"], self._key(p)) for p, e in zip(pending, pending_extra)}
        rungs = collections.defaultdict(list)  # (bracket, rung) -> its finished trials
        for trial in trials:
            key = self._trial_key(trial)
            started.add(key)
            rungs[key[:2]].append(trial)
        promotion = self._promotion(rungs, started)
        if promotion is not None:
            return promotion
        bracket = self._bracket_to_start(started)
        if bracket is not None:
            new = self._new_candidate(trials, pending, pending_extra)
            if new is not None:
                budget = self.brackets[bracket][1][0]
                return ({**new, self.resource: budget},
                        {"iter": 0, "n_resources": budget, "bracket": bracket})
        return IDLE if pending else None

    def _promotion(self, rungs, started):
        """A finished trial to continue at its next rung, or ``None``.

        ``rungs`` maps ``(bracket, rung)`` to the rung's finished trials. Twins
        (:mod:`._twins`) of a better trial of the rung, or of a trial of another
        bracket already continued from the same budget, are not promoted.
        """
        continued = self._continued(rungs, started)
        for bracket, (_, budgets) in enumerate(self.brackets):
            for rung in range(len(budgets) - 2, -1, -1):
                done = rungs.get((bracket, rung), ())
                n_top = int(len(done) // self.search.eta)
                if n_top == 0:
                    continue
                taken = set().union(*(signatures for (b, r), signatures in continued.items()
                                      if b != bracket and self.brackets[b][1][r] == budgets[rung]))
                for i in distinct_order(done, None, taken, signature=self._signature)[:n_top]:
                    if not math.isfinite(done[i].score):
                        break
                    if (bracket, rung + 1, self._trial_key(done[i])[2]) not in started:
                        budget = budgets[rung + 1]
                        return ({**done[i].params, self.resource: budget},
                                {"iter": rung + 1, "n_resources": budget, "bracket": bracket})
        return None

    def _continued(self, rungs, started):
        """``(bracket, rung)`` -> fold signatures of its trials started at the next rung."""
        continued = collections.defaultdict(set)
        for (bracket, rung), done in rungs.items():
            for trial in done:
                if (bracket, rung + 1, self._trial_key(trial)[2]) in started:
                    continued[bracket, rung].add(self._signature(trial))
            continued[bracket, rung].discard(None)
        return continued

    def _bracket_to_start(self, started):
        """Of the earliest iteration with first-rung candidates still to start, the
        bracket with the most of them, or ``None``."""
        begun = collections.Counter(b for b, r, _ in started if r == 0)
        left = [n - begun[bracket] for bracket, (n, _) in enumerate(self.brackets)]
        for first in range(0, len(left), self.per_iteration):
            iteration = left[first:first + self.per_iteration]
            best = int(np.argmax(iteration))
            if iteration[best] > 0:
                return first + best
        return None

    def _new_candidate(self, trials, pending, pending_extra):
        """The sampler's next candidate (without the resource), or ``None``."""
        space = self.search._space
        running = [{k: v for k, v in p.items() if k != self.resource}
                   for p, e in zip(pending, pending_extra) if e["iter"] == 0]
        return propose_one(self.sampler, space, self.search._sampler_trials(trials, space),
                           running, self.rng)

    def mark_unpromoted(self, loop):
        """Set the trials of every rung below the last that were not promoted to ``pruned``."""
        started = {self._trial_key(t) for t in loop.records}
        unpromoted = []
        for trial in loop.records:
            bracket, rung, key = self._trial_key(trial)
            if (rung < len(self.brackets[bracket][1]) - 1
                    and (bracket, rung + 1, key) not in started):
                unpromoted.append(trial)
        loop.mark(unpromoted, "pruned")
