"""How a synchronous search's batches run on joblib's workers: a dying worker, a deadline.

Asynchronous searches stream their units instead (:mod:`._stream`). The trial
loop hands each batch of units, one (candidate, split) fit each
(:func:`~sklearn_hp.search._unit.fit_and_score`), to a :class:`UnitRunner`,
which takes each unit's result the moment it returns
(``return_as="generator_unordered"``), so that:

* a fit that kills its worker process (a segmentation fault, the kernel's
  out-of-memory killer, ``os._exit``; a lost Dask worker) costs its own
  candidate, not the batch: the results already returned are kept, the
  candidates whose fits were lost are run again one candidate per call, and a
  candidate whose call loses a worker again is recorded as failed, with the
  reason, while the others get their results;
* on a ``dask.distributed`` cluster (``joblib.parallel_backend("dask")``) each
  fit is a Dask future of its own, submitted through the backend's client as a
  worker frees up (the stream's Dask path, :class:`~sklearn_hp.search._stream.UnitStream`,
  runs the batch), since joblib's Dask backend does not report a lost worker
  back to ``Parallel`` (the call would wait forever). The scheduler runs a fit
  whose worker died again elsewhere, up to
  ``distributed.scheduler.allowed-failures`` times, then fails it with
  ``KilledWorker``: that fit's candidate is recorded as failed with this error
  (its other fits are cancelled), every other fit's result is kept;
* on Ray's joblib backend (``joblib.parallel_backend("ray")``), as on joblib's
  ``multiprocessing`` one, a call's results come back only together, at its
  end (the backend cannot stream them): a worker that dies makes the call
  raise Ray's ``ActorDiedError`` (a ``RayActorError``) at once, the call's
  other results are lost with it, and its candidates run again one per call
  as above. A race sees a batch's folds only when the batch has ended, so it
  stops no fit there;
* at a deadline the running fits are cancelled: joblib aborts the call, which
  kills loky's worker processes (Dask's tasks are cancelled); with one job,
  where the fits run in the search's own process, a ``SIGALRM`` interrupts the
  running fit at its next Python instruction. The fits that returned are kept
  (:class:`BatchCancelled`).
"""

import signal
import threading
import time

from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed

from ._stream import UnitStream
from ._workers import (
    _abort,
    _DeadlineInterrupt,
    _indexed,
    _return_as,
    dask_client,
    death_message,
    is_worker_death,
)

__all__ = ["BatchCancelled", "UnitRunner", "is_worker_death"]


class BatchCancelled(Exception):
    """The deadline came before every fit of a batch returned.

    Attributes
    ----------
    outs : dict
        Position in the batch -> result, for the fits that returned.
    """

    def __init__(self, outs):
        super().__init__(f"deadline reached with {len(outs)} fits returned")
        self.outs = outs


class UnitRunner:
    """Runs a batch of units on joblib's workers (or Dask's), and survives.

    Called with the batch (a list of ``(function, args, kwargs)`` units, one
    per (candidate, split), candidate-major), it returns the list of results in
    order. Each unit's result is taken as it returns, whatever the order. Use it
    as a context manager around the search, so the workers (and the data they
    share) live as long as the search.

    Parameters
    ----------
    n_jobs, pre_dispatch
        As given to the search.
    n_splits : int
        Fits per candidate.
    error_score
        The search's ``error_score``: ``"raise"`` lets a dead worker's error
        through.
    failed_out : callable
        ``failed_out(message)`` is the result of a fit that did not return.
    skipped_out : callable or None
        ``skipped_out()`` stands for a fit that racing skipped.

    Attributes
    ----------
    deadline : float or None
        ``time.monotonic()`` value at which running fits are cancelled.
    n_rerun : int
        Fits run a second time after a worker died (their first run was lost).
    n_dead : int
        Candidates recorded as failed because their worker died.
    race : FoldRace or None
        Set for a raced batch: its fits run fold by fold (all candidates' first
        folds first), each result goes to ``race.observe`` as it returns, and the
        fits of a candidate the race stopped are not started; they are listed in
        ``skipped``. At most ``n_jobs`` fits are in flight, so a decision waits
        for at most one fit per worker.
    skipped : set of int
        Positions in the last batch of the fits racing skipped.
    """

    def __init__(self, n_jobs, pre_dispatch, n_splits, error_score, failed_out,
                 skipped_out=None, streaming=False):
        racing = skipped_out is not None
        # a race or a stream hands out one fit at a time, as workers free up
        dispatch = {"pre_dispatch": "n_jobs", "batch_size": 1} if racing or streaming else {
            "pre_dispatch": pre_dispatch}
        self.n_jobs = n_jobs
        self._parallel = Parallel(n_jobs=n_jobs, return_as=_return_as(), **dispatch)
        # joblib runs one job in the calling thread: only a signal can stop it
        self._in_process = effective_n_jobs(n_jobs) == 1
        self.n_splits = n_splits
        self.error_score = error_score
        self.failed_out = failed_out
        self.skipped_out = skipped_out
        self.race = None
        self.skipped = set()
        self.deadline = None
        self.n_rerun = 0
        self.n_dead = 0
        self._lock = threading.Lock()
        self._running = False
        self._expired = False
        self.alarm_armed = False

    def __enter__(self):
        self._parallel.__enter__()
        return self

    def __exit__(self, *exc):
        return self._parallel.__exit__(*exc)

    # ------------------------------------------------------------- running
    def __call__(self, tasks):
        tasks = list(tasks)
        outs = {}
        self.skipped = set()
        client = dask_client()
        if client is not None:
            self._run_on_dask(tasks, outs)
            self._skip_stopped(tasks, outs)
        else:
            error = self._run(self._order(len(tasks)), tasks, outs)
            self._skip_stopped(tasks, outs)
            if error is not None:
                if self.error_score == "raise":
                    raise error
                self._isolate(tasks, outs, error)
        if len(outs) < len(tasks):
            raise BatchCancelled(outs)
        return [outs[i] for i in range(len(tasks))]

    def _order(self, n_tasks):
        """Positions to run: candidate-major, or for a race fold-major, lazily
        leaving out the candidates it stopped."""
        if self.race is None:
            return range(n_tasks)
        n = self.n_splits
        order = [c * n + f for f in range(n) for c in range(n_tasks // n)]
        return (i for i in order if not self.race.is_stopped(i // n))

    def _take(self, i, out, outs):
        outs[i] = out
        if self.race is not None:
            self.race.observe(i // self.n_splits, i % self.n_splits, out)

    def _skip_stopped(self, tasks, outs):
        """Stand-ins for the fits of stopped candidates that did not run."""
        if self.race is None:
            return
        for i in range(len(tasks)):
            if i not in outs and self.race.is_stopped(i // self.n_splits):
                outs[i] = self.skipped_out()
                self.skipped.add(i)

    def _isolate(self, tasks, outs, error):
        """After a worker died: find whose fit killed it, keep everyone else's."""
        lost = {}
        for i in range(len(tasks)):
            if i not in outs:
                lost.setdefault(i // self.n_splits, []).append(i)
        if len(lost) == 1:  # only one candidate was running: it killed the worker
            self._fail(next(iter(lost.values())), outs, error)
            return
        for indices in lost.values():
            self.n_rerun += len(indices)
            again = self._run(indices, tasks, outs)
            if again is not None:
                self._fail([i for i in indices if i not in outs], outs, again)
            if self._expired:
                return

    def _fail(self, indices, outs, error):
        self.n_dead += 1
        message = death_message(error)
        for i in indices:
            outs[i] = self.failed_out(message)

    def _run(self, indices, tasks, outs):
        """Run ``tasks[i]`` for ``i`` in ``indices`` into ``outs``; see :meth:`call`."""
        return self.call((delayed(_indexed)(i, *tasks[i]) for i in indices),
                         lambda i, out: self._take(i, out, outs))

    def call(self, units, take, moving_deadline=False):
        """One ``Parallel`` call over ``units`` (``delayed`` tasks returning ``(key, out)``,
        read lazily), handing each result to ``take(key, out)`` as it returns.

        Returns the error of a worker that died (``None`` if none did); other
        errors are raised. Past ``self.deadline`` nothing runs, and running fits
        are cancelled; with ``moving_deadline``, ``self.deadline`` is read again
        while the call runs (:meth:`_moving_deadline_watch`), and
        ``alarm_armed`` says whether a fit in this process may need its alarm
        re-armed (:meth:`rearm_alarm`).
        """
        self._expired = False
        left = None if self.deadline is None else self.deadline - time.monotonic()
        if left is not None and left <= 0:
            self._expired = True
            return None
        with self._lock:
            self._running = True
        watch = (self._moving_deadline_watch if moving_deadline else self._deadline_watch)(left)
        self.alarm_armed = moving_deadline and watch.is_alarm
        try:
            with watch:
                for key, out in self._parallel(units):
                    take(key, out)
                    if self._expired:  # a backend that could not abort
                        break
        except _DeadlineInterrupt:
            return None
        except Exception as error:
            if self._expired:  # our abort killed the workers
                return None
            if is_worker_death(error):
                return error
            raise
        finally:
            self.alarm_armed = False
            with self._lock:
                self._running = False
        return None

    def _run_on_dask(self, tasks, outs):
        """Run ``tasks`` as Dask futures into ``outs``, as :class:`UnitStream` runs a
        stream's units: a ``KilledWorker`` fails its candidate, whose other fits are
        cancelled."""
        n = self.n_splits
        schedule = _BatchSchedule(self._order(len(tasks)), n)

        def failed(candidate, message):
            schedule.failed.add(candidate)
            for i in range(candidate * n, (candidate + 1) * n):
                outs.setdefault(i, self.failed_out(message))

        UnitStream(self, schedule, lambda candidate, split, _: tasks[candidate * n + split],
                   lambda key, out: self._take(key[0] * n + key[1], out, outs), failed).run()

    def _deadline_watch(self, left):
        """Context that stops the running call after ``left`` seconds."""
        if left is None:
            return _Nothing()
        if self._in_process:
            if (threading.current_thread() is threading.main_thread()
                    and hasattr(signal, "setitimer")):
                return _Alarm(left, self._interrupt)
            return _Nothing()  # elsewhere the running fit finishes
        return _Timer(left, self._expire)

    def _moving_deadline_watch(self, left):
        """Like :meth:`_deadline_watch`, for a deadline that moves while the call runs:
        ``self.deadline`` is read again as the call goes (an alarm is re-armed with
        :meth:`rearm_alarm`)."""
        watch = self._deadline_watch(left)
        return _PollingWatch(self) if isinstance(watch, _Timer) else watch

    @staticmethod
    def rearm_alarm(seconds):
        """Move the alarm of a fit running in this process to ``seconds`` from now."""
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))

    def _expire(self):
        with self._lock:
            if not self._running:
                return
            self._expired = True
        _abort(self._parallel)

    def _interrupt(self, signum, frame):
        if self._running:
            self._expired = True
            raise _DeadlineInterrupt


class _BatchSchedule:
    """A batch's units as a schedule for :class:`UnitStream`: its positions in
    order (lazily, so a race's stops count), skipping a failed candidate's."""

    def __init__(self, positions, n_splits):
        self._positions = iter(positions)
        self.n_splits = n_splits
        self.failed = set()

    def next_unit(self):
        for i in self._positions:
            if i // self.n_splits not in self.failed:
                return i // self.n_splits, i % self.n_splits, None
        return None


class _Nothing:
    #: Whether the watch is a ``SIGALRM`` in this process.
    is_alarm = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Timer(_Nothing):
    """Call ``function`` in a thread after ``seconds``, unless the block ended."""

    def __init__(self, seconds, function):
        self._timer = threading.Timer(seconds, function)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        self._timer.join()
        return False


class _PollingWatch(_Nothing):
    """Expire ``runner``'s call once ``runner.deadline`` (which may move) has passed."""

    PERIOD = 0.05

    def __init__(self, runner):
        self._runner = runner
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._done.wait(self.PERIOD):
            deadline = self._runner.deadline
            if deadline is not None and time.monotonic() >= deadline:
                self._runner._expire()
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        return False


class _Alarm(_Nothing):
    """Run ``handler`` on ``SIGALRM`` after ``seconds``, unless the block ended."""

    is_alarm = True

    def __init__(self, seconds, handler):
        self._seconds, self._handler = seconds, handler

    def __enter__(self):
        self._previous = signal.signal(signal.SIGALRM, self._handler)
        signal.setitimer(signal.ITIMER_REAL, self._seconds)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        return False
