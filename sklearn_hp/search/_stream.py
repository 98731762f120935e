"""Streaming a search's units to the workers, with no batch barrier.

A :class:`UnitStream` runs the units a
:class:`~sklearn_hp.search._schedule.TrialSchedule` hands out until it has none
left, and gives each result back the moment it returns:

* on joblib's backends that return results as they finish (loky, threading,
  Dask through joblib, and one job in the search's own process), one
  ``Parallel`` call with ``return_as="generator_unordered"`` reads the units
  lazily, one per free worker: joblib asks for the next unit as soon as a fit
  returns. The schedule never blocks joblib's dispatching thread: when it must
  wait for a running fit (a reproducible search), the worker gets a short idle
  unit and asks again;
* on a ``dask.distributed`` cluster (joblib's Dask backend) each unit is a
  future of its own, and under joblib's Ray backend a Ray task of its own,
  submitted as a worker frees up, the data sent once (:mod:`._clusters`);
* on backends that return a call's results only at its end (joblib's
  ``multiprocessing``), units run in calls of one unit per worker.

A fit that kills its worker process costs its own trial only: the units lost
with the worker are run again once, one trial per call; a trial whose units
lose a worker again fails as a whole, the others get their results.
"""

import threading
import time
import warnings

from joblib import effective_n_jobs
from sklearn import get_config
from sklearn.utils.parallel import delayed

from ._clusters import DaskCluster, RayCluster
from ._workers import (
    _indexed,
    _return_as,
    dask_client,
    death_message,
    is_worker_death,
    ray_backend,
)
from ._schedule import IDLE

__all__ = ["UnitStream"]

#: The key of an idle unit's result, and how long an idle unit waits in its worker.
IDLE_KEY = ("idle",)
IDLE_SECONDS = 0.01


def _idle_unit(seconds):
    """Run in a worker that has nothing to do until a running fit returns."""
    time.sleep(seconds)
    return IDLE_KEY, None


class UnitStream:
    """Runs the units of a schedule on a runner's workers, until none is left.

    Parameters
    ----------
    runner : UnitRunner
        Its workers, deadline (``runner.deadline``, which may move while the
        stream runs) and failure counters.
    schedule : TrialSchedule
    make_task : callable
        ``make_task(number, split, params)``: the unit's ``(function, args, kwargs)``.
    on_result : callable
        ``on_result((number, split), out)``, called in this thread.
    on_failed : callable
        ``on_failed(number, message)``: the trial's worker died twice.
    """

    def __init__(self, runner, schedule, make_task, on_result, on_failed):
        self.runner = runner
        self.schedule = schedule
        self.make_task = make_task
        self.on_result = on_result
        self.on_failed = on_failed
        self._lock = threading.Lock()

    def run(self):
        """Run until the schedule has no unit left or the deadline came."""
        self.runner._expired = False
        client = dask_client()
        if client is not None:
            self._on_cluster(DaskCluster(client))
        elif ray_backend():
            self._on_cluster(RayCluster(effective_n_jobs(self.runner.n_jobs)))
        elif _return_as() == "generator_unordered":
            self._streaming()
        else:
            self._in_calls()

    def deadline_moved(self):
        """Re-arm the alarm of fits running in this process (``runner.deadline`` changed)."""
        if self.runner.alarm_armed and self.runner.deadline is not None:
            self.runner.rearm_alarm(self.runner.deadline - time.monotonic())

    # ------------------------------------------------------------ joblib
    def _units(self, issued):
        """The units to run, read lazily by joblib as workers free up."""
        while True:
            unit = self.schedule.next_unit()
            if unit is None:
                return
            if unit == IDLE:
                if self.runner._in_process:  # nothing else runs: it would wait forever
                    raise RuntimeError("the schedule waits for a fit, but none is running")
                yield delayed(_idle_unit)(IDLE_SECONDS)
                continue
            number, split, params = unit
            task = self.make_task(number, split, params)
            with self._lock:
                issued[(number, split)] = task
            yield delayed(_indexed)((number, split), *task)

    def _streaming(self):
        while True:
            issued = {}
            error = self._one_call(issued)
            if error is None:
                return
            if self.runner.error_score == "raise":
                raise error
            self._isolate(issued)
            if self.runner._expired:
                return

    def _one_call(self, issued):
        """One ``Parallel`` call over the schedule; the error of a dying worker, or None."""
        def take(key, out):
            if key == IDLE_KEY:
                return
            with self._lock:
                issued.pop(key, None)
            self.on_result(key, out)

        return self.runner.call(self._units(issued), take, moving_deadline=True)

    def _isolate(self, issued):
        """Run the units lost with a dead worker again, one trial per call."""
        lost = {}
        for key in issued:
            lost.setdefault(key[0], []).append(key)
        for number, keys in lost.items():
            self.runner.n_rerun += len(keys)
            outs = {}
            again = self.runner._run(keys, issued, outs)
            for key in keys:
                if key in outs:
                    self.on_result(key, outs[key])
            if again is not None:
                self.runner.n_dead += 1
                self.on_failed(number, death_message(again))
            if self.runner._expired:
                return

    def _in_calls(self):
        """Units in calls of one unit per worker (backends that cannot stream)."""
        n_workers = max(1, effective_n_jobs(self.runner.n_jobs))
        while not self.runner._expired:
            issued = {}
            while len(issued) < n_workers:
                unit = self.schedule.next_unit()
                if unit is None or unit == IDLE:
                    break
                number, split, params = unit
                issued[(number, split)] = self.make_task(number, split, params)
            if not issued:
                return
            outs = {}
            error = self.runner._run(list(issued), issued, outs)
            for key in issued:
                if key in outs:
                    self.on_result(key, outs[key])
            if error is not None:
                if self.runner.error_score == "raise":
                    raise error
                self._isolate({k: t for k, t in issued.items() if k not in outs})

    # ---------------------------------------------------------- clusters
    def _fill(self, cluster, running, config, filters):
        """Submit units while the cluster has free slots; whether the schedule is spent."""
        while len(running) < cluster.slots:
            unit = self.schedule.next_unit()
            if unit is None:
                return True
            if unit == IDLE:
                return False
            number, split, params = unit
            task = self.make_task(number, split, params)
            running[cluster.submit((number, split), task, config, filters)] = (number, split)
        return False

    def _on_cluster(self, cluster):
        """Each unit submitted on its own (:mod:`._clusters`); a worker's death fails
        its trial (the trial's other fits are cancelled)."""
        config, filters = get_config(), list(warnings.filters)
        running = {}  # handle -> (number, split)
        try:
            while True:
                spent = self._fill(cluster, running, config, filters)
                if not running:
                    if spent:
                        return
                    raise RuntimeError("the schedule waits for a fit, but none is running")
                deadline = self.runner.deadline
                left = None if deadline is None else deadline - time.monotonic()
                try:
                    if left is not None and left <= 0:
                        raise TimeoutError
                    done = cluster.wait(list(running), left)
                except TimeoutError:
                    self.runner._expired = True
                    return
                for handle in done:
                    self._cluster_result(cluster, handle, running)
        finally:
            if running:
                cluster.cancel(running)
            cluster.close()

    def _cluster_result(self, cluster, handle, running):
        key = running.pop(handle, None)
        if key is None:  # a fit of a failed trial, cancelled
            return
        try:
            out = cluster.result(handle)
        except Exception as error:
            if not is_worker_death(error) or self.runner.error_score == "raise":
                raise
            self.runner.n_dead += 1
            self.on_failed(key[0], death_message(error))
            others = [h for h, k in running.items() if k[0] == key[0]]
            for other in others:
                del running[other]
            cluster.cancel(others)
            return
        self.on_result(key, out)
