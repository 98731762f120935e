"""The layer stack shared by every network estimator, on top of BaseGradientEstimator.

The learned arrays (``weights_``, ``biases_``, batch-norm arrays and, for
convolutional networks, ``kernels_``) are the single source of truth: the layer
stack is rebuilt around them, holding references. For training, the trainable ones
become views into one :class:`~sklearn_hp.nn.FlatParameters` buffer, so the
optimizer updates all of them with a few long in-place operations per batch.
"""

from numbers import Integral, Real

import numpy as np

from .._compat import Interval
from .._engine import BaseGradientEstimator
from ..nn import (
    INITIALIZERS,
    Activation,
    ActivationLayer,
    BatchNorm,
    Dense,
    Dropout,
    FlatParameters,
    Sequential,
    get_activation,
    get_initializer,
)

__all__ = ["BaseNeuralNetwork"]


class BaseNeuralNetwork(BaseGradientEstimator):
    """Dense hidden layers (optionally batch norm and dropout) and a linear output layer.

    Subclasses may put feature layers (convolutions) in front through
    :meth:`_initialize_features`, :meth:`_feature_layers` and
    :meth:`_n_feature_activations`.
    """

    _is_network = True

    #: Attributes holding lists of trainable arrays (packed into one buffer to train).
    _trainable_attributes = ("weights_", "biases_", "bn_gammas_", "bn_betas_")

    _parameter_constraints = {
        **BaseGradientEstimator._parameter_constraints,
        "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "activation": [str, Activation, list, tuple],
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "batch_norm": ["boolean"],
        "weight_init": [*INITIALIZERS.constraint(), callable],
        "callbacks": [list, None],
    }

    # ---------------------------------------------------- hyperparameter checks
    def _validate_hyperparameters(self):
        # _parameter_constraints checks single values; here each value of a sequence.
        super()._validate_hyperparameters()
        if isinstance(self.hidden_layer_sizes, (list, tuple)):
            for size in self.hidden_layer_sizes:
                if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
                    raise ValueError(
                        f"hidden_layer_sizes={self.hidden_layer_sizes!r} has a layer of "
                        f"width {size!r}; every width must be a positive integer."
                    )
        rates = self._dropout_rates()  # also checks there is one rate per layer
        if isinstance(self.dropout, (list, tuple)):
            for rate in rates:
                if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
                    raise ValueError(
                        f"dropout={self.dropout!r} has rate {rate!r}; every dropout rate "
                        "must be a number in [0, 1)."
                    )
        self._layer_activations()

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        return (sizes,) if isinstance(sizes, Integral) else tuple(sizes)

    def _per_layer(self, name, n_layers, what):
        value = getattr(self, name)
        if not isinstance(value, (list, tuple)):
            return [value] * n_layers
        if len(value) != n_layers:
            raise ValueError(
                f"{name}={value!r} gives {len(value)} values for {n_layers} {what}; "
                "give one value for all or exactly one per layer."
            )
        return list(value)

    def _dropout_rates(self):
        return self._per_layer("dropout", len(self._hidden_sizes()), "hidden layers")

    def _n_feature_activations(self):
        """Activations used by the feature layers, ahead of the dense ones."""
        return 0

    def _layer_activations(self):
        n_hidden = len(self._hidden_sizes())
        n_total = self._n_feature_activations() + n_hidden
        what = "hidden layers" if n_total == n_hidden else "convolution and hidden layers"
        return [get_activation(a) for a in self._per_layer("activation", n_total, what)]

    # ---------------------------------------------------------------- the model
    def _initialize_features(self, n_features, dtype, rng):
        """Create the feature layers' arrays; return the width they feed the dense part."""
        return n_features

    def _feature_layers(self, activations):
        """Layers in front of the dense part (none for a multi-layer perceptron)."""
        return []

    def _new_weights(self, shape, fan_in, fan_out, dtype, rng):
        init = get_initializer(self.weight_init)
        weights = np.asarray(init(shape, fan_in, fan_out, rng, dtype), dtype=dtype)
        if weights.shape != tuple(shape):
            raise ValueError(
                f"weight_init={self.weight_init!r} returned an array of shape "
                f"{weights.shape}; expected {tuple(shape)}."
            )
        return np.ascontiguousarray(weights)

    def _initialize(self, n_features, n_outputs, dtype, rng):
        hidden = self._hidden_sizes()
        sizes = [self._initialize_features(n_features, dtype, rng), *hidden, n_outputs]
        self.weights_ = [
            self._new_weights((n_in, n_out), n_in, n_out, dtype, rng)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        ]
        self.biases_ = [np.zeros(n_out, dtype=dtype) for n_out in sizes[1:]]
        normalized = hidden if self.batch_norm else ()
        self.bn_gammas_ = [np.ones(units, dtype=dtype) for units in normalized]
        self.bn_betas_ = [np.zeros(units, dtype=dtype) for units in normalized]
        self.bn_means_ = [np.zeros(units, dtype=dtype) for units in normalized]
        self.bn_vars_ = [np.ones(units, dtype=dtype) for units in normalized]

    def _initialize_from_targets(self, Y, sample_weight):
        # Start the output bias at the best constant prediction: training then
        # learns the variation around it instead of first walking the bias there.
        self.biases_[-1][...] = self._constant_output(Y, sample_weight)

    def _build_layers(self):
        """The layer stack around the learned arrays (references, not copies)."""
        activations = self._layer_activations()
        n_features = self._n_feature_activations()
        layers = self._feature_layers(activations[:n_features])
        dense_activations = activations[n_features:]
        rates = self._dropout_rates()
        n_hidden = len(self.weights_) - 1
        batch_norm = len(self.bn_gammas_) == n_hidden > 0
        for i, (weight, bias) in enumerate(zip(self.weights_, self.biases_)):
            layers.append(Dense(weight, bias))
            if i == n_hidden:
                break
            if batch_norm:
                layers.append(BatchNorm(
                    self.bn_gammas_[i], self.bn_betas_[i], self.bn_means_[i], self.bn_vars_[i]
                ))
            layers.append(ActivationLayer(dense_activations[i], inplace=True))
            if rates[i] > 0:
                layers.append(Dropout(rates[i]))
        return layers

    def _network(self):
        return Sequential(self._build_layers())

    # ------------------------------------------------------ BaseGradientEstimator
    def _fitted_architecture(self):
        """Layer widths of the learned arrays, to compare with the hyperparameters."""
        hidden = tuple(w.shape[1] for w in self.weights_[:-1])
        return {"hidden_layer_sizes": hidden, "batch_norm": bool(self.bn_gammas_)}

    def _requested_architecture(self):
        return {"hidden_layer_sizes": self._hidden_sizes(), "batch_norm": bool(self.batch_norm)}

    def _prepare_model(self):
        fitted, requested = self._fitted_architecture(), self._requested_architecture()
        if fitted != requested:
            changed = {k: requested[k] for k in requested if fitted[k] != requested[k]}
            raise ValueError(
                f"Cannot continue training (warm_start or partial_fit) with {changed}: the "
                f"fitted network has {fitted}. Set warm_start=False, or fit a new estimator."
            )
        self._loss_fn = self._training_loss()
        packed = self._packed_parameters()
        self._training_network = self._network()
        self._training_network.use_gradient_buffers(packed.grad_views)

    def _packed_parameters(self):
        """The trainable arrays as views into one :class:`~sklearn_hp.nn.FlatParameters`.

        Packs them, rebinding the learned attributes to the views, on first use and
        whenever something replaced, copied or unpickled them.
        """
        current = [a for name in self._trainable_attributes for a in getattr(self, name)]
        packed = getattr(self, "_packed", None)
        if packed is not None and packed.holds(current):
            return packed
        network = self._network()
        penalized = set(network.penalized)
        params = network.params
        if len(params) != len(current):
            raise RuntimeError(
                f"{type(self).__name__}._trainable_attributes lists {len(current)} arrays "
                f"but the network trains {len(params)}; list every learned attribute."
            )
        packed = FlatParameters(params, [i in penalized for i in range(len(params))])
        view_of = {id(p): view for p, view in zip(params, packed.views)}
        for name in self._trainable_attributes:
            setattr(self, name, [view_of[id(a)] for a in getattr(self, name)])
        self._packed = packed
        return packed

    def _parameters(self):
        return self._packed_parameters().groups

    def _penalized_indices(self):
        return self._packed_parameters().penalized_groups

    def _state_arrays(self):
        return self._parameters() + self._network().state

    def _loss_and_gradients(self, X, Y, sample_weight, rng):
        network = self._training_network
        raw = network.forward(X, training=True, rng=rng)
        loss, grad = self._loss_fn.value_and_gradient(Y, raw, sample_weight)
        network.backward(grad)
        return loss, self._packed.grad_groups

    def _raw_output(self, X):
        return self._network().forward(X, training=False)

    def _after_fit(self, X, y, sample_weight, validation):
        # Drop the cached batch activations so a fitted model pickles small.
        self._training_network = None
