"""Diagnose under- and overfitting, and say which hyperparameter to turn."""

from ._diagnose import Diagnosis, diagnose
from ._knobs import KNOBS, advice_for

__all__ = ["KNOBS", "Diagnosis", "advice_for", "diagnose"]
