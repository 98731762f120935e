"""Optional matplotlib displays (``pip install 'sklearn_hp[plot]'``).

Displays follow scikit-learn's conventions (``from_search`` / ``from_estimator``,
``plot(ax=)``, ``ax_``, ``figure_``):

* :class:`OptimizationHistoryDisplay`: score per candidate and best so far;
* :class:`HyperparameterImportanceDisplay`: share of score variation per hyperparameter;
* :class:`HyperparameterScoreDisplay`: one hyperparameter against the score;
* :class:`LossCurveDisplay`: a network's loss and validation curves, best epoch marked.

:func:`plot_search_history` and :func:`plot_learning_curve` are shortcuts that
return the axes.
"""

from ._displays import (
    HyperparameterImportanceDisplay,
    HyperparameterScoreDisplay,
    LossCurveDisplay,
    OptimizationHistoryDisplay,
)

__all__ = [
    "HyperparameterImportanceDisplay",
    "HyperparameterScoreDisplay",
    "LossCurveDisplay",
    "OptimizationHistoryDisplay",
    "plot_learning_curve",
    "plot_search_history",
]


def plot_learning_curve(estimator, ax=None):
    """Draw ``LossCurveDisplay.from_estimator(estimator)``; return its axes."""
    return LossCurveDisplay.from_estimator(estimator, ax=ax).ax_


def plot_search_history(search, ax=None, metric=None):
    """Draw ``OptimizationHistoryDisplay.from_search(search)``; return its axes."""
    return OptimizationHistoryDisplay.from_search(search, metric=metric, ax=ax).ax_
