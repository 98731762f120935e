"""Diagnose under- and overfitting, and say which hyperparameter to turn."""

from ._diagnose import Diagnosis, diagnose
from ._knobs import KNOBS, Knob, advice_for

__all__ = ["KNOBS", "Diagnosis", "Knob", "advice_for", "diagnose"]
