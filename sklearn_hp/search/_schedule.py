"""Which fit runs next: the asynchronous schedule of a search's trials.

A :class:`TrialSchedule` hands a free worker its next unit (one candidate on
one split) the moment the worker asks, with no batch to wait for: the next
split of a trial already started, or else the first split of a new candidate,
asked of the search there and then (conditioned on the trials finished so far,
with the ones still running as pending). Results come back through
:meth:`TrialSchedule.take`, in any order; a trial is finished once every split
it runs has returned.

Under fold racing (a :class:`~sklearn_hp.search._racing.FoldRace`), a trial's
splits go out one at a time where possible, so that the race sees a fold before
the next one starts; the workers stay busy with other trials meanwhile, and the
splits of a trial the race stopped are never handed out. The schedule screens:
it keeps up to ``window`` trials open, starting each new one on its first split,
and continues the open trial the race estimates best on its splits so far as soon
as that estimate reaches the bar (or once the window is full). The first trial to
complete is then likely the best of its window, and the others race against it from
their first split on.

The schedule is called from joblib's dispatching thread (``next_unit``) and
from the thread reading the results (``take``): one lock guards its state.
"""

import dataclasses
import math
import threading

__all__ = ["IDLE", "OpenTrial", "TrialSchedule"]

#: Returned by :meth:`TrialSchedule.next_unit` (and by a search's ``ask``) when
#: nothing may start until a running fit returns.
IDLE = "idle"


@dataclasses.dataclass
class OpenTrial:
    """A trial started and not finished yet.

    Attributes
    ----------
    number : int
    params : dict
    issued : int
        Splits handed out so far (splits go out in order).
    outs : dict
        Split -> result, for the splits that returned.
    failed : str or None
        Why the trial failed as a whole (its worker died), if it did.
    """

    number: int
    params: dict
    issued: int = 0
    outs: dict = dataclasses.field(default_factory=dict)
    failed: str | None = None

    @property
    def in_flight(self):
        return self.issued - len(self.outs)


class TrialSchedule:
    """Hands out units of trials as workers free up; collects their results.

    Parameters
    ----------
    n_splits : int
        Splits per trial.
    ask : callable
        ``ask(number)``: the parameters of trial ``number`` (the trials running
        are :attr:`open_trials`); ``None`` when the search has no new
        candidate, :data:`IDLE` when it must wait for a running trial first.
    n_trials : int
        New trials to start at most.
    first_number : int
        Number of the first new trial.
    race : FoldRace or None
        Decides which trials stop early (keyed by trial number).
    max_open : int or None
        Under racing, the trials that may be open at once before a trial's next
        split goes out while its previous one is still running.
    window : int
        Under racing, the trials kept open (each new one on its first split)
        before an open trial goes on; 1 runs a trial's splits in turn before the
        next trial starts, unless every split of the open ones is running.
    queued : list of (int, dict)
        Trials to run first, with their numbers (a resumed search's reruns).
    may_start : callable
        ``may_start()`` is false once no new unit may start (a stop, a deadline).
    """

    def __init__(self, n_splits, ask, n_trials, first_number, *, race=None, max_open=None,
                 window=1, queued=(), may_start=lambda: True):
        self.n_splits = n_splits
        self.race = race
        self.lock = threading.RLock()
        self._ask = ask
        self._n_left = n_trials
        self._next_number = first_number
        self._max_open = max_open
        self._window = window
        self._queued = list(queued)
        self._may_start = may_start
        self._open = {}  # number -> OpenTrial, in the order they started
        self.refused = False  # a unit was held back by ``may_start``

    # ------------------------------------------------------------- queries
    @property
    def open_trials(self):
        """The trials started and not finished, in the order they started."""
        with self.lock:
            return list(self._open.values())

    # ---------------------------------------------------------- handing out
    def next_unit(self):
        """``(number, split, params)`` of the unit to start now, :data:`IDLE`, or
        ``None`` when no unit will ever start again."""
        with self.lock:
            if not self._may_start():
                self.refused = True
                return None
            trial = self._next_started()
            if trial is None:
                new = self._start_new()
                if new is None or new == IDLE:  # none to start: an open trial may go on
                    trial = self._next_started(screening=False)
                    if trial is None:
                        return new
                else:
                    trial = new
            trial.issued += 1
            return trial.number, trial.issued - 1, trial.params

    def _splits_left(self, trial):
        stopped = self.race is not None and self.race.is_stopped(trial.number)
        return trial.issued < self.n_splits and not stopped

    def _next_started(self, screening=True):
        """The started trial whose next split may go out now: the oldest, or under
        racing the one standing best (``None``: start a new trial first)."""
        waiting = [t for t in self._open.values() if self._splits_left(t)]
        if self.race is None or not waiting:
            return waiting[0] if waiting else None
        idle = [t for t in waiting if t.in_flight == 0]
        # the best estimate (the oldest of equals) goes on at once if it may beat the
        # bar; otherwise new trials are screened first, up to the window
        best = max(idle, key=lambda t: _standing(self.race, t.number)) if idle else None
        if (screening and len(self._open) < self._window and self._may_propose()
                and not (best is not None and self.race.may_beat_bar(best.number))):
            return None
        if best is not None:
            return best
        # every trial waits for a fold: a new trial, unless too many are open
        full = self._max_open is not None and len(self._open) >= self._max_open
        return waiting[0] if full or not self._may_propose() else None

    def _may_propose(self):
        return bool(self._queued) or self._n_left > 0

    def _start_new(self):
        """A new open trial, ``None`` if there is none, or :data:`IDLE`."""
        if self._queued:
            number, params = self._queued.pop(0)
        else:
            if self._n_left <= 0:
                return None
            params = self._ask(self._next_number)
            if params is None or params == IDLE:
                if params is None:
                    self._n_left = 0
                return params
            number = self._next_number
            self._next_number += 1
            self._n_left -= 1
        trial = self._open[number] = OpenTrial(number, params)
        return trial

    # ------------------------------------------------------------ results
    def take(self, number, split, out):
        """Take a unit's result; return the trials it finished (a list).

        Under racing, a trial that completes raises the bar, which may stop
        other open trials waiting for their next split: they finish too.
        Results of a trial no longer open (it failed as a whole) are dropped.
        """
        with self.lock:
            trial = self._open.get(number)
            if trial is None:
                return []
            trial.outs[split] = out
            if self.race is None:
                done = self._close_if_done(trial)
                return [] if done is None else [done]
            self.race.observe(number, split, out)
            closed = (self._close_if_done(t) for t in list(self._open.values()))
            return [t for t in closed if t is not None]

    def fail(self, number, message):
        """Fail trial ``number`` as a whole (its worker died); return it, closed."""
        with self.lock:
            trial = self._open.pop(number, None)
            if trial is not None:
                trial.failed = message
            return trial

    def _close_if_done(self, trial):
        if trial.in_flight or self._splits_left(trial):
            return None  # (a trial cut short by a stop stays open: cancelled at the end)
        return self._open.pop(trial.number)

    def close_all(self):
        """Close and return the open trials (the run ended before they finished)."""
        with self.lock:
            trials, self._open = list(self._open.values()), {}
            return trials


def _standing(race, number):
    """``race``'s estimate of trial ``number``'s full mean (-inf without one)."""
    estimate = race.estimate(number)
    return estimate if estimate == estimate else -math.inf
