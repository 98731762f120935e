"""Successive halving and Hyperband, resuming training between rungs."""

import collections
import contextlib
import dataclasses
import math
import uuid
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from .._compat import Interval, StrOptions
from ._budget import (
    CONTINUATIONS,
    BudgetedEstimator,
    CheckpointReport,
    checkpoint_directory,
    probe_checkpoints,
    read_ledger,
    release_checkpoints,
    resolve_continuation,
    turn_off,
    warn_checkpoints_off,
)
from ._asha import AsyncHalving
from ._async import AsyncTrials
from ._samplers import SAMPLER_NAMES, make_sampler
from ._workers import fits_in_this_process
from ._racing import RUNG_ALPHA, race_metric
from ._search_base import TrialSearchCV
from ._twins import distinct_order, fold_signature, one_per_model

__all__ = ["SuccessiveHalvingSearchCV", "HyperbandSearchCV", "rank_by_budget"]

_COMMON_DOC = """
    Training is *continued*, not restarted, between rungs: the estimator is
    wrapped in a :class:`~sklearn_hp.search._budget.BudgetedEstimator` that
    checkpoints every (candidate, split) model to a directory shared by all
    joblib workers of the machine (next to the storage file, or a temporary
    one; removed when the search ends, see :func:`clean_checkpoints` after a
    crash) and, at the next rung, loads it and trains only the missing
    epochs with ``warm_start=True`` (a worker reading a checkpoint it wrote
    itself, unchanged since, takes a copy it kept in memory). A search whose fits
    all run in its own process (``n_jobs=1`` or joblib's threads) and that has
    no ``storage`` to resume from writes no files: its checkpoints stay in
    memory, up to 128 MiB, past which they are files again. Estimators with
    ``warm_start`` and ``partial_fit`` (ours, ``SGDClassifier``, ``MLPClassifier``)
    get the *extra* epochs as the resource; ensembles with ``warm_start`` only
    (``n_estimators``) get the new total; others, and ``resource="n_samples"``, retrain from
    scratch. ``resource_spent_`` counts what was actually trained, so the saving
    is measured, not assumed.

    A rung promotes each *model* once: a candidate whose fold scores equal, fold
    for fold, those of a better candidate of its rung, or of one already
    continued from the same budget, is taken for a twin (an estimator that
    quantises what it is given, as a forest's ``max_features``, fits the same
    model for nearby values) and the next distinct candidate goes on in its
    place (a rung with fewer distinct models than places promotes fewer). The
    sampler counts a model's twins as one trial. Scores equal on every fold (a
    perfect or a constant model), fewer than 3 folds or a fold of fewer than 100
    test rows never make twins: such scores tie by chance.
"""

_PARAMETERS_DOC = """
    estimator : estimator object
        The estimator to tune.
    search_spaces : dict or list of dict
        As for :class:`BayesSearchCV` (the ``RandomizedSearchCV`` dict works).
    resource : str or None, default=None
        What the budget is: ``None`` means ``"max_epochs"`` (our estimators;
        ``"<step>__max_epochs"`` when a single nested estimator has it);
        otherwise an integer parameter (``"max_iter"``, ``"n_estimators"``, a
        nested ``"clf__max_epochs"``) or ``"n_samples"``.
    max_resource : int or None, default=None
        Full budget; ``None`` uses the estimator's current value of ``resource``
        (or the training-split size for ``"n_samples"``).
    min_resource : int or None, default=None
        Smallest budget; ``None`` means ``max(1, max_resource // eta**3)``.
    eta : float, default=3
        Halving rate: each rung keeps ``1/eta`` of its candidates and gives them
        ``eta`` times the budget.
    sampler : {"random", "tpe", "gp", "sobol"} or sampler object, default="random"
        Source of candidates. Model-based samplers learn from the scores at the
        largest budget with enough results (``"tpe"`` gives a BOHB-like search).
    continuation : {"auto", "continue", "total", "restart"}, default="auto"
        How a larger budget is applied (see above).
    checkpoint_dir : str or None, default=None
        Parent directory of the partial models; ``None`` uses the storage
        file's directory (``<storage>.checkpoints``), or the temporary one.
        Give a directory shared by all machines when using a distributed
        joblib backend.
    random_state : int, RandomState instance or None, default=None
        Seeds candidate sampling (and subsampling for ``"n_samples"``).
    storage : None, str, path-like or storage object, default=None
        As for :class:`BayesSearchCV`: every (candidate, rung) trial is
        committed when its batch returns, and a rung runs in short batches
        (one round of the workers, or about 5 s of work), so a kill mid-rung
        keeps the rung's finished trials; ``fit`` with the same storage
        resumes in the rung where the search stopped, without running stored
        trials again.
    time_budget : float or None, default=None
        Seconds that ``fit`` may take, refit included, as for
        :class:`BayesSearchCV` (rungs are then run in batches of about
        ``n_jobs`` fits); trials running at the budget are cancelled and run
        again by a resumed search.
    retry_failed : bool, default=False
        Whether a search resumed from ``storage`` runs its ``failed`` trials
        again; a failed trial whose bracket already has a later rung stored
        is kept as stored (the promotions made stand).
    racing : bool, default=False
        Fold racing inside each rung, as for :class:`BayesSearchCV`: a
        candidate is stopped (status ``"pruned"``, not promoted) as soon as its
        first folds show it would not beat the weakest trial the rung promotes
        so far, at one-sided level 0.5 % per look (``RUNG_ALPHA``; the best, at
        5 %, in a bracket's last rung).
    asynchronous : bool, default=False
        Asynchronous successive halving (ASHA): a worker that frees up gets at
        once either a promotion (a candidate in the top ``1/eta`` of the trials
        finished so far in its rung continues at the next budget) or a new
        candidate, so no worker waits for a rung to end; promotions are decided
        on the trials finished so far (see :mod:`sklearn_hp.search._asha`).
        ``False``: the synchronous rungs. Not with ``racing=True``.
    n_iterations : int, default=1
        How many times the brackets are run, one set after the other (the
        iterations of Hyperband and BOHB); a model-based sampler learns from
        every earlier iteration. With ``asynchronous=True`` the next
        iteration's brackets start as soon as a worker has nothing else to do,
        so the workers stay busy while an iteration's last rungs run, instead
        of waiting for them. ``bracket`` numbers run on across iterations.
    callbacks : list or None, default=None
        Search callbacks, as for :class:`BayesSearchCV`.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`. The best
        candidate is the best of those trained with the largest budget (rank 1
        of ``cv_results_``); a callable ``refit`` gets the budget-first ranks.
"""

_ATTRIBUTES_DOC = """
    cv_results_ : dict
        ``RandomizedSearchCV``'s columns plus ``iter`` (rung), ``n_resources``
        (budget of the row) and ``bracket``; ``param_<resource>`` is the budget.
        ``rank_test_*`` rank the rows at the largest budget first, then by score
        within a budget (NaN scores last), so rank 1 is ``best_index_``, the
        refitted candidate (scikit-learn's ``HalvingGridSearchCV`` ranks by
        score alone, where a candidate scored with a small budget can come first).
    fit_warnings_ : list of WarningSummary
        The warnings raised in this ``fit``'s fits (refit included), one per
        category with the number of fits that raised it and the most frequent
        message; each was emitted once, as a warning of its category, when
        ``fit`` ended.
    best_estimator_ : estimator
        The user's estimator (unwrapped) refitted on all data with the full budget.
    resource_spent_ : int
        Resource units actually trained by this search (refit excluded),
        summed over candidates and splits; with a storage file it includes the
        runs it resumed (the count is stored after every batch, so the training
        of a killed run counts too).
    resource_requested_ : int
        What the same schedule costs when every rung retrains from scratch.
    trials_ : list of TrialRecord
        Every finished (candidate, rung) trial in order; candidates not
        promoted have status ``"pruned"``.
    stop_reason_ : str or None
        Why the search stopped early (``None`` when every bracket ran).
    n_cancelled_ : int
        Trials cancelled at the time budget (stored, not in ``cv_results_``).
    max_resource_, min_resource_ : int
        The budgets used.
"""


class _BudgetSearch(TrialSearchCV):
    """Shared machinery: brackets of successive halving with resumed training."""

    _parameter_constraints = {
        **TrialSearchCV._parameter_constraints,
        "resource": [str, None],
        "max_resource": [Interval(Integral, 1, None, closed="left"), None],
        "min_resource": [Interval(Integral, 1, None, closed="left"), None],
        "eta": [Interval(Real, 1, None, closed="neither")],
        "sampler": SAMPLER_NAMES.constraint(),
        "continuation": [StrOptions(set(CONTINUATIONS))],
        "checkpoint_dir": [str, None],
        "asynchronous": ["boolean"],
        "n_iterations": [Interval(Integral, 1, None, closed="left")],
    }

    # ---------------------------------------------------------------- fitting
    def _resolve_resource(self):
        if self.resource is not None:
            return self.resource
        params = self.estimator.get_params()
        if "max_epochs" in params:
            return "max_epochs"
        nested = [name for name in params if name.endswith("__max_epochs")]
        if len(nested) == 1:  # e.g. the last step of a Pipeline
            return nested[0]
        raise ValueError(
            f"{type(self.estimator).__name__} has no 'max_epochs' parameter; pass "
            f"resource= an integer parameter name (e.g. 'max_iter', "
            f"'n_estimators') or 'n_samples'."
        )

    def _reserved_parameters(self):
        resource = self._resolve_resource()
        return () if resource == "n_samples" else (resource,)

    def _fingerprint_settings(self):
        return {"resource": self._resolve_resource(), "max_resource": self.max_resource,
                "min_resource": self.min_resource, "eta": self.eta,
                "n_candidates": getattr(self, "n_candidates", None)}

    @contextlib.contextmanager
    def _fit_wrapper(self, X, y, params):
        """Wrap the estimator in a BudgetedEstimator for the duration of ``fit``."""
        user_estimator = self.estimator
        resource = self._resolve_resource()
        continuation = resolve_continuation(user_estimator, resource, self.continuation)
        n_splits = self._n_splits
        if self.max_resource is not None:
            max_resource = self.max_resource
        elif resource == "n_samples":  # size of a training split
            n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
            max_resource = int(n_samples * (n_splits - 1) / n_splits)
        else:
            max_resource = user_estimator.get_params()[resource]
            if not isinstance(max_resource, Integral) or max_resource < 1:
                raise ValueError(
                    f"max_resource=None takes the estimator's {resource}, which is "
                    f"{max_resource!r}; give max_resource as a positive integer."
                )
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        directory, persistent = checkpoint_directory(
            self.checkpoint_dir, getattr(self._storage, "checkpoint_path", None))
        run_id = uuid.uuid4().hex
        self._budget_context = dict(resource=resource, continuation=continuation,
                                    max_resource=max_resource, directory=directory,
                                    run_id=run_id)
        completed, report = False, None
        in_memory = not persistent and fits_in_this_process(self.n_jobs)
        try:
            self._budgets()
            if continuation not in ("restart", "n_samples"):
                report = self._check_checkpoints(user_estimator, resource, directory, run_id,
                                                 probe=not in_memory)
            self.estimator = BudgetedEstimator(
                user_estimator, resource, continuation, checkpoint_dir=directory,
                max_resource=max_resource, random_state=seed, run_id=run_id,
                in_memory=in_memory,
            )
            yield
            completed = getattr(self, "stop_reason_", None) is None
        finally:
            self.estimator = user_estimator
            del self._budget_context  # names the checkpoint directory, gone or not ours
            try:
                if report is not None:
                    report.warn()  # what the workers recorded: one warning per kind
            finally:
                # kept after an early stop or a crash when a storage file can resume them
                release_checkpoints(directory, remove=completed or not persistent)
        if isinstance(getattr(self, "best_estimator_", None), BudgetedEstimator):
            self.best_estimator_ = self.best_estimator_.estimator_

    def _check_checkpoints(self, estimator, resource, directory, run_id, probe=True):
        """Turn checkpoints off, with one warning, if the safe format cannot hold them.

        ``probe=False`` (checkpoints held in memory, a file only past the cap)
        skips the trial save: the format matters only if one is written, and a
        worker that fails to write one turns them off then.

        Returns the :class:`CheckpointReport` that warns, when ``fit`` ends,
        about what the workers recorded (refused files, checkpoints turned off).
        """
        reason = probe_checkpoints(estimator, resource, directory) if probe else None
        if reason is not None:
            turn_off(directory, run_id, reason)
            warn_checkpoints_off(reason)
        return CheckpointReport(directory, run_id, off_warned=reason is not None)

    def _rank_results(self, results):
        """Rank the rows at the largest budget first (``best_index_`` is rank 1)."""
        rank_by_budget(results)

    def _racing_rule(self, n_candidates, extra):
        """A rung's raced candidates must beat the weakest trial it would promote,
        at the rungs' level (:data:`~sklearn_hp.search._racing.RUNG_ALPHA`); those
        of a bracket's last rung, the best."""
        if extra.get("n_resources") == self.max_resource_:
            return 1, None
        return self._n_promoted(n_candidates), RUNG_ALPHA

    def _n_promoted(self, n_candidates):
        """How many of a rung's ``n_candidates`` go on to the next rung."""
        return max(1, int(n_candidates // self.eta))

    # ----------------------------------------------------------------- search
    def _budgets(self):
        """Fill ``min_resource_``/``max_resource_`` and return them."""
        ctx = self._budget_context
        max_resource = ctx["max_resource"]
        min_resource = self.min_resource
        if min_resource is None:
            min_resource = max(1, int(max_resource // self.eta**3))
        if min_resource > max_resource:
            raise ValueError(
                f"min_resource={min_resource} is larger than max_resource="
                f"{max_resource}; accepted: 1 <= min_resource <= max_resource."
            )
        self.min_resource_, self.max_resource_ = int(min_resource), int(max_resource)
        return self.min_resource_, self.max_resource_

    def _rung_budgets(self, min_budget, n_rungs):
        """Integer budgets ``min_budget * eta**i`` capped at the maximum, increasing."""
        budgets = []
        for i in range(n_rungs):
            b = int(round(min(min_budget * self.eta**i, self.max_resource_)))
            budgets.append(max(b, budgets[-1] + 1 if budgets else 1))
        budgets[-1] = self.max_resource_
        return budgets

    def _brackets(self):
        """List of ``(n_candidates, budgets)``: one iteration's, ``n_iterations`` times."""
        return self._iteration_brackets() * self.n_iterations

    def _iteration_brackets(self):
        """One iteration's list of ``(n_candidates, budgets)``; implemented by subclasses."""
        raise NotImplementedError

    def _planned_rungs(self):
        """``(n_candidates, budget)`` of every planned rung."""
        for n_candidates, budgets in self._brackets():
            for budget in budgets:
                yield n_candidates, budget
                n_candidates = self._n_promoted(n_candidates)

    def _planned_n_trials(self):
        return max(sum(n for n, _ in self._planned_rungs()), len(self._stored))

    def _planned_budget(self):
        return float(sum(n * budget for n, budget in self._planned_rungs()))

    def _sampler_trials(self, records, space):
        """Trials at the largest budget that has enough of them for a model, one per model
        (twins left out)."""
        resource = self._budget_context["resource"]
        n_dims = max(sub.n_dims for sub in space.subspaces)
        by_budget = {}
        for record in records:
            by_budget.setdefault(record.budget, []).append(
                dataclasses.replace(record, params=_without(record.params, resource)))
        for budget in sorted(by_budget, reverse=True):
            trials = one_per_model(by_budget[budget], race_metric(self))
            if len(trials) >= n_dims + 2:
                return trials
        return []

    def _runs_asynchronously(self):
        return self.asynchronous

    def _check_settings(self):
        if self.asynchronous and self.racing:
            raise ValueError(
                "asynchronous=True promotes on the trials finished so far and "
                "racing=True races against a rung's promoted trials: use one of them "
                "(got asynchronous=True, racing=True)."
            )

    def _search(self, loop):
        """Run every bracket's successive halving, resuming models across rungs."""
        space, resource = self._space, self._budget_context["resource"]
        sampler = self.sampler_ = make_sampler(self.sampler)
        rng = check_random_state(self.random_state)
        if self.asynchronous:
            halving = AsyncHalving(self, sampler, rng, self._brackets(),
                                   per_iteration=len(self._iteration_brackets()))
            try:
                # the halving ends the run: the brackets' starts and rungs bound it
                AsyncTrials(loop, halving, math.inf).run()
            finally:
                halving.mark_unpromoted(loop)
            return
        continued = collections.defaultdict(set)  # budget -> fold signatures promoted from it
        for bracket, (n_candidates, budgets) in enumerate(self._brackets()):
            # the sampler proposes even when the bracket's first rung is stored, so
            # a resumed search draws the same random numbers as an uninterrupted one
            candidates = sampler.propose(space, self._sampler_trials(loop.records, space),
                                         n_candidates, rng)
            stored = [_without(p, resource) for p in loop.replay(n_candidates)]
            candidates[:len(stored)] = stored
            if not candidates:  # a finite space has no new candidate for this bracket
                continue
            for rung, budget in enumerate(budgets):
                records = loop.evaluate(
                    [{**c, resource: budget} for c in candidates],
                    {"iter": rung, "n_resources": budget, "bracket": bracket})
                if rung == len(budgets) - 1:
                    break
                # the rung's best, twins left out (the same model as one promoted)
                metric = loop.race_metric()
                keep = distinct_order(records, metric, continued[budget])
                keep = keep[:self._n_promoted(len(candidates))]
                signatures = {fold_signature(records[i], metric) for i in keep}
                continued[budget].update(signatures - {None})
                loop.mark([r for i, r in enumerate(records) if i not in keep], "pruned")
                candidates = [candidates[i] for i in keep]

    def _after_batch(self):
        # the storage always holds what this search trained, also after a crash
        ctx = self._budget_context
        if "spent_before" not in ctx:
            ctx["spent_before"] = self._storage.get_meta("resource_spent", 0)
        spent = ctx["spent_before"] + read_ledger(ctx["directory"], ctx["run_id"])
        self._storage.set_meta("resource_spent", spent)
        return spent

    def _after_search(self, loop):
        self.resource_spent_ = int(self._after_batch())
        self.resource_requested_ = int(self._n_splits * sum(r.budget for r in loop.records))


def rank_by_budget(results):
    """Rewrite the ``rank_test_*`` columns of ``results`` so larger budgets come first.

    scikit-learn ranks every row by its mean score alone, so a candidate scored
    after 4 epochs can outrank the full-budget candidate the search refits. Here
    the rows are ranked by budget (``n_resources``, largest first), then by mean
    score within a budget; rows with equal budget and score share the smaller
    rank, and rows whose score is NaN share the last rank whatever their budget
    (as in scikit-learn). The search takes the first row ranked 1 as
    ``best_index_``, so rank 1 is the refitted candidate: the best at the largest
    budget evaluated (at the next budget down when every one of them failed).

    Parameters
    ----------
    results : dict
        Formatted search results with ``n_resources`` and, for every
        ``rank_test_<metric>``, a ``mean_test_<metric>`` column; changed in place.
    """
    budgets = np.asarray(results["n_resources"], dtype=float)
    for key in [k for k in results if k.startswith("rank_test_")]:
        scores = np.asarray(results["mean_test_" + key[len("rank_test_"):]], dtype=float)
        failed = np.isnan(scores)
        # sort keys: failed last, then budget (descending), then score (descending)
        keys = np.column_stack([failed, np.where(failed, 0, -budgets),
                                np.where(failed, 0, -scores)])
        order = np.lexsort(keys.T[::-1])
        ranks = np.empty(len(scores), dtype=np.int32)
        for position, i in enumerate(order):
            tied = position and np.array_equal(keys[i], keys[order[position - 1]])
            ranks[i] = ranks[order[position - 1]] if tied else position + 1
        results[key] = ranks


def _without(params, name):
    return {k: v for k, v in params.items() if k != name}


class SuccessiveHalvingSearchCV(_BudgetSearch):
    __doc__ = f"""Successive halving over a training budget, resuming training.

    ``n_candidates`` candidates are trained with ``min_resource``; the best
    ``1/eta`` continue with ``eta`` times more, and so on until
    ``max_resource``.
    {_COMMON_DOC}
    Parameters
    ----------
    {_PARAMETERS_DOC.strip()}
    n_candidates : int or None, default=None
        Candidates in the first rung; ``None`` means ``eta**(n_rungs - 1)`` so a
        single candidate reaches the full budget.

    Attributes
    ----------
    {_ATTRIBUTES_DOC.strip()}
    """

    _parameter_constraints = {
        **_BudgetSearch._parameter_constraints,
        "n_candidates": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, estimator, search_spaces, *, resource=None, max_resource=None,
                 min_resource=None, eta=3, n_candidates=None, sampler="random",
                 continuation="auto", checkpoint_dir=None, random_state=None, storage=None,
                 time_budget=None, callbacks=None, retry_failed=False, racing=False,
                 asynchronous=False, n_iterations=1, scoring=None, n_jobs=None, refit=True,
                 cv=None, verbose=0, pre_dispatch="2*n_jobs", error_score=np.nan,
                 return_train_score=False):
        self.search_spaces = search_spaces
        self.resource = resource
        self.max_resource = max_resource
        self.min_resource = min_resource
        self.eta = eta
        self.sampler = sampler
        self.continuation = continuation
        self.checkpoint_dir = checkpoint_dir
        self.random_state = random_state
        self.storage = storage
        self.time_budget = time_budget
        self.callbacks = callbacks
        self.retry_failed = retry_failed
        self.racing = racing
        self.asynchronous = asynchronous
        self.n_iterations = n_iterations
        self.n_candidates = n_candidates
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit,
                         cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
                         error_score=error_score, return_train_score=return_train_score)

    def _iteration_brackets(self):
        n_rungs = int(math.floor(
            math.log(self.max_resource_ / self.min_resource_, self.eta) + 1e-9)) + 1
        n = self.n_candidates or int(round(self.eta ** (n_rungs - 1)))
        return [(n, self._rung_budgets(self.min_resource_, n_rungs))]


class HyperbandSearchCV(_BudgetSearch):
    __doc__ = f"""Hyperband: brackets of successive halving, resuming training.

    Bracket ``s`` (from ``s_max = floor(log_eta(max_resource / min_resource))``
    down to 0) starts ``ceil((s_max + 1) / (s + 1) * eta**s)`` candidates at
    ``max_resource / eta**s`` and halves them ``s`` times, hedging between many
    cheap evaluations and few full ones (Li et al., 2018). Candidates come from
    ``sampler``; with ``"tpe"`` the search is BOHB-like (Falkner et al., 2018).
    {_COMMON_DOC}
    Parameters
    ----------
    {_PARAMETERS_DOC.strip()}

    Attributes
    ----------
    {_ATTRIBUTES_DOC.strip()}
    """

    def __init__(self, estimator, search_spaces, *, resource=None, max_resource=None,
                 min_resource=None, eta=3, sampler="random", continuation="auto",
                 checkpoint_dir=None, random_state=None, storage=None, time_budget=None,
                 callbacks=None, retry_failed=False, racing=False, asynchronous=False,
                 n_iterations=1, scoring=None, n_jobs=None, refit=True, cv=None, verbose=0,
                 pre_dispatch="2*n_jobs", error_score=np.nan, return_train_score=False):
        self.search_spaces = search_spaces
        self.resource = resource
        self.max_resource = max_resource
        self.min_resource = min_resource
        self.eta = eta
        self.sampler = sampler
        self.continuation = continuation
        self.checkpoint_dir = checkpoint_dir
        self.random_state = random_state
        self.storage = storage
        self.time_budget = time_budget
        self.callbacks = callbacks
        self.retry_failed = retry_failed
        self.racing = racing
        self.asynchronous = asynchronous
        self.n_iterations = n_iterations
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit,
                         cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
                         error_score=error_score, return_train_score=return_train_score)

    def _iteration_brackets(self):
        s_max = int(math.floor(math.log(self.max_resource_ / self.min_resource_, self.eta) + 1e-9))
        brackets = []
        for s in range(s_max, -1, -1):
            n = int(math.ceil((s_max + 1) / (s + 1) * self.eta**s))
            first = self.max_resource_ / self.eta**s
            brackets.append((n, self._rung_budgets(first, s + 1)))
        return brackets
