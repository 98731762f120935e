"""The mini-batch training loop shared by every gradient-trained estimator.

:class:`TrainingLoop` is the one owner of a fit's progress: the best training loss,
the best validation score and its epoch, whether training converged, and the
copies of the model's state (:meth:`TrainingLoop.snapshot`) that callbacks such as
:class:`~sklearn_hp.callbacks.EarlyStopping` keep and put back. It reads the
estimator only through :class:`~sklearn_hp._engine._interface.LoopSettings` and the
:class:`~sklearn_hp._engine._interface.TrainableModel` hooks.
"""

import math
import warnings

import numpy as np

from .._stacklevel import user_stacklevel
from ..callbacks import TrainingRun
from ..exceptions import DivergenceError, DivergenceWarning
from ._threads import with_training_threads

__all__ = ["TrainingLoop"]

#: Growth of the epoch loss over the first epoch of a run that counts as divergence.
_EXPLOSION_FACTOR = 1e9
#: A run whose loss ends this many times above where it started (or above the
#: constant model's loss, if higher) raises DivergenceError ...
_DIVERGED_FACTOR = 10.0
#: ... and this many times above earns a DivergenceWarning.
_SUSPECT_FACTOR = 2.0


class TrainingLoop(TrainingRun):
    """One call of ``fit`` or ``partial_fit``: epochs of mini-batch descent.

    Callbacks receive the run as ``info["run"]`` in every hook and read the
    model's state through :meth:`snapshot` and put it back with :meth:`restore`.

    Parameters
    ----------
    estimator : TrainableModel
        Provides the model hooks; handed on to the callbacks.
    settings : LoopSettings
        The fit's settings, built by the estimator.
    X, Y, sample_weight : ndarray
        Training data, encoded targets and per-sample weights (or None).
    validation : tuple or None
        ``(X_val, y_val, sample_weight_val)`` scored after each epoch.
    rng : numpy.random.RandomState
        Drives shuffling and stochastic layers.
    callbacks : list of Callback
        Called around every epoch and batch (the user's and the estimator's own).

    Attributes
    ----------
    best_loss, best_score, best_epoch, best_state, converged, epochs_run
        See :class:`~sklearn_hp.callbacks.TrainingRun`.
    """

    def __init__(self, estimator, settings, X, Y, sample_weight, validation, rng,
                 callbacks=()):
        self.est = estimator
        self.settings = settings
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.validation = validation
        self.rng = rng
        self.callbacks = list(callbacks)
        self.best_loss = math.inf
        self.best_score = -math.inf
        self.best_epoch = None
        self.best_state = None
        self.converged = False
        self.epochs_run = 0
        self._losses = []
        self._start_loss = None
        self._batch_buffers = {}

    # ----------------------------------------------------------- state access
    def snapshot(self):
        """Return copies of the model's state (parameters and running statistics)."""
        return [a.copy() for a in self.est._state_arrays()]

    def restore(self, state):
        """Put back a state returned by :meth:`snapshot`, in place."""
        for array, saved in zip(self.est._state_arrays(), state):
            array[...] = saved

    # ------------------------------------------------------------------ loop
    @with_training_threads
    def run(self, n_epochs, *, check_convergence):
        """Train for at most ``n_epochs`` epochs; return the number run."""
        est, settings = self.est, self.settings
        params = est._parameters()
        penalized = [params[i] for i in settings.penalized_indices]
        first_loss = None
        data_loss = None
        for _ in range(n_epochs):
            epoch = len(settings.loss_curve)
            lr = settings.updates.start_epoch(settings.update_state, epoch,
                                              settings.loss_curve)
            for cb in self.callbacks:
                cb.on_epoch_begin(est, epoch, run=self)
            data_loss = self._epoch(params, penalized, lr, epoch)
            epoch_loss = data_loss + (0.0 if settings.penalty is None
                                      else settings.penalty.value(penalized, settings.alpha))
            first_loss = epoch_loss if first_loss is None else first_loss
            self._check_not_exploding(first_loss, epoch_loss, lr, epoch)
            settings.loss_curve.append(float(epoch_loss))
            self.epochs_run += 1
            logs = {"loss": float(epoch_loss), "lr": float(lr)}
            self._track_progress(logs, epoch)
            if settings.verbose:
                print(_format_logs(epoch, logs))
            stop = any([bool(cb.on_epoch_end(est, epoch, logs, run=self))
                        for cb in self.callbacks])
            if stop or (check_convergence and self._plateaued()):
                self.converged = True
                break
        if data_loss is not None:
            self._check_ended_below_start(data_loss)
        return self.epochs_run

    def _epoch(self, params, penalized, lr, epoch):
        """Run one epoch's mini-batches; return the mean data loss."""
        n = self.X.shape[0]
        batch = self.settings.batch_size
        order = self.rng.permutation(n) if self.settings.shuffle else None
        total = 0.0
        for b, start in enumerate(range(0, n, batch)):
            idx = (order[start:start + batch] if order is not None
                   else slice(start, start + batch))
            loss = self._step(idx, params, penalized, lr, epoch)
            total += loss * min(batch, n - start)
            for cb in self.callbacks:
                cb.on_batch_end(self.est, b, loss, run=self)
        return total / n

    def _plateaued(self):
        """Whether the last ``plateau_window`` epochs lowered the loss by less than the tol.

        Progress is measured over the whole window, so a loss that falls slowly but
        steadily (less than ``tol`` per epoch, more over the window) keeps training.
        With ``early_stopping`` the estimator's stopping callback decides instead.
        """
        tol, window = self.settings.plateau_tol, self.settings.plateau_window
        if tol is None or len(self._losses) <= window:
            return False
        before = min(self._losses[:-window])
        return before - min(self._losses[-window:]) < tol

    def _check_not_exploding(self, first_loss, loss, lr, epoch):
        """A loss that grew a billion-fold is diverging even while it is still finite."""
        if np.isfinite(loss) and loss <= _EXPLOSION_FACTOR * max(first_loss, 1e-12):
            return
        raise DivergenceError(
            f"Training diverged at epoch {epoch + 1}: the loss grew from {first_loss:.3g} "
            f"to {loss:.3g} with {self._setup_text(lr)}. Lower learning_rate, or scale "
            "the features; the estimator was left as it was before this fit."
        )

    def _setup_text(self, lr=None):
        """``learning_rate=... (effective rate ...) and optimizer=...`` for messages."""
        effective = "" if lr is None else f" (effective rate {lr:.3g})"
        return (f"{self.settings.rate_text}{effective} and "
                f"optimizer={self.settings.optimizer_text}")

    def _check_ended_below_start(self, data_loss):
        """Report a run whose loss ended above both its start and the constant model's."""
        constant = self.est._constant_loss(self.Y, self.sample_weight)
        start = max(self._start_loss, constant)
        if not data_loss > _SUSPECT_FACTOR * start + 1e-12:
            return
        what = (f"the training loss ended at {data_loss:.3g}, {data_loss / start:.3g} times "
                f"the larger of where it started ({self._start_loss:.3g}) and a constant "
                f"prediction's loss ({constant:.3g})")
        remedy = f"with {self._setup_text()}. Lower learning_rate"
        if data_loss > _DIVERGED_FACTOR * start:
            raise DivergenceError(
                f"Training diverged: {what}, {remedy}, or scale the features; the "
                "estimator was left as it was before this fit."
            )
        warnings.warn(
            f"Training may have diverged: {what}, {remedy}, or scale the features.",
            DivergenceWarning,
            stacklevel=user_stacklevel(),
        )

    def _step(self, idx, params, penalized, lr, epoch):
        """One mini-batch: gradients, penalty, the update chain, ``p += step`` in place."""
        settings = self.settings
        Xb, Yb, swb = (self._rows(a, idx) for a in (self.X, self.Y, self.sample_weight))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, grads = self.est._loss_and_gradients(Xb, Yb, swb, self.rng)
            if not np.isfinite(loss):
                raise DivergenceError(
                    f"Training diverged at epoch {epoch + 1}: the loss became {loss} with "
                    f"{self._setup_text(lr)}. Lower learning_rate, or scale the "
                    "features; the estimator was left as it was before this fit."
                )
            if self._start_loss is None:
                self._start_loss = float(loss)  # the untrained model's loss, first batch
            if settings.penalty is not None:
                settings.penalty.add_gradient(
                    penalized, [grads[i] for i in settings.penalized_indices], settings.alpha)
            steps = settings.updates.update(grads, settings.update_state, params)
            for p, step in zip(params, steps):
                p += step
        return loss

    def _rows(self, array, idx):
        """``array[idx]``; shuffled rows are gathered into a buffer reused across batches.

        The batch is only read during its own step (the layers keep it until the
        backward pass), so one buffer per array and batch length serves every step.
        """
        if array is None or isinstance(idx, slice):
            return None if array is None else array[idx]
        key = (id(array), len(idx))
        buffer = self._batch_buffers.get(key)
        if buffer is None:
            buffer = self._batch_buffers[key] = np.empty(
                (len(idx), *array.shape[1:]), dtype=array.dtype
            )
        return np.take(array, idx, axis=0, out=buffer)

    def _track_progress(self, logs, epoch):
        """Record the loss, the validation score and the best epoch."""
        self._losses.append(logs["loss"])
        self.best_loss = min(self.best_loss, logs["loss"])
        if self.validation is None:
            return
        X_val, y_val, sw_val = self.validation
        score = float(self.est._validation_score(X_val, y_val, sw_val))
        logs["val_score"] = score
        self.settings.validation_scores.append(score)
        if np.isfinite(score) and score > self.best_score:
            self.best_score = score
            self.best_epoch = epoch


def _format_logs(epoch, logs):
    parts = [f"epoch {epoch + 1}"] + [f"{k}={v:.6g}" for k, v in logs.items()]
    return ", ".join(parts)
