"""Base class of every estimator trained by mini-batch gradient descent.

Hyperparameters live in ``__init__`` and are validated in ``fit`` against
``_parameter_constraints``; learned numbers are attributes ending in ``_``.
Subclasses provide the model through five hooks: ``_initialize``, ``_parameters``,
``_penalized_indices``, ``_loss_and_gradients`` and ``_raw_output``.
"""

import copy
import math
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._compat import CachedParamNames, Interval, StrOptions, validate_parameter_constraints
from .._stacklevel import user_stacklevel
from ..callbacks._named import NamedCallbacksMixin, cloned_callbacks
from ..exceptions import DivergenceError
from ..nn import PENALTIES
from ..nn._penalties import resolve_penalty
from ..optim import (
    OPTIMIZERS,
    SCHEDULES,
    Chain,
    Schedule,
    ScaleByLearningRate,
    auto_learning_rate,
    resolve_optimizer,
    resolve_schedule,
)
from ._interface import LoopSettings
from ._loop import TrainingLoop
from ._stopping import BestEpochStopping
from ._targets import check_sample_weight
from ._threads import largest_product, model_weights

__all__ = ["BaseGradientEstimator"]

#: Rows on which the constant model's loss, the divergence yardstick, is taken.
_CONSTANT_LOSS_ROWS = 2048


class BaseGradientEstimator(NamedCallbacksMixin, CachedParamNames, BaseEstimator,
                            metaclass=ABCMeta):
    """Shared fitting machinery: validation, splitting, epochs, early stopping.

    Not meant to be used directly; see :mod:`sklearn_hp.linear_model` and
    :mod:`sklearn_hp.neural_network`.
    """

    _parameter_constraints = {
        "penalty": [*PENALTIES.constraint(), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "optimizer": OPTIMIZERS.constraint(),
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"), callable, StrOptions({"auto"})
        ],
        "lr_schedule": SCHEDULES.constraint(),
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _initialize(self, n_features, n_outputs, dtype, rng):
        """Create the learned parameter attributes."""

    @abstractmethod
    def _parameters(self):
        """Return the trainable arrays (views on the learned attributes), in order."""

    @abstractmethod
    def _penalized_indices(self):
        """Return the indices in ``_parameters()`` that take the weight penalty."""

    @abstractmethod
    def _loss_and_gradients(self, X, Y, sample_weight, rng):
        """Return the mean data loss of a batch and the gradients of ``_parameters()``."""

    @abstractmethod
    def _raw_output(self, X):
        """Return the raw model output, shape ``(n_samples, n_outputs)``."""

    def _prepare_model(self):
        """Resolve per-fit objects (loss, activations) from the hyperparameters."""

    def _state_arrays(self):
        """Arrays saved for the best epoch (parameters plus any running statistics)."""
        return self._parameters()

    def _after_fit(self, X, y, sample_weight, validation):
        """Learn anything fitted after the epochs (thresholds, support vectors)."""

    def _initialize_from_targets(self, Y, sample_weight):
        """Adjust the fresh parameters to the encoded targets (e.g. output bias)."""

    # ------------------------------------------------------------- public API
    def fit(self, X, y, sample_weight=None, validation_data=None):
        """Train for up to ``max_epochs`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional
        validation_data : tuple (X_val, y_val) or (X_val, y_val, sw_val), optional
            Scored after every epoch instead of a split of ``validation_fraction``;
            drives early stopping when ``early_stopping=True``.

        Returns
        -------
        self

        Raises
        ------
        DivergenceError
            When the loss becomes non-finite, grows a billion-fold, or ends ten
            times above both where it started and a constant model's loss (two
            times warns :class:`~sklearn_hp.exceptions.DivergenceWarning`).

        Notes
        -----
        A fit that raises, or is interrupted (``KeyboardInterrupt``), leaves the
        estimator as it was before that fit: unfitted if it was, otherwise with
        its earlier weights, optimizer state and curves. Only ``callbacks_`` holds
        the aborted fit's callbacks, so their records can be read.
        """
        return self._fit(X, y, sample_weight, validation_data, incremental=False)

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        return self._fit(X, y, sample_weight, None, incremental=True, classes=classes)

    # -------------------------------------------------------------- internals
    def _validate_hyperparameters(self):
        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )
        if isinstance(self.learning_rate, Schedule):
            raise TypeError(
                f"learning_rate={self.learning_rate!r} is a Schedule; pass it as "
                "lr_schedule=... and keep learning_rate the base rate (a float), or give "
                "learning_rate a function of the epoch."
            )
        if callable(self.learning_rate) and self.lr_schedule != "constant":
            raise ValueError(
                "learning_rate is a callable, so lr_schedule must be 'constant'; "
                f"got lr_schedule={self.lr_schedule!r}."
            )

    def _fit(self, X, y, sample_weight, validation_data, *, incremental, classes=None):
        self._validate_hyperparameters()
        hyperparameters = self.get_params(deep=False)
        before = copy.deepcopy({k: v for k, v in self.__getstate__().items()
                                if k not in hyperparameters})
        try:
            return self._fit_from(X, y, sample_weight, validation_data,
                                  incremental=incremental, classes=classes)
        except BaseException as error:  # also KeyboardInterrupt: leave no half-trained model
            aborted = getattr(self, "callbacks_", [])
            self._restore_state(before)
            self.callbacks_ = aborted  # the aborted fit's callbacks, to read their records
            for cb in aborted:
                cb.on_train_abort(self, error)
            raise

    def _fit_from(self, X, y, sample_weight, validation_data, *, incremental, classes):
        continuing = hasattr(self, "loss_curve_") and (incremental or self.warm_start)
        X, y = self._validate_training_data(X, y, reset=not continuing)
        _check_magnitude("X", X)
        sample_weight = self._prepare_sample_weight(X, y, sample_weight, continuing, classes)
        rng = self._training_rng(incremental, continuing)
        validation, (X, y, sample_weight) = self._validation_split(
            X, y, sample_weight, validation_data, incremental, rng
        )
        Y = self._encode_targets(y).astype(X.dtype, copy=False)
        _check_magnitude("y", Y)
        if not continuing:
            self._start_training(X.shape[1], Y.shape[1], X.dtype, rng)
            self._initialize_from_targets(Y, sample_weight)
        elif not hasattr(self, "_optimizer_transform"):  # loaded by sklearn_hp.persistence
            self._build_optimizer(fresh_state=False)
        self._prepare_model()
        self._resolve_learning_rate(X, Y, sample_weight)
        if not continuing or not hasattr(self, "validation_scores_"):
            self.validation_scores_ = []
            self.best_epoch_ = None
        self.callbacks_ = cloned_callbacks(getattr(self, "callbacks", None))
        stoppers = self._internal_callbacks(validation)
        settings = self._loop_settings(X.shape[0])
        run = TrainingLoop(self, settings, X, Y, sample_weight, validation, rng,
                           callbacks=self.callbacks_ + stoppers)
        for cb in run.callbacks:
            cb.on_train_begin(self, X=X, y=y, run=run)
        run.run(1 if incremental else self.max_epochs, check_convergence=not incremental)
        self._check_finite_parameters()
        self.n_iter_ = run.epochs_run if not incremental else getattr(self, "n_iter_", 0) + 1
        for cb in run.callbacks:
            cb.on_train_end(self, run=run)
        if run.best_epoch is not None:
            self.best_epoch_ = run.best_epoch
        self._after_fit(X, y, sample_weight, validation)
        if not incremental and not run.converged and self.tol is not None:
            warnings.warn(
                f"{type(self).__name__} stopped after max_epochs={self.max_epochs} epochs "
                "without converging; raise max_epochs or learning_rate.",
                ConvergenceWarning, stacklevel=user_stacklevel(),
            )
        return self

    def _internal_callbacks(self, validation):
        """``early_stopping=True`` as a callback: stop on the validation score, keep the best."""
        if not (self.early_stopping and validation is not None):
            return []
        tol = self.tol if self.tol is not None else 0.0
        return [BestEpochStopping(patience=self.n_iter_no_change, min_delta=tol)]

    #: Per-fit helpers, rebuilt from the hyperparameters and the state when needed:
    #: the network's cached batch activations and its flat training buffer (the
    #: learned arrays are saved as arrays of their own; the buffer would double them).
    _transient_attributes = ("_training_network", "_packed")

    def __getstate__(self):
        """The estimator's state: hyperparameters and learned attributes.

        Per-fit helpers (``_transient_attributes``) are left out; they are rebuilt.
        """
        state = dict(super().__getstate__())
        for name in self._transient_attributes:
            state.pop(name, None)
        return state

    def _restore_state(self, state):
        """Put back the learned state saved before a fit; attributes added since go."""
        hyperparameters = self.get_params(deep=False)
        self.__dict__.clear()
        self.__dict__.update(hyperparameters)
        self.__dict__.update(state)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "loss_curve_")

    def _training_rng(self, incremental, continuing):
        if incremental and continuing and hasattr(self, "_rng"):
            return self._rng
        rng = check_random_state(self.random_state)
        if incremental:
            # partial_fit keeps one generator so successive epochs shuffle differently.
            rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
            self._rng = rng
        return rng

    def _start_training(self, n_features, n_outputs, dtype, rng):
        self._initialize(n_features, n_outputs, dtype, rng)
        self.loss_curve_ = []
        self._build_optimizer(fresh_state=True)

    def _build_optimizer(self, fresh_state):
        """Build the gradient transform; keep the saved state unless ``fresh_state``."""
        spec = resolve_optimizer(self.optimizer, self.momentum)
        if getattr(spec, "weight_decay", 0.0) is None:  # AdamW's default: decay = alpha
            spec = copy.copy(spec)
            spec.weight_decay = self.alpha
        self._optimizer_spec = spec
        # penalty=None switches off every weight penalty, AdamW's decoupled decay too.
        penalized = self._penalized_indices() if self.penalty is not None else ()
        decay_mask = [i in penalized for i in range(len(self._parameters()))]
        self._optimizer_transform = self._optimizer_spec.build(decay_mask=decay_mask)
        if fresh_state or getattr(self, "_optimizer_state", None) is None:
            self._optimizer_state = self._optimizer_transform.init(self._parameters())

    #: Whether ``learning_rate="auto"`` takes the network column of the rate table.
    _is_network = False

    def _loss_curvature(self):
        """Largest second derivative of the loss in the raw output (scales auto SGD)."""
        return 1.0

    def _target_scale(self, Y, sample_weight):
        """How far the weights travel, for the adaptive optimizers' auto rate."""
        return 1.0

    def _resolve_learning_rate(self, X, Y, sample_weight):
        """Set ``learning_rate_``, the base rate used (``learning_rate="auto"`` resolved)."""
        if callable(self.learning_rate):
            self.learning_rate_ = None
        elif self.learning_rate != "auto":
            self.learning_rate_ = float(self.learning_rate)
        else:
            self.learning_rate_ = auto_learning_rate(
                self._optimizer_spec, network=self._is_network, X=X,
                curvature=self._loss_curvature(),
                target_scale=self._target_scale(Y, sample_weight),
            )

    def _describe_learning_rate(self):
        """``learning_rate=...`` as the user gave it, and the rate it stood for."""
        if self.learning_rate == "auto":
            return f"learning_rate='auto' (base rate {self.learning_rate_:.3g})"
        return f"learning_rate={self.learning_rate!r}"

    def _validation_split(self, X, y, sample_weight, validation_data, incremental, rng):
        """Return ``(validation, training)``: the scored set and the data to train on."""
        if validation_data is not None:
            return self._check_validation_data(validation_data), (X, y, sample_weight)
        if incremental or not self._needs_validation_split():
            return None, (X, y, sample_weight)
        stratify = y if self._stratify_split() else None
        self._check_split_sizes(X.shape[0], stratify)
        idx_train, idx_val = train_test_split(
            np.arange(X.shape[0]),
            test_size=self.validation_fraction,
            random_state=rng.randint(np.iinfo(np.int32).max),
            stratify=stratify,
        )
        if len(idx_train) < 2 or len(idx_val) < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves {len(idx_train)} "
                f"training and {len(idx_val)} validation samples out of {X.shape[0]}; "
                "use more samples or another validation_fraction."
            )
        sw = sample_weight
        validation = (X[idx_val], y[idx_val], None if sw is None else sw[idx_val])
        training = (X[idx_train], y[idx_train], None if sw is None else sw[idx_train])
        return validation, training

    def _check_split_sizes(self, n_samples, stratify):
        """Both sides of a stratified split need a sample of every class."""
        if stratify is None:
            return
        n_classes = np.unique(stratify).size
        n_val = math.ceil(self.validation_fraction * n_samples)
        if n_val < n_classes or n_samples - n_val < n_classes:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} of {n_samples} samples "
                f"holds out {n_val} and trains on {n_samples - n_val}, but a stratified "
                f"split needs at least one sample of each of the {n_classes} classes on "
                "each side; use a validation_fraction between "
                f"{n_classes / n_samples:.3g} and {1 - n_classes / n_samples:.3g}, more "
                "samples, or validation_data=(X_val, y_val)."
            )

    def _check_validation_data(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                f"sample_weight_val), got {type(validation_data).__name__}."
            )
        X_val, y_val = self._validate_training_data(*validation_data[:2], reset=False)
        sw = validation_data[2] if len(validation_data) == 3 else None
        if sw is not None:
            sw = check_sample_weight(sw, X_val)
        return X_val, y_val, sw

    def _needs_validation_split(self):
        return self.early_stopping

    def _stratify_split(self):
        return False

    def _prepare_sample_weight(self, X, y, sample_weight, continuing, classes):
        if sample_weight is None:
            return None
        return check_sample_weight(sample_weight, X)

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    def _loop_settings(self, n_samples):
        """The loop's :class:`LoopSettings` for a fit on ``n_samples`` rows.

        Built after ``learning_rate_`` is resolved and the records are set.
        """
        updates, update_state = self._update_chain()
        plateau = self.tol is not None and not self.early_stopping
        batch_size = self._effective_batch_size(n_samples)
        image = getattr(self, "image_shape_", None)
        return LoopSettings(
            batch_size=batch_size,
            shuffle=self.shuffle,
            updates=updates,
            update_state=update_state,
            penalty=resolve_penalty(self.penalty, self.alpha, self.l1_ratio),
            alpha=self.alpha,
            penalized_indices=tuple(self._penalized_indices()),
            plateau_tol=self.tol if plateau else None,
            plateau_window=self.n_iter_no_change,
            largest_product=largest_product(
                model_weights(self), batch_size,
                image[0] * image[1] if image is not None else 1),
            verbose=bool(self.verbose),
            rate_text=self._describe_learning_rate(),
            optimizer_text=repr(self.optimizer),
            loss_curve=self.loss_curve_,
            validation_scores=self.validation_scores_,
        )

    def _update_chain(self):
        """The optimizer's transform, then the learning rate; and the chain's state.

        The optimizer's state is the estimator's own (saved with the model); the
        learning rate's is set at the start of every epoch.
        """
        rate = ScaleByLearningRate(
            self.learning_rate if callable(self.learning_rate) else self.learning_rate_,
            schedule=resolve_schedule(self.lr_schedule), max_epochs=self.max_epochs,
        )
        chain = Chain(self._optimizer_transform, rate)
        return chain, [self._optimizer_state, rate.init(self._parameters())]

    def _constant_output(self, Y, sample_weight):
        """Raw output of the best constant model (0 when there is no closed form)."""
        return 0.0

    def _constant_loss(self, Y, sample_weight):
        """Training loss of the constant model of :meth:`_constant_output`.

        Only a yardstick for the divergence check (a loss ending several times
        above it), so it is taken on at most ``_CONSTANT_LOSS_ROWS`` evenly strided
        rows: a full-size output and gradient would raise the fit's peak memory.
        """
        step = -(-Y.shape[0] // _CONSTANT_LOSS_ROWS)
        Y = Y[::step]
        sample_weight = None if sample_weight is None else sample_weight[::step]
        raw = np.empty_like(Y)
        raw[...] = self._constant_output(Y, sample_weight)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, _ = self._loss_fn.value_and_gradient(Y, raw, sample_weight)
        return float(loss)

    def _validation_score(self, X_val, y_val, sample_weight):
        return self.score(X_val, y_val, sample_weight=sample_weight)

    def _check_finite_parameters(self):
        for array in self._parameters():
            if not np.all(np.isfinite(array)):
                raise DivergenceError(
                    "Training diverged: the weights became non-finite with "
                    f"{self._describe_learning_rate()}. Lower learning_rate."
                )

    def _check_is_fitted(self):
        check_is_fitted(self, "loss_curve_")


def _check_magnitude(name, array):
    """Refuse values so large that their squares overflow (the loss would be inf)."""
    limit = math.sqrt(np.finfo(array.dtype).max)
    largest = max(array.max(), -array.min()) if array.size else 0.0  # no |array| copy
    if largest > limit:
        raise ValueError(
            f"{name} holds values as large as {largest:.3g} in absolute "
            f"value; squares of values above {limit:.3g} overflow {array.dtype}, so "
            f"training cannot work. Scale {name} (e.g. StandardScaler in a Pipeline)."
        )
