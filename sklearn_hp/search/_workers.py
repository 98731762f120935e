"""What runs on a search's workers, and how their backends are told apart.

The unit wrapper each worker calls (:func:`_indexed`, and
:func:`_configured_unit` on a Dask cluster, which carries the search's
scikit-learn configuration and warning filters), how a dying worker is
recognised (:func:`is_worker_death`) and reported (:func:`death_message`),
which backend is active (:func:`dask_client`, :func:`_return_as`,
:func:`fits_in_this_process`), and how a
running ``Parallel`` call is stopped (:func:`_abort`, :class:`_DeadlineInterrupt`).
Both the batch runner (:mod:`._runner`) and the stream (:mod:`._stream`) use them.
"""

import warnings

from joblib import effective_n_jobs
from joblib.parallel import SequentialBackend, ThreadingBackend, get_active_backend
from sklearn import config_context

__all__ = ["WORKER_DEATHS", "dask_client", "death_message", "fits_in_this_process",
           "is_worker_death"]

#: Exceptions by which joblib's backends report a worker that died mid-task:
#: loky's (and ``concurrent.futures``') broken pool, Dask's killed worker, Ray's.
WORKER_DEATHS = frozenset({"TerminatedWorkerError", "BrokenProcessPool", "KilledWorker",
                           "WorkerCrashedError", "RayActorError"})


def is_worker_death(error):
    """Whether ``error`` says a worker process died (not that a fit raised)."""
    return any(cls.__name__ in WORKER_DEATHS for cls in type(error).__mro__)


def death_message(error):
    """The ``fit_error`` of a fit whose worker process died."""
    text = str(error).strip().splitlines()
    return (f"{type(error).__name__}: its worker process died while fitting this "
            f"candidate ({text[0] if text else 'no message'}). The fit may crash its "
            f"process (a segmentation fault, os._exit) or exhaust the memory.")


class _DeadlineInterrupt(BaseException):
    """Raised in a fit running in the search's process when the deadline comes.

    Not an ``Exception``, so that scikit-learn does not record it as the fit's
    error (as with ``KeyboardInterrupt``).
    """


def _indexed(index, function, args, kwargs):
    """Run one unit in a worker; return its position with its result.

    The call is wrapped by scikit-learn's ``delayed``, which hands the worker
    the search's configuration and warning filters.
    """
    return index, function(*args, **kwargs)


def _configured_unit(index, function, args, kwargs, config, filters):
    """Run one fit on a Dask worker with the search's configuration.

    ``config`` is the scikit-learn configuration and ``filters`` the warning
    filters in force where the search runs (what scikit-learn's ``Parallel``
    hands its workers).
    """
    with config_context(**config), warnings.catch_warnings():
        warnings.resetwarnings()
        for action, message, category, module, lineno in reversed(filters):
            # a pattern is a compiled expression, a string or None (any text)
            warnings.filterwarnings(action, getattr(message, "pattern", message) or "",
                                    category, getattr(module, "pattern", module) or "", lineno)
        return _indexed(index, function, args, kwargs)


def dask_client():
    """The ``distributed.Client`` of the active joblib backend, if it is Dask's.

    Returns ``None`` for any other backend (loky, threading, ...).
    """
    backend, _ = get_active_backend()
    client = getattr(backend, "client", None)
    if client is None:
        return None
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a backend with a client needs it
        return None
    return client if isinstance(client, Client) else None


def fits_in_this_process(n_jobs):
    """Whether a search with ``n_jobs`` runs every fit in this process.

    True for one job on a local backend and for joblib's threads; False when
    fits go to other processes (loky, multiprocessing) or to a Dask or Ray cluster.
    """
    if dask_client() is not None or ray_backend():
        return False
    backend, _ = get_active_backend()
    return effective_n_jobs(n_jobs) == 1 or isinstance(backend, ThreadingBackend)


def ray_backend():
    """Whether the active joblib backend is Ray's (``ray.util.joblib``)."""
    backend, _ = get_active_backend()
    return type(backend).__module__.partition(".")[0] == "ray"


def _return_as():
    """How ``Parallel`` hands back a call's results on the active joblib backend.

    One by one as they return (``"generator_unordered"``) where the backend can;
    joblib's ``multiprocessing`` backend and Ray's (built on it) return a call's
    results only all together at its end (``"list"``): there a batch's results
    come at once, and a dead worker's error loses the call's other results, so
    its candidates run again one per call.
    """
    backend, _ = get_active_backend()
    streams = isinstance(backend, SequentialBackend) or backend.supports_return_generator
    return "generator_unordered" if streams else "list"


def _abort(parallel):
    """Abort a running ``Parallel`` call from another thread.

    joblib does this itself when a task fails: it stops dispatching and asks the
    backend to cancel everything (loky kills its workers, Dask cancels the
    futures, and the backend is made ready for the next call). joblib has no
    public method for it; without one the call runs to its end.
    """
    abort = getattr(parallel, "_abort", None)
    if abort is not None:
        abort()
