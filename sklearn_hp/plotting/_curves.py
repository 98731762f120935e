"""Matplotlib displays: a model's learning curve and a search's optimisation history."""

import numpy as np

__all__ = ["plot_learning_curve", "plot_search_history"]


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Plotting needs matplotlib: pip install 'sklearn_hp[plot]'."
        ) from error
    return plt.subplots()[1]


def plot_learning_curve(estimator, ax=None):
    """Plot the training loss per epoch and, when recorded, the validation score.

    Parameters
    ----------
    estimator : fitted sklearn_hp estimator (or a Pipeline ending in one)
        Needs ``loss_curve_``; ``validation_scores_`` is drawn on a second axis.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        The loss axis; the validation axis, if any, is ``ax.right_ax``.
    """
    model = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    if not hasattr(model, "loss_curve_"):
        raise ValueError(
            f"{type(model).__name__} has no loss_curve_: fit an sklearn_hp estimator first."
        )
    ax = _axes(ax)
    epochs = np.arange(1, len(model.loss_curve_) + 1)
    ax.plot(epochs, model.loss_curve_, color="C0", label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.right_ax = None
    scores = getattr(model, "validation_scores_", None)
    if scores:
        right = ax.twinx()
        right.plot(epochs[-len(scores):], scores, color="C1", label="validation score")
        right.set_ylabel("validation score")
        if getattr(model, "best_epoch_", None) is not None:
            right.axvline(model.best_epoch_ + 1, color="C1", linestyle=":", label="best epoch")
        ax.right_ax = right
    ax.set_title(f"{type(model).__name__}: learning curve")
    return ax


def plot_search_history(search, ax=None, metric=None):
    """Plot each candidate's mean test score in evaluation order, and the best so far.

    Parameters
    ----------
    search : fitted BaseSearchCV (GridSearchCV, RandomizedSearchCV, BayesSearchCV, ...)
    ax : matplotlib Axes, optional
    metric : str, optional
        Scorer name with multimetric scoring (default: the refit metric or "score").

    Returns
    -------
    ax : matplotlib Axes
    """
    results = getattr(search, "cv_results_", None)
    if results is None:
        raise ValueError(f"{type(search).__name__} has no cv_results_: fit the search first.")
    if metric is None:
        metric = search.refit if isinstance(search.refit, str) else "score"
    key = f"mean_test_{metric}"
    if key not in results:
        accepted = [k[len("mean_test_"):] for k in results if k.startswith("mean_test_")]
        raise ValueError(f"metric={metric!r} is not in cv_results_; accepted: {accepted}.")
    scores = np.asarray(results[key], dtype=float)
    ax = _axes(ax)
    trials = np.arange(1, len(scores) + 1)
    ax.plot(trials, scores, "o", color="C0", alpha=0.6, label="candidate")
    best = np.fmax.accumulate(np.where(np.isnan(scores), -np.inf, scores))
    ax.step(trials, best, where="post", color="C3", label="best so far")
    ax.set_xlabel("candidate (evaluation order)")
    ax.set_ylabel(f"mean test {metric}")
    ax.set_title(f"{type(search).__name__}: optimisation history")
    ax.legend(loc="lower right")
    return ax
