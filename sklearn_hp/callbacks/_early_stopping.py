"""EarlyStopping: stop when a monitored quantity stalls, keep the best weights."""

import math
from numbers import Integral

from ._base import Callback

__all__ = ["EarlyStopping"]

_MONITORS = {"loss": -1.0, "val_score": 1.0}  # sign: +1 when larger is better


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Independent of the estimator's own ``early_stopping`` hyperparameter, so it
    can watch the training loss, or a validation set given to ``fit`` through
    ``validation_data``.

    Parameters
    ----------
    monitor : {"val_score", "loss"}, default="val_score"
        Maximise the validation score, or minimise the training loss.
    patience : int, default=5
        Epochs without improvement before stopping.
    min_delta : float, default=0.0
        Smallest change that counts as an improvement.
    restore_best_weights : bool, default=True
        At the end of training, put back the parameters (and running statistics)
        of the best epoch. The state is copied and put back through the
        :class:`~sklearn_hp.callbacks.TrainingRun` the hooks receive as ``info["run"]``.

    Attributes
    ----------
    best_ : float
        Best monitored value.
    best_epoch_ : int or None
        Epoch (0-based, over all fits) where it was reached.
    stopped_epoch_ : int or None
        Epoch after which training was stopped, or None if it ran to the end.
    """

    def __init__(self, monitor="val_score", patience=5, min_delta=0.0,
                 restore_best_weights=True):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, estimator, **info):
        if self.monitor not in _MONITORS:
            raise ValueError(
                f"EarlyStopping monitor={self.monitor!r} is not accepted; use one of "
                f"{sorted(_MONITORS)}."
            )
        if not (isinstance(self.patience, Integral) and self.patience >= 1):
            raise ValueError(
                f"EarlyStopping patience={self.patience!r} must be a positive integer."
            )
        self.best_ = -math.inf * _MONITORS[self.monitor]
        self.best_epoch_ = None
        self.stopped_epoch_ = None
        self._waited = 0
        self._best_state = None

    #: Keep the state of every epoch better than the best so far, however slightly
    #: (otherwise only of epochs better by more than ``min_delta``).
    _keeps_every_improvement = False

    def on_epoch_end(self, estimator, epoch, logs, **info):
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitor={self.monitor!r} is not in the epoch logs "
                f"{sorted(logs)}; pass validation_data=(X_val, y_val) to fit or set "
                "early_stopping=True to get 'val_score', or monitor 'loss'."
            )
        gain = _MONITORS[self.monitor] * (logs[self.monitor] - self.best_)
        if gain > self.min_delta or (gain > 0 and self._keeps_every_improvement):
            self.best_, self.best_epoch_ = logs[self.monitor], epoch
            if self.restore_best_weights:
                self._keep_state(info["run"])
        if gain > self.min_delta:
            self._waited = 0
            return False
        self._waited += 1
        if self._waited >= self.patience:
            self.stopped_epoch_ = epoch
            return True
        return False

    def on_train_end(self, estimator, **info):
        state = self._kept_state(info["run"])
        if self.restore_best_weights and state is not None:
            info["run"].restore(state)
        self._best_state = None

    def _keep_state(self, run):
        """Keep a snapshot of the current (best so far) state."""
        self._best_state = run.snapshot()

    def _kept_state(self, run):
        return self._best_state

