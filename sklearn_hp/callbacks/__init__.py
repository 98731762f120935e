"""Epoch and batch hooks for the gradient-trained estimators."""

from ._base import Callback

__all__ = ["Callback"]
