"""Displays in scikit-learn's conventions: ``from_search`` / ``from_estimator``, ``plot(ax=)``.

Each display stores the numbers it draws, and after ``plot`` holds ``ax_`` and
``figure_`` (plus the drawn artists), like
:class:`sklearn.metrics.RocCurveDisplay`.
"""

import numbers
import textwrap

import numpy as np

from ..inspection import final_estimator, hyperparameter_importance
from ..search import is_log_dimension, mean_test_scores, search_space

__all__ = [
    "HyperparameterImportanceDisplay",
    "HyperparameterScoreDisplay",
    "LossCurveDisplay",
    "OptimizationHistoryDisplay",
]


class _Display:
    """Shared ``plot`` plumbing: make or take the axes, remember them."""

    def _take_axes(self, ax):
        if ax is None:
            try:
                import matplotlib.pyplot as plt
            except ImportError as error:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "Plotting needs matplotlib: pip install 'sklearn_hp[plot]'."
                ) from error
            ax = plt.subplots()[1]
        self.ax_, self.figure_ = ax, ax.figure
        return ax


class OptimizationHistoryDisplay(_Display):
    """Each candidate's mean test score in evaluation order, and the best so far.

    Parameters
    ----------
    scores : array-like of shape (n_candidates,)
        Mean test scores in evaluation order (NaN for failed fits).
    metric : str, default="score"
    search_name : str, optional

    Attributes
    ----------
    best_so_far_ : ndarray
        Running maximum of the scores (failed fits ignored).
    points_, best_line_ : matplotlib artists
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, scores, *, metric="score", search_name=None):
        self.scores = np.asarray(scores, dtype=float)
        self.metric = metric
        self.search_name = search_name

    @classmethod
    def from_search(cls, search, *, metric=None, ax=None):
        """Draw the history of a fitted scikit-learn search (any ``BaseSearchCV``)."""
        scores, metric = mean_test_scores(search, metric)
        return cls(scores, metric=metric, search_name=type(search).__name__).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); return ``self``."""
        ax = self._take_axes(ax)
        trials = np.arange(1, len(self.scores) + 1)
        self.best_so_far_ = np.fmax.accumulate(
            np.where(np.isnan(self.scores), -np.inf, self.scores))
        (self.points_,) = ax.plot(trials, self.scores, "o", color="C0", alpha=0.6,
                                  label="candidate")
        (self.best_line_,) = ax.step(trials, self.best_so_far_, where="post", color="C3",
                                     label="best so far")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("candidate (evaluation order)")
        ax.set_ylabel(f"mean test {self.metric}")
        ax.set_title(f"{self.search_name or 'search'}: optimisation history")
        ax.legend(loc="best")
        return self


class HyperparameterImportanceDisplay(_Display):
    """Bars: the share of score variation each searched hyperparameter explains.

    When the importances explain nothing (their surrogate's out-of-bag R² is 0
    or below, so the shares are NaN), the axes hold a sentence saying so
    instead of bars.

    Parameters
    ----------
    names : list of str
    shares, stds : array-like
        As computed by :func:`sklearn_hp.inspection.hyperparameter_importance`.
    metric : str, default="score"
    message : str, optional
        Drawn instead of bars (default when the shares are NaN: a sentence that
        there are none).

    Attributes
    ----------
    bars_ : matplotlib BarContainer or None
        None when a message was drawn instead.
    text_ : matplotlib Text or None
        The message, when there are no bars.
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, names, shares, stds=None, *, metric="score", message=None):
        self.names = list(names)
        self.shares = np.asarray(shares, dtype=float)
        self.stds = None if stds is None else np.asarray(stds, dtype=float)
        self.metric = metric
        self.message = message

    @classmethod
    def from_importance(cls, importance, *, ax=None):
        """Draw a :class:`~sklearn_hp.inspection.HyperparameterImportance` result."""
        rows = importance.rows
        message = importance.verdict() if importance.explains_nothing else None
        return cls([r["name"] for r in rows], [r["share"] for r in rows],
                   [r["std"] for r in rows], metric=importance.metric,
                   message=message).plot(ax=ax)

    @classmethod
    def from_search(cls, search, *, metric=None, ax=None, random_state=0):
        """Compute the importances of a fitted search and draw them."""
        importance = hyperparameter_importance(search, metric=metric,
                                               random_state=random_state)
        return cls.from_importance(importance, ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); return ``self``."""
        ax = self._take_axes(ax)
        ax.set_title("hyperparameter importance")
        self.bars_ = self.text_ = None
        message = self.message
        if message is None and (not len(self.shares) or np.isnan(self.shares).all()):
            message = f"No importance: the shares of mean test {self.metric} are unknown."
        if message is not None:
            self.text_ = ax.text(0.5, 0.5, textwrap.fill(message, 40), ha="center",
                                 va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return self
        order = np.arange(len(self.names))[::-1]  # most important on top
        error = None
        if self.stds is not None:  # error bars clipped to the possible range [0, 100] %
            error = 100 * np.vstack([np.minimum(self.stds, self.shares),
                                     np.minimum(self.stds, 1 - self.shares)])
        self.bars_ = ax.barh(order, 100 * self.shares, color="C2", xerr=error)
        ax.set_yticks(order)
        ax.set_yticklabels(self.names)
        ax.set_xlabel(f"share of the variation of mean test {self.metric} (%)")
        return self


class HyperparameterScoreDisplay(_Display):
    """One hyperparameter against the mean test score of every candidate.

    Parameters
    ----------
    name : str
    values : list
        The hyperparameter's value in each candidate (numbers, or any values
        drawn as categories).
    scores : array-like
    log : bool, default=False
        Logarithmic x axis (``from_search`` sets it when the space is log).
    metric : str, default="score"

    Attributes
    ----------
    points_ : matplotlib artist
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, name, values, scores, *, log=False, metric="score"):
        self.name = name
        self.values = list(values)
        self.scores = np.asarray(scores, dtype=float)
        self.log = log
        self.metric = metric

    @classmethod
    def from_search(cls, search, name, *, metric=None, ax=None):
        """Draw ``name`` of a fitted search; log axis where its space is log."""
        space = search_space(search)
        if name not in space:
            raise ValueError(f"{name!r} was not searched; searched: {sorted(space)}.")
        scores, metric = mean_test_scores(search, metric)
        params = search.cv_results_["params"]
        kept = [i for i, p in enumerate(params) if name in p]
        log = all(is_log_dimension(spec) for spec in space[name])
        return cls(name, [params[i][name] for i in kept], scores[kept], log=log,
                   metric=metric).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); return ``self``."""
        ax = self._take_axes(ax)
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                      for v in self.values)
        if numeric:
            x = np.asarray(self.values, dtype=float)
        else:
            labels = list(dict.fromkeys(repr(v) for v in self.values))
            x = np.array([labels.index(repr(v)) for v in self.values], dtype=float)
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels(labels)
        (self.points_,) = ax.plot(x, self.scores, "o", color="C0", alpha=0.7)
        if numeric and self.log:
            ax.set_xscale("log")
        ax.set_xlabel(self.name)
        ax.set_ylabel(f"mean test {self.metric}")
        ax.set_title(f"{self.name} vs score")
        return self


class LossCurveDisplay(_Display):
    """A network's training loss per epoch, its validation score, the best epoch marked.

    Parameters
    ----------
    loss_curve : array-like
        Training loss per epoch.
    validation_scores : array-like, optional
        Validation score per epoch (drawn on a second y axis).
    best_epoch : int, optional
        Index (from 0) of the best validation epoch.
    estimator_name : str, optional

    Attributes
    ----------
    loss_line_, validation_line_, best_epoch_line_ : matplotlib artists (or None)
    right_ax_ : matplotlib Axes or None
        The validation score's axis.
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, loss_curve, validation_scores=None, best_epoch=None, *,
                 estimator_name=None):
        self.loss_curve = np.asarray(loss_curve, dtype=float)
        self.validation_scores = (None if not validation_scores
                                  else np.asarray(validation_scores, dtype=float))
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Draw a fitted sklearn_hp estimator (or a Pipeline ending in one, or in a
        ``TransformedTargetRegressor`` around one)."""
        model = final_estimator(estimator)
        if not hasattr(model, "loss_curve_"):
            raise ValueError(
                f"{type(model).__name__} has no loss_curve_: fit an sklearn_hp estimator first."
            )
        return cls(model.loss_curve_, getattr(model, "validation_scores_", None),
                   getattr(model, "best_epoch_", None),
                   estimator_name=type(model).__name__).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); return ``self``."""
        ax = self._take_axes(ax)
        epochs = np.arange(1, len(self.loss_curve) + 1)
        (self.loss_line_,) = ax.plot(epochs, self.loss_curve, color="C0",
                                     label="training loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        handles = [self.loss_line_]
        self.right_ax_ = self.validation_line_ = self.best_epoch_line_ = None
        if self.validation_scores is not None:
            self.right_ax_ = ax.twinx()
            (self.validation_line_,) = self.right_ax_.plot(
                epochs[-len(self.validation_scores):], self.validation_scores,
                color="C1", label="validation score")
            self.right_ax_.set_ylabel("validation score")
            handles.append(self.validation_line_)
        if self.best_epoch is not None:
            self.best_epoch_line_ = ax.axvline(self.best_epoch + 1, color="C3",
                                               linestyle=":", label="best epoch")
            handles.append(self.best_epoch_line_)
        ax.legend(handles=handles, loc="upper center")
        ax.set_title(f"{self.estimator_name or 'model'}: loss and validation curves")
        return self
