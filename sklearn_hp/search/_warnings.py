"""Warnings raised inside a search's fits: recorded where each fit runs, reported once per kind.

A search runs hundreds of fits, most of them in joblib worker processes. A
warning raised there (a ``ConvergenceWarning`` from every candidate that hit
its epoch limit) is printed by the worker, once per fit, or lost. Here each fit
records its warnings instead, the search adds them up when ``fit`` ends, and
it emits **one warning per category** that says in how many of its fits it was
raised, with the most frequent message:

.. code-block:: text

    ConvergenceWarning: 53 of 60 fits of HyperbandSearchCV: "MLPClassifier
    stopped after max_epochs=4 epochs without converging; raise max_epochs or
    learning_rate." (and 2 other messages)

How it works: each fit of a search (:func:`~sklearn_hp.search._unit.fit_and_score`,
and the refit) runs inside :func:`recording_warnings`, which records the
warnings raised while the estimator fits and appends one line per fit to a file
in a directory of the search's own (one file per worker process). The search
reads the lines when ``fit`` ends, removes the directory and emits the
summaries (a directory left by a search process that was killed is removed by
a later search, :func:`remove_stale_logs`); ``search.fit_warnings_`` keeps
them (:class:`WarningSummary`). Only warnings raised inside the estimator's
``fit`` are collected (the refit included); those of scoring are left as they
are.

Filters behave as follows:

* The emitted warning keeps the category, so ``warnings.filterwarnings("ignore",
  category=ConvergenceWarning)`` (or ``"error"``) where ``fit`` is called acts on
  it as on the original warnings.
* Inside each fit the filters in force there apply first: a warning they ignore
  is not recorded, and one they turn into an error fails that fit, as in
  scikit-learn's own searches (the fit gets ``error_score``). scikit-learn 1.7+
  hands the caller's filters to its joblib workers, and fits in the calling
  process (``n_jobs=1``) see them directly; with scikit-learn 1.6 and process
  workers, a warning the caller turned into an error raises when ``fit`` ends.
* Fits running in a thread other than the main one (the threading backend,
  Dask workers) are not recorded (``warnings.catch_warnings`` is not thread-safe):
  their warnings appear as they would without the search. Fits in processes
  on another machine write to a directory they cannot see and are not recorded
  either.
"""

import collections
import contextlib
import dataclasses
import importlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import warnings

from .._stacklevel import user_stacklevel
from ._checkpoint_dir import process_running

__all__ = ["WarningSummary", "WarningTally", "collect_fit_warnings",
           "read_fit_warnings", "recording_warnings", "shorten", "warn_summaries"]

_PREFIX = "sklearn_hp_fit_warnings_"
#: A log directory left by a search process that died (SIGKILL, a crash) is
#: removed by the next search once it has not changed for this many seconds.
STALE_AFTER = 600.0


def shorten(text, width=160):
    """``text`` on one line, cut at a word boundary to at most ``width`` characters.

    Whitespace runs (line breaks included) become one space; a cut text ends
    with `` …``; a single word longer than ``width`` is kept whole.
    """
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[:width - 1]
    cut = head.rfind(" ")
    if cut <= 0:
        cut = text.find(" ")
        return text if cut < 0 else text[:cut] + " …"
    return head[:cut].rstrip(" ,;:") + " …"


@dataclasses.dataclass(frozen=True)
class WarningSummary:
    """One kind (category) of warning, counted.

    Attributes
    ----------
    category : type
        The warning class (``UserWarning`` when the recorded class could not be
        imported where the search runs; ``name`` still names it).
    name : str
        The category's name.
    in_fits : int
        Fits that raised it (once or more).
    of_fits : int
        Fits recorded (0 when the warning was only counted outside fits).
    outside : int
        Times it was raised outside the recorded fits.
    message : str
        The most frequent of its messages.
    n_messages : int
        Distinct messages it was raised with.
    """

    category: type
    name: str
    in_fits: int
    of_fits: int
    outside: int
    message: str
    n_messages: int

    def _counts(self, owner):
        if not self.in_fits:
            return f"×{self.outside}"
        fits = (f"{self.in_fits} of {self.of_fits} fits of {owner}" if owner
                else f"in {self.in_fits} of {self.of_fits} fits")
        return fits + (f" and {self.outside} times outside them" if self.outside else "")

    def text(self, owner=None, width=None):
        """What it says: the counts, then the most frequent message in quotes.

        Parameters
        ----------
        owner : str or None
            Who ran the fits: ``"53 of 60 fits of BayesSearchCV: ..."``; without
            it ``"in 53 of 60 fits: ..."``.
        width : int or None
            The message is cut at a word boundary (:func:`shorten`) to this width;
            ``None`` keeps it whole.
        """
        message = self.message if width is None else shorten(self.message, width)
        n = self.n_messages - 1
        others = f" (and {n} other message{'s' if n > 1 else ''})" if n > 0 else ""
        return f'{self._counts(owner)}: "{message}"{others}'

    def __str__(self):
        return f"{self.name} {self.text(width=160)}"


class WarningTally:
    """Warnings counted by category, with their messages.

    The one aggregation behind a search's warnings (:meth:`add_fit`, one call per
    recorded fit) and the command line's warning lines (:meth:`add_caught`: the
    warnings caught around a command, a search's summaries merged whole).

    Attributes
    ----------
    n_fits : int
        Fits counted with :meth:`add_fit`.
    """

    def __init__(self):
        self.n_fits = 0
        self._kinds = {}

    def _kind(self, category, name=None):
        name = name or category.__name__
        if name not in self._kinds:
            self._kinds[name] = {"category": category, "in_fits": 0, "in_merged": 0,
                                 "of_merged": 0, "outside": 0, "more_messages": 0,
                                 "messages": collections.Counter()}
        return self._kinds[name]

    def add_fit(self, raised):
        """Count one fit and the warnings it raised.

        Parameters
        ----------
        raised : list of (category, name, message, count)
            What the fit raised, ``count`` times each (a category counts the fit
            once, however many times it was raised in it).
        """
        self.n_fits += 1
        for name in {name for _, name, _, _ in raised}:
            category = next(c for c, n, _, _ in raised if n == name)
            self._kind(category, name)["in_fits"] += 1
        for category, name, message, count in raised:
            self._kind(category, name)["messages"][message] += count

    def add(self, category, message, count=1):
        """Count a warning raised outside the recorded fits."""
        kind = self._kind(category)
        kind["outside"] += count
        kind["messages"][str(message)] += count

    def merge(self, summary):
        """Add a :class:`WarningSummary` (a search's count of its fits)."""
        kind = self._kind(summary.category, summary.name)
        kind["in_merged"] += summary.in_fits
        kind["of_merged"] += summary.of_fits
        kind["outside"] += summary.outside
        kind["messages"][summary.message] += summary.in_fits + summary.outside
        kind["more_messages"] += summary.n_messages - 1

    def add_caught(self, caught):
        """Add warnings caught with ``warnings.catch_warnings(record=True)``.

        A warning a search emitted for its fits carries its
        :class:`WarningSummary` (``.summary``) and is merged whole.
        """
        for item in caught:
            summary = getattr(item.message, "summary", None)
            if isinstance(summary, WarningSummary):
                self.merge(summary)
            else:
                self.add(item.category, item.message)

    def summaries(self):
        """One :class:`WarningSummary` per category, the most frequent first."""
        out = []
        for name, kind in self._kinds.items():
            messages = kind["messages"]
            out.append(WarningSummary(
                category=kind["category"], name=name,
                in_fits=kind["in_fits"] + kind["in_merged"],
                of_fits=(self.n_fits if kind["in_fits"] else 0) + kind["of_merged"],
                outside=kind["outside"],
                message=max(messages, key=messages.get) if messages else "",
                n_messages=len(messages) + kind["more_messages"]))
        return sorted(out, key=lambda s: (-(s.in_fits + s.outside), s.name))


# ----------------------------------------------------------------- in each fit
def _log_path(directory):
    return os.path.join(directory, f"{socket.gethostname()}-{os.getpid()}.jsonl")


@contextlib.contextmanager
def recording_warnings(directory):
    """Record the warnings raised in the block as one line of ``directory``'s log.

    Nothing is recorded (the warnings go their usual way) when ``directory`` is
    ``None`` or absent here, or outside the main thread.
    """
    if (directory is None or not os.path.isdir(directory)
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        try:
            yield
        finally:
            raised = collections.Counter(
                (w.category.__module__, w.category.__qualname__, str(w.message))
                for w in caught)
            line = json.dumps([[*key, n] for key, n in raised.items()])
            with contextlib.suppress(OSError):  # the search ended meanwhile
                with open(_log_path(directory), "a", encoding="utf-8") as f:
                    f.write(line + "\n")


# ----------------------------------------------------------------- in the search
def _category(module, qualname):
    """The warning class named so, or ``None`` when it cannot be imported here."""
    try:
        found = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except Exception:
        return None
    return found if isinstance(found, type) and issubclass(found, Warning) else None


def read_fit_warnings(directory):
    """A :class:`WarningTally` of the fits logged in ``directory``.

    A line cut short (a worker killed while writing) is skipped.
    """
    tally = WarningTally()
    for entry in sorted(os.listdir(directory)):
        with open(os.path.join(directory, entry), encoding="utf-8") as f:
            lines = f.read().splitlines()
        for line in lines:
            try:
                raised = [(_category(module, qualname) or UserWarning, qualname, message, n)
                          for module, qualname, message, n in json.loads(line)]
            except (ValueError, TypeError):
                continue
            tally.add_fit(raised)
    return tally


def warn_summaries(summaries, owner):
    """Emit one warning per summary, of its category, at the user's line.

    The warning carries its summary as ``.summary`` (see
    :meth:`WarningTally.add_caught`).
    """
    for summary in summaries:
        text = summary.text(owner)
        if summary.category.__name__ != summary.name:  # its class is not importable here
            text = f"{summary.name}: {text}"
        try:
            warning = summary.category(text)
        except Exception:  # a category whose constructor needs more than a message
            warning = UserWarning(f"{summary.name}: {text}")
        warning.summary = summary
        warnings.warn(warning, stacklevel=user_stacklevel())


def remove_stale_logs(root, stale_after=STALE_AFTER, now=None):
    """Remove the log directories under ``root`` whose search process is gone.

    A search removes its directory when ``fit`` ends, unless its process was
    killed. A directory is named after its search's process id; it is removed
    when no process of that id runs and neither it nor a file in it changed for
    ``stale_after`` seconds (the second test guards against a process id seen
    from another PID namespace; a worker that finds its directory gone loses
    only its warning records). Returns the directories removed.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        names = [n for n in os.listdir(root) if n.startswith(_PREFIX)]
    except OSError:
        return removed
    for name in names:
        pid = name[len(_PREFIX):].split("_", 1)[0]
        path = os.path.join(root, name)
        try:
            fresh = now - _last_change(path) < stale_after
            if not pid.isdigit() or fresh or process_running(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _last_change(directory):
    """When ``directory`` or a file in it last changed (workers append to their files)."""
    times = [os.stat(directory).st_mtime]
    with os.scandir(directory) as entries:
        times += [entry.stat().st_mtime for entry in entries]
    return max(times)


@contextlib.contextmanager
def collect_fit_warnings(search):
    """Collect the warnings of ``search``'s fits; emit one per category at the end.

    Yields the log directory the fits record to (:func:`recording_warnings`).
    When the block ends normally, ``search.fit_warnings_`` is set and the
    summaries are emitted (after every other context has exited, so a filter
    that turns them into errors finds the search complete).
    """
    remove_stale_logs(tempfile.gettempdir())
    directory = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}_")
    try:
        yield directory
        tally = read_fit_warnings(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    search.fit_warnings_ = tally.summaries()
    warn_summaries(search.fit_warnings_, type(search).__name__)
