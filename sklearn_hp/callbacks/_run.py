"""What a callback receives as ``run=``: the progress of one fit and its state copies."""

from typing import Protocol, runtime_checkable

__all__ = ["TrainingRun"]


@runtime_checkable
class TrainingRun(Protocol):
    """One call of ``fit`` or ``partial_fit``, as the callbacks see it.

    Every hook receives it as ``info["run"]``. The training engine's loop is one.

    Attributes
    ----------
    best_loss : float
        Lowest epoch training loss (plus penalty) of this run.
    best_score : float
        Highest validation score of this run (``-inf`` without validation).
    best_epoch : int or None
        Epoch (0-based, over all fits) of ``best_score``.
    best_state : list of ndarray or None
        With ``early_stopping=True``, the snapshot of the best epoch, put back
        at the end of training.
    converged : bool
        Whether training stopped by itself (plateau of the loss or a callback).
    epochs_run : int
        Epochs run so far.
    """

    best_loss: float
    best_score: float
    best_epoch: "int | None"
    best_state: "list | None"
    converged: bool
    epochs_run: int

    def snapshot(self):
        """Return copies of the model's state (parameters and running statistics)."""

    def restore(self, state):
        """Put back a state returned by :meth:`snapshot`, in place."""
