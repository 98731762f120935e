"""Shared docstring pieces of the gradient-trained estimators."""

__all__ = ["TRAINING_PARAMETERS", "LEARNED_TRAINING_ATTRIBUTES", "fill_doc"]

TRAINING_PARAMETERS = """\
    penalty : {%(penalties)s}, Penalty or None
        Weight penalty; intercepts and biases are never penalised. ``None`` also
        switches off AdamW's decoupled weight decay.
    alpha : float
        Penalty strength; also the decoupled decay of ``optimizer="adamw"``
        (``AdamW(weight_decay=None)``), applied on top of the penalty's gradient.
    l1_ratio : float in [0, 1], default=0.15
        L1 share of the elastic-net penalty.
    optimizer : str or Optimizer, default="adam"
        One of %(optimizers)s,
        or an :class:`sklearn_hp.optim.Optimizer` object, whose settings a search
        can tune as nested hyperparameters (``optimizer__beta_1``).
    learning_rate : float, "auto" or callable, default="auto"
        Step size, or a function of the epoch (0-based) returning it. "auto"
        picks the base rate from the optimizer (stored in ``learning_rate_``):

        ===================  ============================  ========
        optimizer            linear models                 networks
        ===================  ============================  ========
        sgd                  1 / (c (mean |x|^2 + 1))      0.05
        momentum, nesterov   (1 - momentum) x that         0.005
        adagrad              0.1 s / r                     0.01
        rmsprop              0.002 s / r                   0.001
        adam, adamw          0.01 s / r                    0.001
        ===================  ============================  ========

        Adaptive optimizers move each weight by about the rate per step, so on
        linear models the rate is a share of the distance the weights travel:
        ``s`` is the targets' standard deviation for regressors and 10 for
        classifiers (the logits of a confident linear classifier reach about
        10), per unit of the features' root mean square ``r`` (1 once
        standardized). Plain SGD steps at the inverse curvature bound of the
        data (the step of scikit-learn's SAG solver), ``c`` being the loss's
        largest curvature in the raw output (1 for squared error and margin
        losses, 1/4 for binary and 1/2 for multinomial log-loss). Other
        optimizer objects take the adam row.
    lr_schedule : str or Schedule, default="constant"
        Per-epoch multiplier of ``learning_rate``: one of %(schedules)s, or a
        :class:`sklearn_hp.optim.Schedule` object.
    momentum : float in [0, 1), default=0.9
        Used by the "momentum" and "nesterov" optimizers.
    batch_size : int or "auto"
        Samples per update; "auto" is ``min(200, n_samples)``.
    max_epochs : int
        Maximum passes over the training data per ``fit``.
    tol : float or None, default=1e-4
        Training has converged when the last ``n_iter_no_change`` epochs together
        lowered the best loss by less than ``tol`` (so slow but steady progress
        goes on); with early stopping, when the validation score has not risen by
        more than ``tol`` for ``n_iter_no_change`` epochs. ``None`` always runs
        ``max_epochs``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (or use ``validation_data``),
        stop when its score stalls and keep the best epoch's weights.
    validation_fraction : float in (0, 1), default=0.1
        Held-out share for early stopping.
    n_iter_no_change : int, default=10
        Window of epochs over which progress is judged (see ``tol``).
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, dropout and the validation split; the
        same integer gives bit-identical weights.
    warm_start : bool, default=False
        ``fit`` continues from the current weights for ``max_epochs`` more epochs.
    verbose : int, default=0
        Print the loss every epoch.
    callbacks : list of Callback or (name, Callback) pairs, or None, default=None
        Hooks called during training, cloned into ``callbacks_`` at each fit. The
        parameters of a pair's callback are tunable as ``callbacks__<name>__<param>``."""

LEARNED_TRAINING_ATTRIBUTES = """\
    n_iter_ : int
        Epochs run by the last ``fit`` (``partial_fit`` adds one).
    learning_rate_ : float or None
        Base learning rate used (``learning_rate="auto"`` resolved); None when
        ``learning_rate`` is a function.
    loss_curve_ : list of float
        Training loss plus penalty after each epoch, over all fits.
    validation_scores_ : list of float
        Score on the validation data after each epoch, when there is one.
    best_epoch_ : int or None
        Epoch with the best validation score.
    callbacks_ : list of Callback
        The callbacks as they were used in the last fit, in the order of
        ``callbacks`` (a pair's callback without its name).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit``, when X has string column names."""


def _registered_names():
    """The name lists of the docstrings, read from the registries."""
    from ..nn import ACTIVATIONS, INITIALIZERS, LOSSES, PENALTIES
    from ..nn._losses import losses_for
    from ..optim import OPTIMIZERS, SCHEDULES

    def losses(task, **flags):
        return LOSSES.doc_names(losses_for(task, **flags))

    return {
        "activations": ACTIVATIONS.doc_names(),
        "initializers": INITIALIZERS.doc_names(),
        "optimizers": OPTIMIZERS.doc_names(),
        "schedules": SCHEDULES.doc_names(),
        "penalties": PENALTIES.doc_names(),
        "regression_losses": losses("regression"),
        "classification_losses": losses("classification"),
        "margin_losses": losses("classification", signed_targets=True),
    }


def fill_doc(cls):
    """Class decorator: substitute the shared pieces and the registered names."""
    doc = cls.__doc__.replace("%(training_parameters)s", TRAINING_PARAMETERS).replace(
        "%(learned_training_attributes)s", LEARNED_TRAINING_ATTRIBUTES
    )
    for key, names in _registered_names().items():
        doc = doc.replace(f"%({key})s", names)
    cls.__doc__ = doc
    return cls

