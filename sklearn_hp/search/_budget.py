"""Training an estimator for a budget of a resource, continuing from checkpoints.

Budget-based searches (successive halving, Hyperband) evaluate the same candidate
at growing budgets. The search clones and fits a fresh estimator for every
(candidate, split) in worker processes, so a model trained in one rung is gone by
the next. :class:`BudgetedEstimator` wraps the user's estimator to bridge that:

* its ``fit`` looks up a checkpoint keyed by (candidate hyperparameters, training
  data fingerprint) in a directory shared by all workers on the machine;
* if one exists for a smaller budget, it loads that model and trains only for the
  missing epochs (``warm_start=True``), else it trains from scratch;
* it saves the model back as the checkpoint for the next rung and appends the
  number of epochs it actually trained to a ledger, so the search can report the
  real cost.

What a checkpoint holds. ``<candidate>-<data>.skhp`` is a file of
:mod:`sklearn_hp.persistence`, never a pickle: a :class:`Checkpoint` record
with the fitted model (hyperparameters as JSON, learned parameters in skops
format, optimizer state and epoch counters included), the budget it was trained
for, and the fingerprints of its candidate and training split.

How it is checked before use (:func:`read_checkpoint`). ``load`` rebuilds only
classes of its registry (scikit-learn, sklearn_hp, numpy, scipy) and those the
*candidate's own* hyperparameters hold (:func:`trusted_classes`: the search knows
them because the user gave it the estimator and the space; a file never adds
one), so reading a file runs no code it brings. The record must then be the
expected one: a :class:`Checkpoint`, of the candidate's class, for the same
candidate and training split, with hyperparameters that hash to the candidate's
fingerprint, and a positive integer budget. A file failing any check (damaged,
a pickle under the name, another candidate's, a model of another class) is
refused: that candidate trains from scratch, and the search names the file in
one warning when ``fit`` ends (:class:`CheckpointReport`). Files of the former
pickle format (``*.pkl``) are never opened.

When the safe format cannot hold the estimator (skops missing, a learned value
of a class nothing trusts, a ``memory=`` or path setting that a file would
lose), checkpoints are off for that search, with one warning saying so and why:
every candidate is then trained from scratch at every budget. The search finds
most such cases before training (:func:`probe_checkpoints`); a worker that finds
one turns checkpoints off for all (:func:`turn_off`).

Checkpoints are written atomically (write then rename), so concurrent joblib
workers never read half-written files. When workers do not share the directory
(a multi-machine dask cluster without a shared file system), the look-up misses
and training restarts from scratch: results stay correct, only the saving is lost.

Where the directory lives, who owns it and the small files workers write in it
(the ledger, refused files, checkpoints off) are in
:mod:`sklearn_hp.search._checkpoint_dir`; its names are re-exported here.
"""

import contextlib
import hashlib
import inspect
import json
import os
import threading
import uuid
import warnings

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from .._compat import CachedParamNames
from ._checkpoint_dir import (
    CheckpointReport,
    _ledger_path,
    checkpoint_directory,
    checkpoints_off,
    clean_checkpoints,
    log_refusal,
    read_ledger,
    release_checkpoints,
    turn_off,
    warn_checkpoints_off,
)
from ._checkpoint_memory import RECENT
from ._hashing import data_fingerprint, describe
from ._wrapping import FittedCopyWrapper

__all__ = ["BudgetedEstimator", "resolve_continuation", "candidate_fingerprint",
           "read_ledger", "CONTINUATIONS", "checkpoint_directory", "clean_checkpoints",
           "release_checkpoints", "Checkpoint", "CheckpointReport",
           "RefusedCheckpoint", "probe_checkpoints", "read_checkpoint", "write_checkpoint",
           "trusted_classes", "turn_off", "warn_checkpoints_off"]

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
    """Hash of an estimator's hyperparameters, ignoring the resource and warm_start.

    The hash is taken over a canonical JSON description of the values (numbers,
    strings, the classes of sub-estimators, ...), so an estimator and its copy
    read back from a checkpoint file hash alike; a pickle of the same values does
    not (pickle records which values are shared objects).
    """
    params = estimator.get_params(deep=True)
    _, prefix = _owner_and_prefix(estimator, resource) if resource != "n_samples" else (None, "")
    ignored = {resource, prefix + "warm_start"}
    kept = {k: _shallow(v) for k, v in params.items() if k not in ignored}
    kept[""] = _class_name(type(estimator))
    text = json.dumps(describe(kept), sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def _class_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _shallow(value):
    """``value`` with every sub-estimator replaced by its class name.

    ``get_params(deep=True)`` lists a sub-estimator's hyperparameters under their
    own names, so only its class is needed here: hashing it whole would hash the
    resource it holds, which changes from rung to rung.
    """
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {"class": _class_name(type(value))}
    if isinstance(value, (list, tuple)):
        return [_shallow(v) for v in value]
    if isinstance(value, dict):
        return {k: _shallow(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------ checkpoint files
_SUFFIX = ".skhp"


class Checkpoint(CachedParamNames, BaseEstimator):
    """What a checkpoint file holds: a partly trained model and what it was trained on.

    Written with :func:`sklearn_hp.persistence.save` (hyperparameters as JSON,
    learned parameters in skops format, no pickle) and read with
    :func:`~sklearn_hp.persistence.load`.

    Parameters
    ----------
    model : estimator or None
        The fitted model.
    budget : int
        Resource units it was trained for in total.
    candidate : str
        :func:`candidate_fingerprint` of the candidate it belongs to.
    data : str
        :func:`data_fingerprint` of the training split it was fitted on.
    """

    def __init__(self, model=None, budget=0, candidate="", data=""):
        self.model = model
        self.budget = budget
        self.candidate = candidate
        self.data = data


class RefusedCheckpoint(ValueError):
    """A checkpoint file that is not the expected candidate's model in the safe format."""


def trusted_classes(estimator):
    """The classes (and named functions) that ``estimator``'s hyperparameters hold.

    These are what the search may trust in its checkpoint files: it knows them
    because the user gave it the estimator (and the search space the candidate
    came from), never because a file names them. Lambdas and functions defined
    inside functions are left out: their names do not tell them apart.

    Parameters
    ----------
    estimator : estimator
        The candidate, with its hyperparameters set.

    Returns
    -------
    list of type or function
        ``Checkpoint`` first, then ``type(estimator)``, then the rest.
    """
    found = {Checkpoint: None, type(estimator): None}
    stack, seen = [estimator.get_params(deep=False)], set()
    while stack:
        value = stack.pop()
        if id(value) in seen or value is None or isinstance(value, (bool, int, float, str)):
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(value)
        elif isinstance(value, type):
            found[value] = None
        elif inspect.isfunction(value):
            if "<" not in value.__qualname__:
                found[value] = None
        elif hasattr(value, "get_params"):
            found[type(value)] = None
            stack.append(value.get_params(deep=False))
        elif not callable(value) or not hasattr(value, "__qualname__"):
            found[type(value)] = None
    return list(found)


#: (model class, trusted classes) whose checkpoints passed the load-time check in
#: this process: later ones of the kind skip it (reading checks every file again).
_CHECKED_KINDS = set()


def write_checkpoint(path, record, trusted, in_memory=False):
    """Save ``record`` (a :class:`Checkpoint`) to ``path`` atomically.

    With ``in_memory=True`` (every fit of the search runs in this process and
    nothing resumes from its files) the record is held in memory under ``path``
    and no file is written, unless the held checkpoints would pass their cap.

    The first checkpoint of each kind (model class and ``trusted``) in a process
    is checked as :func:`~sklearn_hp.persistence.load` will check it, so a model
    the safe format cannot hold fails here, at once; the next ones are not (they
    are checked when read). A copy stays in memory for this process's next read
    (:mod:`sklearn_hp.search._checkpoint_memory`).

    Raises whatever :func:`sklearn_hp.persistence.save` raises for a model the
    safe format cannot hold (a class outside ``trusted`` and the registry, a
    value skops cannot write, skops missing); nothing is left behind then.
    """
    from ..persistence._io import write_model

    if in_memory and RECENT.hold(path, record):
        return
    kind = (type(record.model), frozenset(trusted))
    tmp = f"{path}.{uuid.uuid4().hex}.tmp"
    try:
        write_model(record, tmp, trusted, check=kind not in _CHECKED_KINDS)
        _CHECKED_KINDS.add(kind)
        os.replace(tmp, path)
        RECENT.keep(path, record)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_checkpoint(path, expected, resource, trusted):
    """Load the checkpoint at ``path`` and check it is ``expected``'s.

    Parameters
    ----------
    path : str
    expected : Checkpoint
        The candidate (``model`` unfitted), its fingerprint and its data's.
    resource : str
    trusted : list
        From :func:`trusted_classes` of the candidate.

    Returns
    -------
    model : estimator
    budget : int

    Raises
    ------
    RefusedCheckpoint
        Naming what is wrong: not a file of the safe format (a pickle, damaged,
        tampered), not a checkpoint, another candidate's or another split's, a
        model of another class or with other hyperparameters, a budget that is
        not a positive integer.
    """
    from .. import persistence

    record = RECENT.take(path)  # this process wrote the file, unchanged since
    if record is None:
        try:
            record = persistence.load(path, trusted=trusted)
        except Exception as error:  # ModelFileError, or an error rebuilding the model
            raise RefusedCheckpoint(f"{type(error).__name__}: {error}") from None
    if type(record) is not Checkpoint:
        raise RefusedCheckpoint(f"it holds a {type(record).__name__}, not a checkpoint")
    model, budget = record.model, record.budget
    wanted = type(expected.model)
    if type(model) is not wanted:
        raise RefusedCheckpoint(f"it holds a {type(model).__name__}, the candidate is a "
                                f"{wanted.__name__}")
    if record.candidate != expected.candidate or record.data != expected.data:
        raise RefusedCheckpoint("it is the checkpoint of another candidate or training split")
    if candidate_fingerprint(model, resource) != expected.candidate:
        raise RefusedCheckpoint("the model's hyperparameters are not the candidate's")
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise RefusedCheckpoint(f"budget={budget!r}; a checkpoint's budget is a positive "
                                "integer")
    return model, int(budget)


def probe_checkpoints(estimator, resource, directory):
    """Why the safe format cannot checkpoint ``estimator``, or None when it can.

    Saves and reloads the unfitted estimator, as the search's workers will its
    fitted candidates: this finds a missing skops, a hyperparameter the format
    cannot write, and a path-valued setting (``memory=``, ``*_dir``) that a
    saved file would lose, before any training.

    Parameters
    ----------
    estimator : estimator
        The user's estimator.
    resource : str
    directory : str
        Where the probe file is written (and removed).

    Returns
    -------
    str or None
    """
    from .. import persistence

    trusted = trusted_classes(estimator)
    key = candidate_fingerprint(estimator, resource)
    record = Checkpoint(clone(estimator), 1, key, "probe")
    path = os.path.join(directory, f"probe-{uuid.uuid4().hex}{_SUFFIX}")
    with warnings.catch_warnings(record=True) as caught:  # e.g. "memory=... saved as None"
        warnings.simplefilter("always")
        try:
            persistence.save(record, path, trusted=trusted)
            read_checkpoint(path, record, resource, trusted)
        except RefusedCheckpoint as error:
            said = " ".join(str(w.message) for w in caught if issubclass(w.category, UserWarning))
            return f"a saved and reloaded copy is not the same candidate ({error}). {said}".strip()
        except Exception as error:
            return f"{type(error).__name__}: {error}"
        finally:
            if os.path.exists(path):
                os.remove(path)
    return None


@contextlib.contextmanager
def _cut_short_quietly(below_max):
    """Ignore ``ConvergenceWarning`` in a fit the search cut short on purpose.

    A fit below the largest budget stops before it converges by design; its
    warning would advise raising the very resource the search sets (and count
    every early rung in the search's summary). Fits at the largest budget keep
    it: there it says the budget may be too small. Only in the main thread:
    warning filters are process-wide.
    """
    if not below_max or threading.current_thread() is not threading.main_thread():
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        yield


class BudgetedEstimator(FittedCopyWrapper):
    """Fit ``estimator`` for ``budget`` units of ``resource``, resuming checkpoints.

    Used internally by :class:`SuccessiveHalvingSearchCV` and
    :class:`HyperbandSearchCV`; it is transparent to the search: ``set_params``
    forwards every hyperparameter to the wrapped estimator except ``resource``,
    which becomes the budget, and prediction methods delegate to the fitted model
    ``estimator_``. A fit below ``max_resource`` ignores ``ConvergenceWarning``
    (it is cut short on purpose); one at ``max_resource`` keeps it.

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
    in_memory : bool
        Keep checkpoints in this process's memory instead of files (see
        :func:`write_checkpoint`): only when every fit runs in this process and
        no storage resumes from the files.
    """

    def __init__(self, estimator, resource, continuation, checkpoint_dir=None,
                 max_resource=None, budget=None, random_state=None, run_id=None,
                 in_memory=False):
        self.estimator = estimator
        self.resource = resource
        self.continuation = continuation
        self.checkpoint_dir = checkpoint_dir
        self.max_resource = max_resource
        self.budget = budget
        self.random_state = random_state
        self.run_id = run_id
        self.in_memory = in_memory

    def set_params(self, **params):
        own = set(self.get_params(deep=False))
        own_params = {k: v for k, v in params.items() if k in own}
        if self.resource in params and self.resource not in own:
            own_params["budget"] = params[self.resource]
        inner = {k: v for k, v in params.items() if k not in own and k != self.resource}
        super().set_params(**own_params)
        if inner:
            self.estimator = clone(self.estimator).set_params(**inner)
        return self

    def _checkpoint(self, X, y):
        """The expected :class:`Checkpoint` of this candidate and split, and its path."""
        key, data = candidate_fingerprint(self.estimator, self.resource), data_fingerprint(X, y)
        path = os.path.join(self.checkpoint_dir, f"{key}-{data}{_SUFFIX}")
        return Checkpoint(self.estimator, 0, key, data), path

    def fit(self, X, y=None, **fit_params):
        """Train for ``budget``, continuing a checkpoint when one exists."""
        if self.budget is None:
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
            return self
        budget = int(self.budget)
        if self.continuation == "n_samples":
            model, spent = self._fit_subsample(X, y, budget, fit_params)
        else:
            with _cut_short_quietly(self.max_resource is not None and budget < self.max_resource):
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
        if (self.checkpoint_dir is not None and self.continuation != "restart"
                and not checkpoints_off(self.checkpoint_dir, self.run_id)):
            expected, path = self._checkpoint(X, y)
            trusted = trusted_classes(self.estimator)
            if RECENT.holds(path) or os.path.exists(path):
                try:
                    model, trained = read_checkpoint(path, expected, self.resource, trusted)
                except RefusedCheckpoint as refused:
                    log_refusal(self.checkpoint_dir, self.run_id, path, str(refused))
            if model is not None and trained > budget:  # e.g. another bracket's: retrain
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
            expected.set_params(model=model, budget=budget)
            try:
                write_checkpoint(path, expected, trusted, self.in_memory)
            except Exception as error:  # the safe format cannot hold this model
                turn_off(self.checkpoint_dir, self.run_id, f"{type(error).__name__}: {error}")
        return model, spent

