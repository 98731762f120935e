"""ConvNetClassifier: image shapes, layer layout, accuracy on digits."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_hp.neural_network import ConvNetClassifier


@pytest.mark.slow
def test_digits_accuracy():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )
    clf = ConvNetClassifier(learning_rate=0.003, max_epochs=40, random_state=0)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.98
    assert clf.image_shape_ == (8, 8, 1)
    # 8x8 -conv3 same-> 8x8x16 -pool-> 4x4x16 -conv-> 4x4x32 -pool-> 2x2x32 = 128
    assert [k.shape for k in clf.kernels_] == [(3, 3, 1, 16), (3, 3, 16, 32)]
    assert [w.shape for w in clf.weights_] == [(128, 64), (64, 10)]


def _toy_images(n=60, shape=(6, 6, 2), seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, int(np.prod(shape)))
    y = (X[:, 0] > 0).astype(int)
    return X, y


@pytest.mark.parametrize(
    "n_features, image_shape, expected",
    [(64, None, (8, 8, 1)), (10, "row", (1, 10, 1)), (1, None, (1, 1, 1))],
)
def test_image_shape_is_inferred(n_features, image_shape, expected):
    X, y = _toy_images(shape=(n_features,))
    clf = ConvNetClassifier(image_shape, conv_filters=(2,), hidden_layer_sizes=(),
                            max_epochs=1, random_state=0).fit(X, y)
    assert clf.image_shape_ == expected


def test_non_square_input_without_image_shape_is_refused():
    X, y = _toy_images(shape=(60,))
    with pytest.raises(ValueError, match=r"n_features=60 is not a square number; give "
                                         r"image_shape=\(height, width\)"):
        ConvNetClassifier(max_epochs=1).fit(X, y)
    assert not hasattr(ConvNetClassifier(), "image_shape_")


def test_explicit_image_shape_with_channels_valid_padding_stride_and_avg_pooling():
    X, y = _toy_images(shape=(7, 6, 2))
    clf = ConvNetClassifier((7, 6, 2), conv_filters=(3,), kernel_size=(3, 2), stride=2,
                            padding="valid", pooling="avg", pool_size=2,
                            hidden_layer_sizes=(5,), max_epochs=3, random_state=0).fit(X, y)
    # rows (7 - 3) // 2 + 1 = 3 -> pool 1; cols (6 - 2) // 2 + 1 = 3 -> pool 1
    assert [k.shape for k in clf.kernels_] == [(3, 2, 2, 3)]
    assert clf.weights_[0].shape == (3, 5)
    layers = [repr(layer) for layer in clf._network().layers]
    assert layers[:4] == [
        "Reshape((7, 6, 2))",
        "Conv2D(2 -> 3, kernel=(3, 2), stride=(2, 2), padding='valid')",
        "ActivationLayer('relu')",
        "Pool2D((2, 2), mode='avg')",
    ]


def test_activation_per_convolution_and_dense_layer():
    X, y = _toy_images(shape=(4, 4, 1))
    clf = ConvNetClassifier(conv_filters=(2, 3), hidden_layer_sizes=(4,),
                            activation=["tanh", "relu", "logistic"], max_epochs=1,
                            random_state=0).fit(X, y)
    acts = [repr(layer) for layer in clf._network().layers if "Activation" in repr(layer)]
    assert acts == ["ActivationLayer('tanh')", "ActivationLayer('relu')",
                    "ActivationLayer('logistic')"]
    with pytest.raises(ValueError, match="3 convolution and hidden layers"):
        clf.set_params(activation=["tanh", "relu"]).fit(X, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_convnet_keeps_the_dtype_and_is_reproducible(dtype):
    X, y = _toy_images(shape=(4, 4, 1))
    X = X.astype(dtype)
    a = ConvNetClassifier(conv_filters=(4,), max_epochs=2, random_state=0).fit(X, y)
    b = ConvNetClassifier(conv_filters=(4,), max_epochs=2, random_state=0).fit(X, y)
    assert all(k.dtype == dtype for k in a.kernels_ + a.kernel_biases_ + a.weights_)
    assert a.predict_proba(X).dtype == dtype
    np.testing.assert_array_equal(a.kernels_[0], b.kernels_[0])


def test_partial_fit_and_sample_weight():
    X, y = _toy_images(shape=(4, 4, 1))
    clf = ConvNetClassifier(conv_filters=(4,), random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1], sample_weight=np.linspace(0.5, 2.0, len(y)))
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
