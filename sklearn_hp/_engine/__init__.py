"""The mini-batch training engine shared by the linear models and the networks.

:class:`BaseGradientEstimator` (``_estimator.py``) validates the hyperparameters and
builds what one fit needs; :class:`~sklearn_hp.callbacks.TrainingRun` (``_loop.py``)
runs the epochs; ``_targets.py`` turns targets into the loss's form, ``_threads.py``
limits BLAS threads while training and ``_docstrings.py`` holds the docstring pieces
the estimators share.

Names are imported on first use so that importing the package for its thread policy
does not import scikit-learn.
"""

import importlib

__all__ = ["BaseGradientEstimator"]

#: public name -> the module of this package that defines it
_LAZY = {"BaseGradientEstimator": "_estimator"}


def __getattr__(name):
    """Import :class:`BaseGradientEstimator` on first access."""
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
