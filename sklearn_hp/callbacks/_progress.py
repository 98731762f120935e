"""ProgressBar: a tqdm bar over the epochs (optional dependency)."""

from ._base import Callback

__all__ = ["ProgressBar"]


class ProgressBar(Callback):
    """Show a `tqdm <https://tqdm.github.io>`_ progress bar over the epochs.

    Needs the optional dependency tqdm (``pip install 'sklearn_hp[progress]'``).

    Parameters
    ----------
    leave : bool, default=True
        Keep the finished bar on screen.
    show_logs : bool, default=True
        Show the latest loss (and validation score) next to the bar.
    """

    def __init__(self, leave=True, show_logs=True):
        self.leave = leave
        self.show_logs = show_logs

    def on_train_begin(self, estimator, **info):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise ImportError(
                "ProgressBar needs the optional dependency tqdm; install it with "
                "pip install 'sklearn_hp[progress]' (or pip install tqdm)."
            ) from None
        self._bar = tqdm(total=getattr(estimator, "max_epochs", None), leave=self.leave,
                         desc=type(estimator).__name__, unit="epoch")

    def on_epoch_end(self, estimator, epoch, logs, **info):
        self._bar.update(1)
        if self.show_logs:
            self._bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if k != "lr"})

    def on_train_end(self, estimator, **info):
        self._close()

    def on_train_abort(self, estimator, error, **info):
        self._close()

    def _close(self):
        if getattr(self, "_bar", None) is not None:
            self._bar.close()
        self._bar = None  # keep the fitted estimator picklable
