"""Exceptions and warnings of sklearn_hp."""

__all__ = ["DivergenceError", "DivergenceWarning"]


class DivergenceError(FloatingPointError, ValueError):
    """Training produced a non-finite loss; the estimator keeps no NaN weights.

    Raised by ``fit`` and ``partial_fit``. A search treats it like any failing fit
    (``error_score``), so finished trials are kept.
    """


class DivergenceWarning(UserWarning):
    """Training ended with a loss above where it started and above a constant model's.

    The fit is kept, but it is likely worse than predicting a constant; lower
    ``learning_rate`` (a loss ten times that high raises :class:`DivergenceError`).
    """
