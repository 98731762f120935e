"""Callbacks: tiny objects with no-op hooks, called by the training loop."""

from sklearn.base import BaseEstimator

from .._compat import CachedParamNames

__all__ = ["Callback"]


class Callback(CachedParamNames, BaseEstimator):
    """Base class of callbacks; override the hooks you need.

    Callbacks are hyperparameters: an estimator clones its ``callbacks`` at the
    start of ``fit`` into the learned attribute ``callbacks_``, so the objects you
    pass are never changed by training. Given as ``(name, callback)`` pairs, their
    parameters are the estimator's (``callbacks__early__patience``), so searches
    tune them. A callback's ``__init__`` stores its arguments unchanged;
    :meth:`on_train_begin` checks them, so a bad value fails ``fit`` (search
    callbacks, :class:`~sklearn_hp.search.SearchCallback`, follow the same
    convention). Every hook receives the running
    :class:`~sklearn_hp.callbacks.TrainingRun` as ``info["run"]``: its
    ``snapshot()`` and ``restore(state)`` copy and put back the model's state, and it
    holds the run's best loss, best validation score and best epoch.
    ``on_epoch_end`` may return ``True`` to
    stop training.
    """

    def on_train_begin(self, estimator, **info):
        """Called once before the first epoch of ``fit`` or ``partial_fit``."""

    def on_epoch_begin(self, estimator, epoch, **info):
        """Called before each epoch."""

    def on_batch_end(self, estimator, batch, loss, **info):
        """Called after each mini-batch update with the batch loss."""

    def on_epoch_end(self, estimator, epoch, logs, **info):
        """Called after each epoch with ``logs`` (``loss``, ``val_score``, ``lr``).

        Returns
        -------
        stop : bool or None
            ``True`` stops training after this epoch.
        """

    def on_train_end(self, estimator, **info):
        """Called once after the last epoch."""

    def on_train_abort(self, estimator, error, **info):
        """Called instead of :meth:`on_train_end` when training raised ``error``.

        Release what :meth:`on_train_begin` acquired (displays, files); the error is
        raised again afterwards.
        """
