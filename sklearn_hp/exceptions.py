"""Exceptions and warnings of sklearn_hp."""

__all__ = ["DivergenceError"]


class DivergenceError(FloatingPointError, ValueError):
    """Training produced a non-finite loss; the estimator keeps no NaN weights.

    Raised by ``fit`` and ``partial_fit``. A search treats it like any failing fit
    (``error_score``), so finished trials are kept.
    """
