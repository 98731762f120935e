"""Bad hyperparameters raise errors naming the value and what is accepted."""

import numpy as np
import pytest

from sklearn_hp.exceptions import DivergenceError
from sklearn_hp.neural_network import ConvNetClassifier, MLPClassifier, MLPRegressor

rng = np.random.RandomState(0)
X = rng.randn(40, 16)
y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"dropout": 1.0}, r"'dropout'.*range \[0\.0, 1\.0\).*Got 1\.0"),
        ({"dropout": -0.1}, r"'dropout'.*range \[0\.0, 1\.0\).*Got -0\.1"),
        ({"hidden_layer_sizes": (8, 8), "dropout": [0.1, 1.2]},
         r"dropout=\[0\.1, 1\.2\] has rate 1\.2; every dropout rate must be a number in \[0, 1\)"),
        ({"hidden_layer_sizes": (8, 8), "dropout": [0.1]},
         r"dropout=\[0\.1\] gives 1 values for 2 hidden layers"),
        ({"hidden_layer_sizes": 0}, r"hidden_layer_sizes.*range \[1, inf\).*Got 0"),
        ({"hidden_layer_sizes": (10, 0)},
         r"hidden_layer_sizes=\(10, 0\) has a layer of width 0; every width must be a "
         r"positive integer"),
        ({"activation": "swish"}, r"Unknown activation 'swish'; accepted names are \["),
        ({"hidden_layer_sizes": (8,), "activation": ["relu", "tanh"]},
         r"activation=\['relu', 'tanh'\] gives 2 values for 1 hidden layers"),
        ({"weight_init": "orthogonal"}, r"weight_init.*orthogonal"),
        ({"loss": "poisson"}, r"loss.*poisson"),
    ],
)
def test_bad_network_hyperparameters(params, message):
    with pytest.raises(ValueError, match=message):
        MLPClassifier(max_epochs=1, **params).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"image_shape": (5, 5)},
         r"image_shape=\(5, 5\) holds 25 values per sample but X has n_features=16; give a "
         r"shape whose product is 16"),
        ({"image_shape": (4, 4, 2)}, r"holds 32 values per sample but X has n_features=16"),
        ({"image_shape": (2, 2, 2, 2)},
         r"must be \(height, width\) or \(height, width, channels\)"),
        ({"kernel_size": 5, "padding": "valid"},
         r"kernel_size=5 is larger than the 4x4 image reaching convolution layer 1"),
        ({"kernel_size": 3, "padding": "valid", "conv_filters": (2, 2)},
         r"kernel_size=3 is larger than the 1x1 image reaching convolution layer 2"),
        ({"conv_filters": (4, 0)}, r"conv_filters=\(4, 0\) is not accepted; give a positive "
                                   r"integer or a tuple of positive integers"),
        ({"kernel_size": (3, 3, 3)}, r"kernel_size=\(3, 3, 3\) is not accepted"),
        ({"pooling": "median"}, r"pooling.*median"),
        ({"padding": "full"}, r"padding.*full"),
    ],
)
def test_bad_convnet_hyperparameters(params, message):
    with pytest.raises(ValueError, match=message):
        ConvNetClassifier(max_epochs=1, **params).fit(X, y)


def test_divergence_raises_and_leaves_no_nan_weights():
    reg = MLPRegressor((16,), optimizer="sgd", learning_rate=1e4, max_epochs=20,
                       random_state=0)
    with pytest.raises(DivergenceError, match=r"learning_rate=10000\.0"):
        reg.fit(X, X[:, 0] * 100)
    assert not hasattr(reg, "weights_")
    reg = MLPRegressor((16,), optimizer="sgd", learning_rate=1e-3, batch_size=4, random_state=0)
    reg.partial_fit(X, X[:, 0])
    before = [w.copy() for w in reg.weights_]
    with pytest.raises(DivergenceError):
        reg.set_params(learning_rate=1e4).partial_fit(X, X[:, 0] * 1e3)
    for w, saved in zip(reg.weights_, before):
        np.testing.assert_array_equal(w, saved)
