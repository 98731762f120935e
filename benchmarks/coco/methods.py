"""The methods compared on the shared suites (COCO here, the tabular suite too).

Ours (GP, TPE) and random search run the ask/tell loop that ``BayesSearchCV``
runs: the space as a :class:`SearchSpace`, a fresh sampler, a ``RandomState``
from the seed, ``sampler.propose(space, trials, 1, rng)`` for each trial (the
search's batch of one when ``n_jobs`` is unset) and the result told back as a
:class:`Trial` whose score is minus the loss. Only cross-validation, which has
nothing to do on a benchmark function, is left out. Optuna 5 (its default
``TPESampler`` and ``GPSampler``) and scikit-optimize's ``gp_minimize`` run
through the adapters of :mod:`benchmarks.bbo.methods`.

A runner takes ``(problem, n_evals, seed)``, where ``problem`` has ``space`` and
``loss(params)``, and returns the losses in evaluation order and the optimiser's
own time in seconds (wall time minus the time spent evaluating).
"""

import math
import time
import warnings
from functools import partial

import numpy as np
from scipy.linalg import cho_solve
from scipy.stats import spearmanr
from sklearn.utils import check_random_state

from sklearn_hp.search import GPSampler, RandomSampler, SearchSpace, TPESampler, Trial

from ..bbo.methods import run_optuna, run_skopt


def run_ask_tell(problem, n_evals, seed, sampler):
    """Run ``sampler`` (a fresh sampler object) for ``n_evals`` trials of ``problem``."""
    space, rng = SearchSpace(problem.space), check_random_state(seed)
    trials, losses, optimiser = [], [], 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while len(trials) < n_evals:
            start = time.perf_counter()
            candidates = sampler.propose(space, trials, 1, rng)
            optimiser += time.perf_counter() - start
            if not candidates:
                break
            for params in candidates:
                loss = problem.loss(params)
                losses.append(loss)
                trials.append(Trial(params, -loss if math.isfinite(loss) else math.nan))
    return np.asarray(losses, dtype=float), optimiser


METHODS = {
    "ours-gp": lambda p, n, s: run_ask_tell(p, n, s, GPSampler()),
    "ours-tpe": lambda p, n, s: run_ask_tell(p, n, s, TPESampler()),
    "optuna-tpe": lambda p, n, s: run_optuna(p, n, s, "tpe"),
    "optuna-gp": lambda p, n, s: run_optuna(p, n, s, "gp"),
    "skopt": run_skopt,
    "random": lambda p, n, s: run_ask_tell(p, n, s, RandomSampler()),
}
#: Methods whose results depend on this repository's search code.
OURS = ("ours-gp", "ours-tpe", "random")
PEERS = ("optuna-tpe", "optuna-gp", "skopt")


def run_gp(problem, n_evals, seed, **options):
    """:func:`run_ask_tell` with a ``GPSampler(**options)``."""
    return run_ask_tell(problem, n_evals, seed, GPSampler(**options))


#: GPSampler variants tried on the odd functions when its defaults were chosen
#: (README.md; none beat the default): run only when named in ``--methods``,
#: never reported. ``ours-gp-candidates-501`` only shifts the random stream: the
#: yardstick of what chance alone moves.
GP_VARIANTS = {
    "ours-gp-exploit-2": {"exploit_every": 2},
    "ours-gp-no-warping": {"output_warping": None},
    "ours-gp-candidates-501": {"n_random_candidates": 501},
    "ours-gp-init-10": {"n_initial_points": 10},
    "ours-gp-xi-0.1": {"xi": 0.1},
}


class InterleavedSampler:
    """The GP sampler with every ``every``-th proposal after its warm-up from TPE.

    A hedge tried on the odd functions and the tuning tables (README.md): TPE,
    told the same trials, is robust where the GP's model misleads it. Not a
    default; run as ``ours-gp-tpe-4``.
    """

    def __init__(self, every=4):
        self.every = every
        self.gp, self.tpe = GPSampler(), TPESampler()

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        since_warm_up = len(trials) - self.gp._n_initial(space)
        use_tpe = since_warm_up >= 0 and since_warm_up % self.every == self.every - 1
        sampler = self.tpe if use_tpe else self.gp
        return sampler.propose(space, trials, n_candidates, random_state, pending)


class _CheckedGP(GPSampler):
    """The GP sampler, noting after each fit how well its model ranks the best trials.

    ``quality`` is Spearman's correlation between the leave-one-out predictions
    of the fitted model and the (warped) scores, over the best quarter of the
    trials it was fitted to (at least 8): low where the model misleads the search.
    """

    quality = 1.0

    def _fit_model(self, index, subspace, X, y, rng):
        gp = super()._fit_model(index, subspace, X, y, rng)
        K_inv = cho_solve((gp.L_, True), np.eye(len(gp.alpha_)))
        loo = gp.y_train_scaled_ - gp.alpha_ / np.diag(K_inv)
        best = np.argsort(-gp.y_train_scaled_)[:max(8, len(gp.alpha_) // 4)]
        self.quality = float(spearmanr(loo[best], gp.y_train_scaled_[best])[0])
        return gp


class CheckedHedgeSampler:
    """The GP sampler, handing a proposal to TPE when the GP's model ranks the best
    trials badly (leave-one-out, :class:`_CheckedGP`; below ``threshold``).

    A hedge tried on the odd functions (``benchmarks/coco/README.md``): aimed at
    the functions where the GP's model misleads it, left alone where it fits.
    Not a default; run as ``ours-gp-checked-tpe``.
    """

    def __init__(self, threshold=0.3):
        self.threshold = threshold
        self.gp, self.tpe = _CheckedGP(), TPESampler()

    def propose(self, space, trials, n_candidates, random_state, pending=()):
        # the GP proposes every time: its fit measures ``quality``; when TPE's
        # proposal is taken, the GP's is dropped (what the recorded runs did)
        proposals = self.gp.propose(space, trials, n_candidates, random_state, pending)
        warm = len(trials) >= self.gp._n_initial(space)
        if warm and self.gp.quality < self.threshold:
            return self.tpe.propose(space, trials, n_candidates, random_state, pending)
        return proposals


#: Every runnable method: the reported ones, the GP variants and the hedge.
RUNNERS = {**METHODS, **{name: partial(run_gp, **options)
                         for name, options in GP_VARIANTS.items()},
           "ours-gp-tpe-4": lambda p, n, s: run_ask_tell(p, n, s, InterleavedSampler(4)),
           "ours-gp-checked-tpe": lambda p, n, s: run_ask_tell(p, n, s, CheckedHedgeSampler())}


def implementation(method):
    """What ran ``method``: a peer's package and version, or ``sklearn_hp``."""
    if method.startswith("optuna"):
        import optuna

        return f"optuna {optuna.__version__}"
    if method == "skopt":
        import skopt

        return f"scikit-optimize {skopt.__version__}"
    return "sklearn_hp"
