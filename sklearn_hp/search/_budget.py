"""Training an estimator for a budget of a resource, continuing from checkpoints.

Budget-based searches (successive halving, Hyperband) evaluate the same candidate
at growing budgets. ``BaseSearchCV`` clones and fits a fresh estimator for every
(candidate, split) in worker processes, so a model trained in one rung is gone by
the next. :class:`BudgetedEstimator` wraps the user's estimator to bridge that:

* its ``fit`` looks up a checkpoint keyed by (candidate hyperparameters, training
  data fingerprint) in a directory shared by all workers on the machine;
* if one exists for a smaller budget, it loads that model and trains only for the
  missing epochs (``warm_start=True``), else it trains from scratch;
* it saves the model back as the checkpoint for the next rung and appends the
  number of epochs it actually trained to a ledger, so the search can report the
  real cost.

Checkpoints are written atomically (write then rename), so concurrent joblib
workers never read half-written files. When workers do not share the directory
(a multi-machine dask cluster without a shared file system), the look-up misses
and training restarts from scratch: results stay correct, only the saving is lost.
Checkpoints are pickles written by the search itself into its own directory;
never point ``checkpoint_dir`` at a directory others can write to.

Where the directory lives (:func:`checkpoint_directory`): with a storage file,
next to it (``study.db.checkpoints``), kept after a crash so a resumed search
continues training, removed when the search completes; otherwise a fresh
directory (in ``checkpoint_dir`` or the temporary directory) removed when
``fit`` exits. A directory left by a killed process is removed by the next
budget search that starts, or by :func:`clean_checkpoints`.
"""

import hashlib
import json
import os
import pickle
import shutil
import socket
import tempfile
import uuid

import joblib
import numpy as np

try:  # joblib >= 1.6 depends on cloudpickle; older versions ship it inside
    import cloudpickle
except ImportError:  # pragma: no cover
    from joblib.externals import cloudpickle
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.metaestimators import available_if

__all__ = ["BudgetedEstimator", "resolve_continuation", "candidate_fingerprint",
           "read_ledger", "CONTINUATIONS", "checkpoint_directory", "clean_checkpoints",
           "release_checkpoints",
           "data_fingerprint"]

_PREFIX = "sklearn_hp_ckpt_"
_OWNER = "owner.json"
#: Checkpoint directories in use by a search running in this process.
_ACTIVE = set()

#: How a budget is applied: "continue" sets the resource to the *extra* epochs and
#: ``warm_start=True`` (our estimators, SGD, MLP); "total" sets it to the total with
#: ``warm_start=True`` (tree ensembles' ``n_estimators``); "restart" retrains from
#: scratch; "n_samples" trains from scratch on a subsample of that size.
CONTINUATIONS = ("auto", "continue", "total", "restart")


def _owner_and_prefix(estimator, resource):
    prefix, _, _ = resource.rpartition("__")
    owner = estimator.get_params()[prefix] if prefix else estimator
    return owner, (prefix + "__" if prefix else "")


def resolve_continuation(estimator, resource, continuation="auto"):
    """Decide how budgets of ``resource`` are applied to ``estimator``.

    Parameters
    ----------
    estimator : estimator
    resource : str
        ``"n_samples"`` or a parameter name of ``estimator`` (nested names work).
    continuation : {"auto", "continue", "total", "restart"}
        ``"auto"``: ``"continue"`` when the resource's owner has ``warm_start``
        and ``partial_fit`` (epochs), ``"total"`` when it has ``warm_start`` only
        (ensembles), else ``"restart"``.

    Returns
    -------
    str
    """
    if continuation not in CONTINUATIONS:
        raise ValueError(
            f"continuation must be one of {CONTINUATIONS}, got {continuation!r}."
        )
    if resource == "n_samples":
        return "n_samples"
    params = estimator.get_params()
    if resource not in params:
        int_params = sorted(k for k in params
                            if isinstance(params[k], int) and not isinstance(params[k], bool))
        raise ValueError(
            f"resource={resource!r} is not a parameter of {type(estimator).__name__}. "
            f"Accepted: 'n_samples' or an integer parameter such as "
            f"{int_params}."
        )
    if continuation != "auto":
        return continuation
    owner, prefix = _owner_and_prefix(estimator, resource)
    if prefix + "warm_start" not in params:
        return "restart"
    return "continue" if hasattr(owner, "partial_fit") else "total"


def candidate_fingerprint(estimator, resource):
    """Hash of an estimator's hyperparameters, ignoring the resource and warm_start."""
    params = estimator.get_params(deep=True)
    _, prefix = _owner_and_prefix(estimator, resource) if resource != "n_samples" else (None, "")
    ignored = {resource, prefix + "warm_start"}
    kept = {k: v for k, v in params.items() if k not in ignored and not hasattr(v, "get_params")}
    items = sorted(kept.items(), key=lambda kv: kv[0])
    try:  # plain pickling is ~100x faster than joblib.hash for a few scalars
        return hashlib.sha1(pickle.dumps(items, protocol=4)).hexdigest()
    except Exception:  # e.g. a lambda among the hyperparameters
        return joblib.hash(items)


def data_fingerprint(X, y):
    """Hash of the training data, fast for numpy arrays (no pickling)."""
    if isinstance(X, np.ndarray) and (y is None or isinstance(y, np.ndarray)):
        digest = hashlib.sha1()
        for array in (X, y):
            if array is not None:
                array = np.ascontiguousarray(array)
                digest.update(f"{array.shape}{array.dtype}".encode())
                digest.update(array.view(np.uint8).ravel() if array.dtype != object
                              else joblib.hash(array).encode())
        return digest.hexdigest()
    return joblib.hash((X, y))


def _ledger_path(checkpoint_dir, run_id):
    return os.path.join(checkpoint_dir, f"ledger-{run_id}.txt" if run_id else "ledger.txt")


def read_ledger(checkpoint_dir, run_id=None):
    """Total resource trained by the fits of run ``run_id`` in ``checkpoint_dir``."""
    path = _ledger_path(checkpoint_dir, run_id)
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return int(sum(float(line) for line in f if line.strip()))


def _owner_alive(directory):
    """Whether the process that made a checkpoint directory still runs."""
    try:
        with open(os.path.join(directory, _OWNER)) as f:
            owner = json.load(f)
    except (OSError, ValueError):
        return False
    if owner.get("host") != socket.gethostname():
        return True  # cannot tell: leave other machines' directories alone
    if owner.get("pid") == os.getpid():
        return os.path.abspath(directory) in _ACTIVE
    try:
        os.kill(int(owner["pid"]), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, KeyError, ValueError, TypeError):
        return True
    return True


def checkpoint_directory(checkpoint_dir=None, storage_path=None):
    """Create the checkpoint directory of one budget search.

    Parameters
    ----------
    checkpoint_dir : str or None
        Parent directory given by the user (``None``: the temporary directory).
    storage_path : str or None
        ``<storage file>.checkpoints`` when the search has a storage file; it
        is reused by a resumed search.

    Returns
    -------
    directory : str
    persistent : bool
        Whether the directory should survive an abnormal exit (for resuming).
    """
    if storage_path is not None and checkpoint_dir is None:
        directory, persistent = storage_path, True
    else:
        parent = checkpoint_dir or tempfile.gettempdir()
        clean_checkpoints(parent)
        directory = os.path.join(parent, f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}")
        persistent = False
    _make_owned(directory)
    _ACTIVE.add(os.path.abspath(directory))
    return directory, persistent


def _make_owned(directory):
    """Create ``directory`` (or take it over) with its owner file, never without it.

    Another process's :func:`clean_checkpoints` removes a checkpoint directory
    whose owner file is missing or half-written; so a new directory is made
    under a name it does not look at and renamed once the owner file is in it,
    and an existing one gets its owner file replaced in one step.
    """
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".sklearn_hp_staging_", dir=parent)
    _write_owner(staging)
    try:
        os.rename(staging, directory)
    except OSError:  # it exists: the storage's directory of a resumed search
        shutil.rmtree(staging, ignore_errors=True)
        _write_owner(directory)


def _write_owner(directory):
    tmp = os.path.join(directory, f".{_OWNER}.{uuid.uuid4().hex}")
    with open(tmp, "w") as f:
        json.dump({"host": socket.gethostname(), "pid": os.getpid()}, f)
    os.replace(tmp, os.path.join(directory, _OWNER))


def release_checkpoints(directory, remove):
    """Mark a checkpoint directory unused by this process; remove it if asked."""
    _ACTIVE.discard(os.path.abspath(directory))
    if remove:
        shutil.rmtree(directory, ignore_errors=True)


def clean_checkpoints(path=None):
    """Remove checkpoint directories that no running search owns.

    Budget searches remove their checkpoints when ``fit`` ends; a process
    killed with SIGKILL cannot. Call this after such a crash (budget searches
    also call it when they start).

    Parameters
    ----------
    path : str, path-like or None
        A storage file (its ``.checkpoints`` directory is removed unless its
        search is running), a directory holding checkpoint directories, or
        ``None`` for the temporary directory.

    Returns
    -------
    removed : list of str
        The directories removed.
    """
    path = tempfile.gettempdir() if path is None else os.fspath(path)
    candidates = []
    if os.path.isdir(path + ".checkpoints"):
        candidates.append(path + ".checkpoints")
    elif os.path.isdir(path):
        candidates = [os.path.join(path, name) for name in os.listdir(path)
                      if name.startswith(_PREFIX)]
    removed = []
    for directory in candidates:
        if os.path.isdir(directory) and not _owner_alive(directory):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


def _save_checkpoint(path, model, budget):
    """Write ``(model, budget)`` atomically; a model that cannot be saved is not.

    cloudpickle (joblib's) also saves classes defined in ``__main__`` or a
    notebook, which plain pickle cannot from a worker process; the file still
    loads with ``pickle.load``. A failed save only costs the next rung a
    restart from scratch.
    """
    tmp = f"{path}.{uuid.uuid4().hex}.tmp"
    try:
        with open(tmp, "wb") as f:
            cloudpickle.dump((model, budget), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.remove(tmp)


def _delegated(name):
    """Method ``name`` calling the fitted model's, offered when the estimator has it.

    The function is named before ``available_if`` wraps it: scikit-learn's scorers
    call a bound method by its ``__name__``.
    """

    def method(self, X, *args, **params):
        return getattr(self.estimator_, name)(X, *args, **params)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``estimator_.{name}``."
    return available_if(lambda self: hasattr(self.estimator, name))(method)


class BudgetedEstimator(MetaEstimatorMixin, BaseEstimator):
    """Fit ``estimator`` for ``budget`` units of ``resource``, resuming checkpoints.

    Used internally by :class:`SuccessiveHalvingSearchCV` and
    :class:`HyperbandSearchCV`; it is transparent to the search: ``set_params``
    forwards every hyperparameter to the wrapped estimator except ``resource``,
    which becomes the budget, and prediction methods delegate to the fitted model
    ``estimator_``.

    Parameters
    ----------
    estimator : estimator
        The unfitted estimator.
    resource : str
        Parameter name of the budget, or ``"n_samples"``.
    continuation : str
        From :func:`resolve_continuation`.
    checkpoint_dir : str or None
        Directory shared by the workers; ``None`` disables checkpoints.
    max_resource : int or None
        Budgets at or above it use all samples (``resource="n_samples"``).
    budget : int or None
        Current budget; ``None`` keeps the estimator's own setting.
    random_state : int or None
        Seed of the subsample when ``resource="n_samples"``.
    run_id : str or None
        Names the ledger file the resource trained is appended to, so a search
        counts its own fits only.
    """

    def __init__(self, estimator, resource, continuation, checkpoint_dir=None,
                 max_resource=None, budget=None, random_state=None, run_id=None):
        self.estimator = estimator
        self.resource = resource
        self.continuation = continuation
        self.checkpoint_dir = checkpoint_dir
        self.max_resource = max_resource
        self.budget = budget
        self.random_state = random_state
        self.run_id = run_id

    def set_params(self, **params):
        own = set(self._get_param_names())
        own_params = {k: v for k, v in params.items() if k in own}
        if self.resource in params and self.resource not in own:
            own_params["budget"] = params[self.resource]
        inner = {k: v for k, v in params.items() if k not in own and k != self.resource}
        super().set_params(**own_params)
        if inner:
            self.estimator = clone(self.estimator).set_params(**inner)
        return self

    def get_metadata_routing(self):
        return get_routing_for_object(self.estimator)

    def __sklearn_tags__(self):
        return self.estimator.__sklearn_tags__()

    @property
    def _estimator_type(self):
        return getattr(self.estimator, "_estimator_type", None)

    @property
    def classes_(self):
        return self.estimator_.classes_

    def _checkpoint_path(self, X, y):
        key = candidate_fingerprint(self.estimator, self.resource)
        return os.path.join(self.checkpoint_dir, f"{key}-{data_fingerprint(X, y)}.pkl")

    def fit(self, X, y=None, **fit_params):
        """Train for ``budget``, continuing a checkpoint when one exists."""
        if self.budget is None:
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
            return self
        budget = int(self.budget)
        if self.continuation == "n_samples":
            model, spent = self._fit_subsample(X, y, budget, fit_params)
        else:
            model, spent = self._fit_resource(X, y, budget, fit_params)
        if self.checkpoint_dir is not None:
            with open(_ledger_path(self.checkpoint_dir, self.run_id), "a") as f:
                f.write(f"{spent}\n")
        self.estimator_ = model
        self.resource_spent_ = spent
        return self

    def _fit_subsample(self, X, y, budget, fit_params):
        n = len(X) if hasattr(X, "__len__") else X.shape[0]
        model = clone(self.estimator)
        if self.max_resource is not None and budget >= self.max_resource or budget >= n:
            return model.fit(X, y, **fit_params), n
        rng = check_random_state(self.random_state)
        keep = np.sort(rng.permutation(n)[:budget])
        X_sub = X.iloc[keep] if hasattr(X, "iloc") else X[keep]
        y_sub = None if y is None else (y.iloc[keep] if hasattr(y, "iloc") else np.asarray(y)[keep])
        sub_params = {k: (np.asarray(v)[keep] if hasattr(v, "__len__") and len(v) == n else v)
                      for k, v in fit_params.items()}
        return model.fit(X_sub, y_sub, **sub_params), budget

    def _fit_resource(self, X, y, budget, fit_params):
        path = None
        model, trained = None, 0
        if self.checkpoint_dir is not None and self.continuation != "restart":
            path = self._checkpoint_path(X, y)
            if os.path.exists(path):
                try:
                    with open(path, "rb") as f:
                        model, trained = pickle.load(f)
                except Exception:  # a corrupt or foreign file: retrain
                    model, trained = None, 0
            if model is not None and trained > budget:
                model, trained = None, 0
        _, prefix = _owner_and_prefix(self.estimator, self.resource)
        if model is None:
            model = clone(self.estimator).set_params(**{self.resource: budget})
            model.fit(X, y, **fit_params)
            spent = budget
        elif trained == budget:
            spent = 0
        else:
            extra = budget - trained
            value = extra if self.continuation == "continue" else budget
            model.set_params(**{self.resource: value, prefix + "warm_start": True})
            model.fit(X, y, **fit_params)
            spent = extra
        # a model at the full budget is never continued: no checkpoint needed
        if path is not None and (self.max_resource is None or budget < self.max_resource):
            _save_checkpoint(path, model, budget)
        return model, spent

    predict = _delegated("predict")
    predict_proba = _delegated("predict_proba")
    predict_log_proba = _delegated("predict_log_proba")
    decision_function = _delegated("decision_function")
    transform = _delegated("transform")
    score = _delegated("score")
