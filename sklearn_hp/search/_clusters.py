"""The clusters a stream submits units to one by one: Dask's and Ray's.

Each adapter gives :class:`~sklearn_hp.search._stream.UnitStream` the same few
operations: ``slots`` (worker threads), ``submit`` a unit (the search's
scikit-learn configuration and warning filters travel with it, big arguments
go to the cluster once: ``Client.scatter``, ``ray.put``), ``wait`` for the
first to finish, its ``result``, ``cancel`` and ``close``.

* Dask: a future per unit through the client of joblib's Dask backend (which
  itself would wait for ever for a lost worker). The scheduler runs a fit
  whose worker died again elsewhere, up to
  ``distributed.scheduler.allowed-failures`` times, then fails it with
  ``KilledWorker``.
* Ray: a task per unit (``ray.remote``) while joblib's Ray backend is active,
  since that backend returns a call's results only at its end. A task whose
  worker process dies is run once more (``max_retries=1``), then fails with
  ``WorkerCrashedError``.
"""

import math
import sys
import time
import uuid

from ._workers import _configured_unit

__all__ = ["DaskCluster", "RayCluster", "approximate_size"]

#: Arguments bigger than this (bytes) are sent to a cluster once, not with every
#: unit: the data, the split indices.
SHIP_ONCE_BYTES = 100_000


def approximate_size(value):
    """Bytes an argument takes: arrays, sparse matrices and frames by their buffers."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    if hasattr(value, "memory_usage"):  # a pandas frame or series
        return int(value.memory_usage(deep=False).sum())
    if hasattr(value, "data") and hasattr(value.data, "nbytes"):  # scipy sparse
        return int(value.data.nbytes)
    return sys.getsizeof(value)


class _ShippedOnce:
    """Arguments sent to a cluster once, by identity: ``get(argument, size, put)`` is
    ``argument`` itself when ``size(argument)`` is small, else the handle ``put``
    made for it the first time (the argument is held, so its id stays unique)."""

    def __init__(self):
        self._shipped = {}  # id(argument) -> (argument, its handle on the cluster)

    def get(self, argument, size, put):
        key = id(argument)
        if key not in self._shipped:
            if size(argument) <= SHIP_ONCE_BYTES:
                return argument
            self._shipped[key] = (argument, put(argument))
        return self._shipped[key][1]

    def clear(self):
        self._shipped.clear()


class DaskCluster:
    """Units as futures on the ``distributed.Client`` of joblib's Dask backend."""

    #: Seconds between two asks of the scheduler for the cluster's threads.
    SLOTS_REFRESH = 1.0

    def __init__(self, client):
        self.client = client
        self._shipped = _ShippedOnce()
        self._slots, self._slots_at = 1, -math.inf

    @property
    def slots(self):
        """Worker threads of the cluster (asked again at most once a second: workers
        may come and go)."""
        if time.monotonic() - self._slots_at > self.SLOTS_REFRESH:
            self._slots = max(1, sum(self.client.nthreads().values()))
            self._slots_at = time.monotonic()
        return self._slots

    def _ship(self, argument):
        from dask.sizeof import sizeof

        return self._shipped.get(argument, sizeof,
                                 lambda value: self.client.scatter(value, hash=False))

    def submit(self, key, task, config, filters):
        function, args, kwargs = task
        return self.client.submit(
            _configured_unit, key, function, [self._ship(a) for a in args],
            {k: self._ship(v) for k, v in kwargs.items()}, config, filters,
            key=f"sklearn_hp_fit-{uuid.uuid4().hex}", pure=False)

    def wait(self, handles, timeout):
        from distributed import wait

        done, _ = wait(handles, timeout=timeout, return_when="FIRST_COMPLETED")
        return done

    def result(self, handle):
        if handle.status != "finished":
            raise handle.exception()
        out = handle.result()[1]
        handle.release()  # else the scheduler would run it again if its worker died
        return out

    def cancel(self, handles):
        self.client.cancel(list(handles))

    def close(self):
        self._shipped.clear()  # the cluster may forget the data


def _unit_with_refs(index, function, args, kwargs, config, filters):
    """Run a unit on a Ray worker, fetching the arguments sent once (object refs)."""
    import ray

    def fetch(value):
        return ray.get(value) if isinstance(value, ray.ObjectRef) else value

    return _configured_unit(index, function, [fetch(a) for a in args],
                            {k: fetch(v) for k, v in kwargs.items()}, config, filters)


class RayCluster:
    """Units as Ray tasks, one CPU each, on ``n_workers`` slots."""

    def __init__(self, n_workers):
        import ray

        self._ray = ray
        self._remote = ray.remote(_unit_with_refs).options(num_cpus=1, max_retries=1)
        self.slots = max(1, n_workers)
        self._shipped = _ShippedOnce()

    def _ship(self, argument):
        return self._shipped.get(argument, approximate_size, self._ray.put)

    def submit(self, key, task, config, filters):
        function, args, kwargs = task
        return self._remote.remote(key, function, [self._ship(a) for a in args],
                                   {k: self._ship(v) for k, v in kwargs.items()}, config,
                                   filters)

    def wait(self, handles, timeout):
        ready, _ = self._ray.wait(list(handles), num_returns=1, timeout=timeout)
        if not ready:
            raise TimeoutError
        return ready

    def result(self, handle):
        return self._ray.get(handle)[1]

    def cancel(self, handles):
        for handle in handles:
            self._ray.cancel(handle, force=True)

    def close(self):
        self._shipped.clear()
