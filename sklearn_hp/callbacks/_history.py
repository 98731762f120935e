"""History: what happened in each epoch of the last fit."""

from ._base import Callback

__all__ = ["History"]


class History(Callback):
    """Record the logs of every epoch (and optionally every batch loss).

    Parameters
    ----------
    record_batches : bool, default=False
        Also keep the loss of every mini-batch in ``batch_losses_``.

    Attributes
    ----------
    history_ : list of dict
        One dict per epoch: ``epoch`` (0-based, counted over all fits), ``loss``,
        ``lr`` and ``val_score`` when there is validation data.
    batch_losses_ : list of float
        Loss of each mini-batch, when ``record_batches=True``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_hp.callbacks import History
    >>> from sklearn_hp.neural_network import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((8,), max_epochs=3, tol=None, callbacks=[History()]).fit(X, y)
    >>> [sorted(h) for h in clf.callbacks_[0].history_][0]
    ['epoch', 'loss', 'lr']
    """

    def __init__(self, record_batches=False):
        self.record_batches = record_batches

    def on_train_begin(self, estimator, **info):
        self.history_ = []
        self.batch_losses_ = []

    def on_batch_end(self, estimator, batch, loss, **info):
        if self.record_batches:
            self.batch_losses_.append(float(loss))

    def on_epoch_end(self, estimator, epoch, logs, **info):
        self.history_.append({"epoch": epoch, **logs})

    def column(self, key):
        """Return the values of one log entry over the epochs, e.g. ``"loss"``."""
        return [entry[key] for entry in self.history_ if key in entry]
