"""The mini-batch training loop shared by every gradient-trained estimator."""

import numpy as np

from ._blas import add_scaled
from ._threads import with_training_threads
from .exceptions import DivergenceError
from .nn import add_penalty_gradient, penalty_value_and_gradient

__all__ = ["TrainingRun"]

#: Growth of the epoch loss over the first epoch of a run that counts as divergence.
_EXPLOSION_FACTOR = 1e9


class TrainingRun:
    """One call of ``fit`` or ``partial_fit``: epochs of mini-batch descent.

    Parameters
    ----------
    estimator : BaseGradientEstimator
        Provides the hyperparameters and the model hooks.
    X, Y, sample_weight : ndarray
        Training data, encoded targets and per-sample weights (or None).
    validation : tuple or None
        ``(X_val, y_val, sample_weight_val)`` scored after each epoch.
    rng : numpy.random.RandomState
        Drives shuffling and stochastic layers.
    """

    def __init__(self, estimator, X, Y, sample_weight, validation, rng):
        self.est = estimator
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.validation = validation
        self.rng = rng

    @with_training_threads
    def run(self, n_epochs, *, check_convergence):
        """Train for at most ``n_epochs`` epochs; return the number run."""
        est = self.est
        params = est._parameters()
        penalized_idx = est._penalized_indices()
        penalized = [params[i] for i in penalized_idx]
        n = self.X.shape[0]
        batch = est._effective_batch_size(n)
        no_improvement = 0
        epochs_run = 0
        first_loss = None
        for _ in range(n_epochs):
            epoch = len(est.loss_curve_)
            lr = est._learning_rate_at(epoch)
            for cb in est.callbacks_:
                cb.on_epoch_begin(est, epoch)
            order = self.rng.permutation(n) if est.shuffle else None
            total = 0.0
            for b, start in enumerate(range(0, n, batch)):
                idx = (order[start:start + batch] if order is not None
                       else slice(start, start + batch))
                loss = self._step(idx, params, penalized, penalized_idx, lr, epoch)
                total += loss * min(batch, n - start)
                for cb in est.callbacks_:
                    cb.on_batch_end(est, b, loss)
            penalty = penalty_value_and_gradient(penalized, est.penalty, est.alpha, est.l1_ratio)
            epoch_loss = total / n + penalty
            first_loss = epoch_loss if first_loss is None else first_loss
            self._check_not_exploding(first_loss, epoch_loss, lr, epoch)
            est.loss_curve_.append(float(epoch_loss))
            epochs_run += 1
            logs = {"loss": float(epoch_loss), "lr": float(lr)}
            improved = self._track_progress(logs, epoch)
            no_improvement = 0 if improved else no_improvement + 1
            if est.verbose:
                print(_format_logs(epoch, logs))
            stop = any([bool(cb.on_epoch_end(est, epoch, logs)) for cb in est.callbacks_])
            if stop or (check_convergence and est.tol is not None
                        and no_improvement >= est.n_iter_no_change):
                est._converged = True
                break
        return epochs_run

    def _check_not_exploding(self, first_loss, loss, lr, epoch):
        """A loss that grew a billion-fold is diverging even while it is still finite."""
        if np.isfinite(loss) and loss <= _EXPLOSION_FACTOR * max(first_loss, 1e-12):
            return
        raise DivergenceError(
            f"Training diverged at epoch {epoch + 1}: the loss grew from {first_loss:.3g} "
            f"to {loss:.3g} with learning_rate={self.est.learning_rate!r} (effective rate "
            f"{lr:.3g}) and optimizer={self.est.optimizer!r}. Lower learning_rate, or scale "
            "the features; the estimator was left without the diverged weights."
        )

    def _step(self, idx, params, penalized, penalized_idx, lr, epoch):
        est = self.est
        Xb = self.X[idx]
        Yb = self.Y[idx]
        swb = None if self.sample_weight is None else self.sample_weight[idx]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, grads = est._loss_and_gradients(Xb, Yb, swb, self.rng)
            if not np.isfinite(loss):
                raise DivergenceError(
                    f"Training diverged at epoch {epoch + 1}: the loss became {loss} with "
                    f"learning_rate={est.learning_rate!r} (effective rate {lr:.3g}) and "
                    f"optimizer={est.optimizer!r}. Lower learning_rate, or scale the "
                    "features; the estimator was left without the diverged weights."
                )
            add_penalty_gradient(penalized, est.penalty, est.alpha, est.l1_ratio,
                                 [grads[i] for i in penalized_idx])
            updates = est._optimizer_transform.update(grads, est._optimizer_state, params)
            for p, u in zip(params, updates):
                add_scaled(p, u, -lr)  # p -= lr * u, in place
        return loss

    def _track_progress(self, logs, epoch):
        """Record validation scores and best state; say whether this epoch improved."""
        est = self.est
        tol = est.tol or 0.0
        if self.validation is None:
            improved = logs["loss"] < est._best_loss - tol
            est._best_loss = min(est._best_loss, logs["loss"])
            return improved
        X_val, y_val, sw_val = self.validation
        score = float(est._validation_score(X_val, y_val, sw_val))
        logs["val_score"] = score
        est.validation_scores_.append(score)
        loss_improved = logs["loss"] < est._best_loss - tol
        est._best_loss = min(est._best_loss, logs["loss"])
        score_improved = np.isfinite(score) and score > est._best_score + tol
        if np.isfinite(score) and score > est._best_score:
            est._best_score = score
            est.best_epoch_ = epoch
            if est.early_stopping:
                est._best_state = [a.copy() for a in est._state_arrays()]
        # Early stopping judges progress on the validation score, otherwise on the loss.
        return score_improved if est.early_stopping else loss_improved


def _format_logs(epoch, logs):
    parts = [f"epoch {epoch + 1}"] + [f"{k}={v:.6g}" for k, v in logs.items()]
    return ", ".join(parts)

