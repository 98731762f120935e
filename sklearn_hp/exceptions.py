"""Exceptions and warnings of sklearn_hp."""

__all__ = ["DivergenceError", "DivergenceWarning"]


class DivergenceError(FloatingPointError, ValueError):
    """Training diverged; the estimator is left as it was before that fit.

    Raised when the loss becomes non-finite, grows a billion-fold within a fit,
    or ends ten times above both where it started and a constant model's loss.

    Raised by ``fit`` and ``partial_fit``. A search treats it like any failing fit
    (``error_score``), so finished trials are kept.
    """


class DivergenceWarning(UserWarning):
    """Training ended with a loss above where it started and above a constant model's.

    The fit is kept, but it is likely worse than predicting a constant; lower
    ``learning_rate`` (a loss ten times that high raises :class:`DivergenceError`).
    """
