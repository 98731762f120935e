"""An asynchronous run of trials: ask, run, tell, with no batch barrier.

:class:`AsyncTrials` is what :meth:`TrialLoop.run_asynchronous
<sklearn_hp.search._loop.TrialLoop.run_asynchronous>` does: it asks the search
for a candidate whenever a worker frees up and no started trial has a split
left to run (:class:`~sklearn_hp.search._schedule.TrialSchedule`), streams the
units to the workers (:class:`~sklearn_hp.search._stream.UnitStream`), and
records each trial, in the storage and for the callbacks, the moment its last
split returns.

Two ways to propose:

* ``lag=None``: each proposal sees every trial finished by then, the running
  ones as pending. Fastest, but which trials have finished when a worker
  frees up depends on the number of workers and on timing;
* ``lag=k``: proposal ``i`` sees exactly the trials numbered below ``i - k``
  as finished (waiting for them if needed) and trials ``i - k`` to ``i - 1`` as
  pending, finished or not: with ``random_state`` fixed, the candidates are the
  same whatever the number of workers and the order fits finish in.
"""

import inspect
import math
import time

from ._loop import SearchStopped, callback_subcontext
from ._racing import SCREEN
from ._schedule import IDLE, TrialSchedule
from ._storage import TrialRecord
from ._stream import UnitStream

__all__ = ["AsyncTrials", "propose_one"]


def propose_one(sampler, space, trials, pending, rng):
    """``sampler``'s next candidate given the finished ``trials`` and the ``pending``
    parameter dicts (not told to a sampler whose ``propose`` takes no ``pending``);
    ``None`` when it has none."""
    told = {"pending": pending} if "pending" in inspect.signature(
        sampler.propose).parameters else {}
    proposed = sampler.propose(space, trials, 1, rng, **told)
    return proposed[0] if proposed else None


class AsyncTrials:
    """Runs up to ``n_total`` trials of a loop asynchronously.

    Parameters
    ----------
    loop : TrialLoop
    ask : callable
        ``ask(trials, pending, pending_extra)``: the next candidate given the
        finished trials (records), the parameter dicts of the pending ones and
        their extra columns: its parameters, or ``(parameters, extra)`` for a
        trial with extra columns of its own; ``None`` when there is no new
        candidate, :data:`~sklearn_hp.search._schedule.IDLE` when the next one
        must wait for a running trial.
    n_total : int or float
        Trials the loop should hold at the end (stored ones included);
        ``math.inf`` when ``ask`` ends the run by returning ``None``.
    extra : dict
        Extra ``cv_results_`` columns of these trials (unless ``ask`` gives them).
    lag : int or None
        See the module docstring.
    """

    def __init__(self, loop, ask, n_total, extra=None, lag=None):
        self.loop = loop
        self.search = loop.search
        self.ask = ask
        self.n_total = n_total
        self.extra = dict(extra or {})
        self.lag = lag
        self._ctx = None

    def run(self):
        """Run the trials; raises ``SearchStopped`` when a stop or deadline cut them short."""
        loop, search = self.loop, self.search
        reruns = loop.adopt_stored()
        queued = [(r.number, r.params) for r in reruns]
        self._first = max([r.number for r in loop.records] + [n for n, _ in queued] + [-1]) + 1
        self._params, self._finished = {}, {}
        self._extras = {r.number: dict(r.extra) for r in reruns}
        n_new = max(0, self.n_total - len(loop.records) - len(queued))
        race = None
        if loop._racing:
            loop._race_rule = search._racing_rule(n_new, self.extra)
            race = loop._make_race(self.extra)
        n_jobs = loop._n_jobs
        self.schedule = TrialSchedule(
            search._n_splits, self._ask, n_new, self._first, race=race,
            max_open=2 * n_jobs, window=max(SCREEN, 2 * n_jobs), queued=queued,
            may_start=self._may_start)
        loop.runner.race = None
        self._set_deadline()
        if search.verbose > 0:
            planned = "" if math.isinf(n_new) else f"up to {n_new + len(queued)} "
            print(f"Fitting {search._n_splits} folds for each of {planned}candidates, "
                  f"asynchronously on {n_jobs} workers")
        with callback_subcontext(loop.search_ctx, search, task_name="trials",
                                 max_subtasks=None, sequential_subtasks=False) as ctx:
            self._ctx = ctx
            self.stream = UnitStream(loop.runner, self.schedule, self._task, self._on_result,
                                     self._on_failed)
            try:
                self.stream.run()
            finally:
                loop.records.sort(key=lambda r: r.number)
        self._end()

    # ---------------------------------------------------------- proposing
    def _may_start(self):
        """No stop, and the deadline (kept in ``runner.deadline`` by
        :meth:`_set_deadline`, as trials finish) not reached: asked for every unit."""
        deadline = self.loop.runner.deadline
        return self.loop.stop_reason is None and (deadline is None
                                                  or time.monotonic() < deadline)

    def _ask(self, number):
        """The schedule's ``ask``: called with its lock held."""
        if self.lag is None:
            trials = self.loop.records
            running = [t.number for t in self.schedule.open_trials]
        else:
            cut = number - self.lag
            if any(j not in self._finished for j in range(self._first, cut)):
                return IDLE
            trials = [r for r in self.loop.records if r.number < self._first]
            trials += [self._finished[j] for j in range(self._first, cut)]
            running = range(max(self._first, cut), number)
        pending = [self._params[j] for j in running if j in self._params]
        extras = [self._extras.get(j, self.extra) for j in running if j in self._params]
        proposal = self.ask(trials, pending, extras)
        if proposal is None or proposal == IDLE:
            return proposal
        params, extra = proposal if isinstance(proposal, tuple) else (proposal, self.extra)
        self._params[number], self._extras[number] = params, dict(extra)
        return params

    def _task(self, number, split, params):
        return self.loop.plan.unit(params, split, self._ctx,
                                   task_id=number * self.search._n_splits + split)

    # ---------------------------------------------------------- recording
    def _on_result(self, key, out):
        for trial in self.schedule.take(key[0], key[1], out):
            self._record(trial)

    def _on_failed(self, number, message):
        trial = self.schedule.fail(number, message)
        if trial is not None:
            self._record(trial)

    def _record(self, trial):
        loop, n_splits = self.loop, self.search._n_splits
        skipped = [f for f in range(n_splits) if f not in trial.outs and trial.failed is None]
        outs = [trial.outs[f] if f in trial.outs else
                loop._failed_outs(1, trial.failed)[0] if trial.failed is not None else
                loop.runner.skipped_out() for f in range(n_splits)]
        record = loop._make_record(trial.number, trial.params, outs,
                                   self._extras.get(trial.number, self.extra), time.time())
        if skipped:  # stopped by the race: its estimated full mean, status pruned
            for f in skipped:
                record.splits[f]["skipped"] = True
            record.score, record.status = self.schedule.race.estimate(trial.number), "pruned"
        with self.schedule.lock:
            self._finished[trial.number] = record
            loop.fit_outs.extend(o for f, o in enumerate(outs) if f not in skipped)
            loop._finish(record)
        self._set_deadline()

    def _set_deadline(self):
        """Running fits stop, and no unit starts, at the deadline; once a trial
        finished, the refit's expected time is kept free (``loop.deadline()``)."""
        loop = self.loop
        loop.runner.deadline = loop.deadline()
        stream = getattr(self, "stream", None)
        if stream is not None:
            stream.deadline_moved()

    def _end(self):
        """Store the trials cut short as cancelled; stop on the time budget."""
        loop = self.loop
        finished = time.time()
        for trial in self.schedule.close_all():
            record = TrialRecord(number=trial.number, params=dict(trial.params),
                                 score=math.nan, status="cancelled", splits=[],
                                 extra=dict(self._extras.get(trial.number, self.extra)),
                                 finished_at=finished)
            loop.storage.add(record)
            loop.cancelled.append(record)
        self.search._after_batch()
        # the deadline moves as trials finish: one that passed and came back
        # later still stopped the search (``schedule.refused``)
        held_back = self.schedule.refused or not self._may_start()
        if loop.stop_reason is None and (loop.cancelled or (
                len(loop.records) < self.n_total and held_back)):
            loop.stop("time_budget")
        if loop.stop_reason is not None:
            raise SearchStopped(loop.stop_reason)
