"""What the training loop needs from an estimator: its settings and five model hooks.

The estimator builds :class:`LoopSettings` once per fit; the loop reads nothing
else of it but the :class:`TrainableModel` hooks (it hands the estimator itself on
to the callbacks, untouched).
"""

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["LoopSettings", "TrainableModel"]


@dataclass(frozen=True)
class LoopSettings:
    """The settings of one fit's loop, resolved from the hyperparameters.

    Attributes
    ----------
    batch_size : int
        Rows per mini-batch (at most the number of training rows).
    shuffle : bool
        Draw a new row order every epoch.
    updates : GradientTransform
        The optimizer's chain ending in the learning rate: it returns the steps the
        loop adds to the parameters, and its ``start_epoch`` returns the epoch's rate.
    update_state : object
        The state of ``updates`` (the optimizer's part is the estimator's own).
    penalty : Penalty or None
        The weight penalty added to the loss and the gradients, times ``alpha``.
    alpha : float
        Strength of ``penalty``.
    penalized_indices : tuple of int
        Which parameters take the penalty.
    plateau_tol : float or None
        Stop when ``plateau_window`` epochs lower the loss by less than this; None
        switches the rule off (``tol=None``, or ``early_stopping`` decides).
    plateau_window : int
        Epochs the plateau rule looks back.
    largest_product : int
        Multiply-adds of the largest matrix product of one step; a fit of small
        products trains on one BLAS thread (see ``_threads.py``).
    verbose : bool
        Print each epoch's logs.
    rate_text, optimizer_text : str
        How the learning rate and the optimizer were given, for divergence messages.
    loss_curve, validation_scores : list of float
        The estimator's records, appended to every epoch (the epoch's number is the
        length of ``loss_curve``).
    """

    batch_size: int
    shuffle: bool
    updates: Any
    update_state: Any
    penalty: Any
    alpha: float
    penalized_indices: tuple
    plateau_tol: Any
    plateau_window: int
    largest_product: int
    verbose: bool
    rate_text: str
    optimizer_text: str
    loss_curve: list
    validation_scores: list


class TrainableModel(Protocol):
    """The model hooks the loop calls."""

    def _parameters(self):
        """The trainable arrays, updated in place."""

    def _state_arrays(self):
        """The arrays a snapshot copies (parameters and running statistics)."""

    def _loss_and_gradients(self, X, Y, sample_weight, rng):
        """Mean data loss of a batch and the gradients of ``_parameters()``."""

    def _validation_score(self, X, y, sample_weight):
        """Score on the validation set, higher is better."""

    def _constant_loss(self, Y, sample_weight):
        """Loss of the best constant model, the divergence yardstick."""
