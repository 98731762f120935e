"""Docstring pieces shared by the network estimators."""

from .._engine._docstrings import fill_doc

__all__ = ["fill_network_doc"]

NETWORK_PARAMETERS = """\
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Units of each hidden dense layer; ``()`` gives a linear model.
    activation : str, Activation or list of them, default="relu"
        Activation of the hidden layers: one for all, or one per layer. Names are
        those of :data:`sklearn_hp.nn.ACTIVATIONS` (%(activations)s); an
        :class:`sklearn_hp.nn.Activation` object such as ``LeakyReLU(0.2)`` makes
        its settings hyperparameters (``activation__negative_slope``).
    dropout : float or list of float in [0, 1), default=0.0
        Dropout rate after each hidden dense layer (one for all, or one per layer).
        Dropout is only active in training.
    batch_norm : bool, default=False
        Batch-normalise each hidden dense layer before its activation. Prediction
        uses the running statistics learned in training.
    weight_init : str, Initializer or callable, default="glorot_uniform"
        Weight initialiser: a name of :data:`sklearn_hp.nn.INITIALIZERS`
        (%(initializers)s), an :class:`sklearn_hp.nn.Initializer` object (tunable,
        ``weight_init__scale``) or a function ``init(shape, fan_in, fan_out, rng,
        dtype)``. Biases start at 0."""

NETWORK_ATTRIBUTES = """\
    weights_ : list of ndarray
        Dense weight matrices, ``weights_[i]`` of shape (n_inputs_i, n_units_i).
    biases_ : list of ndarray
        Dense biases, ``biases_[i]`` of shape (n_units_i,).
    bn_gammas_, bn_betas_ : list of ndarray
        Learned batch-norm scales and shifts of each hidden layer (empty lists
        without ``batch_norm``).
    bn_means_, bn_vars_ : list of ndarray
        Running batch-norm statistics, used at predict time."""


def fill_network_doc(cls):
    """Class decorator: substitute the shared and the network docstring pieces."""
    cls.__doc__ = cls.__doc__.replace("%(network_parameters)s", NETWORK_PARAMETERS).replace(
        "%(network_attributes)s", NETWORK_ATTRIBUTES
    )
    return fill_doc(cls)
