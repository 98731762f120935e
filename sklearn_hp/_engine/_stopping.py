"""The estimators' own ``early_stopping=True``, as a callback of the loop."""

from ..callbacks import EarlyStopping

__all__ = ["BestEpochStopping"]


class BestEpochStopping(EarlyStopping):
    """The estimators' own ``early_stopping=True``: stop when the validation score
    has not improved by ``min_delta`` for ``patience`` epochs, and put back the
    state of the epoch with the highest score.

    The best state is the run's: it is kept in ``run.best_state``.
    """

    _keeps_every_improvement = True

    def _keep_state(self, run):
        run.best_state = run.snapshot()

    def _kept_state(self, run):
        return run.best_state
