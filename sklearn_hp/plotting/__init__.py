"""Optional matplotlib displays (``pip install 'sklearn_hp[plot]'``)."""

from ._curves import plot_learning_curve, plot_search_history

__all__ = ["plot_learning_curve", "plot_search_history"]
