"""The mini-batch training engine shared by the linear models and the networks.

``_estimator.py``
    :class:`BaseGradientEstimator` validates the hyperparameters, builds the model and
    one fit's :class:`LoopSettings`, and runs the loop.
``_loop.py``
    :class:`TrainingLoop` runs the epochs; callbacks receive it as ``run=``
    (:class:`sklearn_hp.callbacks.TrainingRun`: ``snapshot()``, ``restore()``,
    ``best_*``).
``_targets.py``, ``_threads.py``, ``_stopping.py``, ``_docstrings.py``
    Targets in the loss's form, BLAS threads while training, ``early_stopping=True``
    as a callback, the docstring pieces the estimators share.

The loop's interface to the estimator (``_interface.py``)
---------------------------------------------------------
The estimator builds a frozen :class:`LoopSettings` once per fit: batch size,
shuffling, the penalty, the plateau rule, the texts divergence messages quote, the
records the loop appends to (``loss_curve_``, ``validation_scores_``) and the update
chain with its state. Besides that the loop calls only the five
:class:`TrainableModel` hooks: ``_parameters()``, ``_state_arrays()``,
``_loss_and_gradients(X, Y, sample_weight, rng)``, ``_validation_score(X, y,
sample_weight)`` and ``_constant_loss(Y, sample_weight)``.

The update chain is ``Chain(optimizer transform, ScaleByLearningRate(rate,
schedule))``: the learning rate and its schedule are its last link, so it returns
the steps and the loop applies ``p += step`` in place. Before each epoch the loop
calls ``chain.start_epoch(state, epoch, losses)`` with the epoch's number (the length
of ``loss_curve_``) and the epoch losses so far; it returns the epoch's learning rate
(``logs["lr"]``). The optimizer's state is the estimator's ``_optimizer_state``
(saved with the model); the rate's state is set anew every epoch.

Names are imported on first use so that importing the package for its thread policy
does not import scikit-learn.
"""

import importlib

__all__ = ["BaseGradientEstimator", "LoopSettings", "TrainableModel", "TrainingLoop"]

#: public name -> the module of this package that defines it
_LAZY = {"BaseGradientEstimator": "_estimator", "LoopSettings": "_interface",
         "TrainableModel": "_interface", "TrainingLoop": "_loop"}


def __getattr__(name):
    """Import a name of ``__all__`` on first access."""
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
