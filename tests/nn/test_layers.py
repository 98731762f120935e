"""Every layer against central finite differences, plus its predict-time behaviour."""

import numpy as np
import pytest

from sklearn_hp.nn import (
    ActivationLayer,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Pool2D,
    Reshape,
    Sequential,
)

H = 1e-6
RTOL = 1e-6


def _relative_error(a, b):
    """Relative error, or 0 when both are zero up to round-off (a bias before batch norm)."""
    if np.linalg.norm(a - b) < 1e-8:
        return 0.0
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def _numeric_gradient(f, array):
    """Central differences of the scalar ``f()`` with respect to ``array`` (perturbed in place)."""
    grad = np.zeros_like(array)
    for i in np.ndindex(array.shape):
        old = array[i]
        array[i] = old + H
        up = f()
        array[i] = old - H
        down = f()
        array[i] = old
        grad[i] = (up - down) / (2 * H)
    return grad


def check_gradients(layer, x, seed=0):
    """Compare backward with finite differences for the input and every parameter."""
    upstream = np.random.RandomState(seed).randn(*layer.forward(x.copy(), training=True).shape)

    def objective():
        # Fresh input copy: some layers may overwrite their input.
        return float(np.sum(upstream * layer.forward(x.copy(), training=True)))

    layer.forward(x.copy(), training=True)
    analytic_input = layer.backward(upstream.copy())
    analytic_params = [g.copy() for g in layer.grads] if len(layer.params) else []
    x_var = x.copy()

    def objective_of_input():
        return float(np.sum(upstream * layer.forward(x_var.copy(), training=True)))

    numeric_input = _numeric_gradient(objective_of_input, x_var)
    assert analytic_input.shape == x.shape
    assert _relative_error(analytic_input, numeric_input) < RTOL
    for param, analytic in zip(layer.params, analytic_params):
        numeric = _numeric_gradient(objective, param)
        assert _relative_error(analytic, numeric) < RTOL


def _away_from_zero(rng, shape):
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def test_dense_gradients():
    rng = np.random.RandomState(0)
    check_gradients(Dense(rng.randn(4, 3), rng.randn(3)), rng.randn(5, 4))


@pytest.mark.parametrize("name", ["relu", "tanh", "logistic", "identity", "leaky_relu", "elu",
                                  "gelu", "softplus"])
@pytest.mark.parametrize("inplace", [False, True])
def test_activation_layer_gradients(name, inplace):
    rng = np.random.RandomState(1)
    check_gradients(ActivationLayer(name, inplace=inplace), _away_from_zero(rng, (4, 3)))


def test_inplace_activation_matches_copying_activation():
    rng = np.random.RandomState(2)
    x = rng.randn(6, 5)
    grad = rng.randn(6, 5)
    for name in ["relu", "tanh", "logistic", "identity"]:
        copying, inplace = ActivationLayer(name), ActivationLayer(name, inplace=True)
        expected = copying.forward(x, training=True)
        x_copy = x.copy()
        got = inplace.forward(x_copy, training=True)
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(
            inplace.backward(grad.copy()), copying.backward(grad.copy())
        )


def test_dropout_gradients_with_fixed_mask():
    rng = np.random.RandomState(3)
    mask = (rng.uniform(size=(5, 4)) >= 0.3) / 0.7
    check_gradients(Dropout(0.3, mask=mask), rng.randn(5, 4))


def test_dropout_is_identity_at_predict_time_and_scales_in_training():
    x = np.ones((2000, 50))
    layer = Dropout(0.4)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    out = layer.forward(x, training=True, rng=np.random.RandomState(0))
    assert set(np.unique(out)) == {0.0, 1.0 / 0.6}
    assert abs((out == 0).mean() - 0.4) < 0.01
    assert abs(out.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_dropout_rejects_rates_outside_unit_interval(bad):
    with pytest.raises(ValueError, match=rf"\[0, 1\).*rate={bad}"):
        Dropout(bad)


def _batch_norm(rng, n_features):
    return BatchNorm(
        1.0 + 0.1 * rng.randn(n_features), 0.1 * rng.randn(n_features),
        np.zeros(n_features), np.ones(n_features),
    )


def test_batch_norm_gradients_2d():
    rng = np.random.RandomState(4)
    check_gradients(_batch_norm(rng, 3), rng.randn(6, 3))


def test_batch_norm_gradients_over_images():
    rng = np.random.RandomState(5)
    check_gradients(_batch_norm(rng, 2), rng.randn(2, 3, 3, 2))


def test_batch_norm_uses_running_statistics_at_predict_time():
    rng = np.random.RandomState(6)
    layer = _batch_norm(rng, 3)
    x = rng.randn(200, 3) * [1.0, 2.0, 3.0] + [5.0, -1.0, 0.0]
    for _ in range(200):
        layer.forward(x, training=True)
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(layer.running_var, x.var(axis=0), rtol=1e-6)
    # At predict time one sample is normalised alone, with the running statistics.
    single = layer.forward(x[:1], training=False)
    expected = (x[:1] - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    np.testing.assert_allclose(single, expected * layer.gamma + layer.beta)
    batch = layer.forward(x, training=False)
    np.testing.assert_allclose(batch[:1], single)
    before = layer.running_mean.copy()
    layer.forward(x + 10, training=False)
    np.testing.assert_array_equal(layer.running_mean, before)


def _conv(rng, kh, kw, c_in, c_out, **kwargs):
    return Conv2D(rng.randn(kh, kw, c_in, c_out), rng.randn(c_out), **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{}, {"padding": "same"}, {"stride": 2}, {"stride": 2, "padding": "same"}]
)
def test_conv2d_gradients(kwargs):
    rng = np.random.RandomState(7)
    check_gradients(_conv(rng, 3, 2, 2, 3, **kwargs), rng.randn(2, 5, 4, 2))


def _reference_convolution(x, kernel, bias, stride, pads):
    x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw, _, c_out = kernel.shape
    rows = (x.shape[1] - kh) // stride + 1
    cols = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], rows, cols, c_out))
    for n in range(x.shape[0]):
        for r in range(rows):
            for c in range(cols):
                patch = x[n, r * stride:r * stride + kh, c * stride:c * stride + kw]
                out[n, r, c] = np.tensordot(patch, kernel, axes=3) + bias
    return out


def test_conv2d_matches_direct_convolution():
    rng = np.random.RandomState(8)
    x = rng.randn(2, 7, 6, 3)
    layer = _conv(rng, 3, 3, 3, 4, stride=2, padding="same")
    out = layer.forward(x)
    assert out.shape == (2, 4, 3, 4)  # ceil(7 / 2), ceil(6 / 2)
    # "same" with stride 2 on 7 rows: total padding 2 -> (1, 1); 6 columns: 1 -> (0, 1)
    expected = _reference_convolution(x, layer.kernel, layer.bias, 2, ((1, 1), (0, 1)))
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    valid = _conv(rng, 3, 2, 3, 2).forward(x)
    assert valid.shape == (2, 5, 5, 2)


def test_conv2d_rejects_kernel_larger_than_input():
    rng = np.random.RandomState(9)
    with pytest.raises(ValueError, match=r"kernel of size \(5, 5\) is larger than its input"):
        _conv(rng, 5, 5, 1, 1).forward(rng.randn(1, 4, 4, 1))


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (2, 5, 3, 2)])
def test_pooling_gradients(mode, shape):
    rng = np.random.RandomState(10)
    # A permutation of spread-out values: no ties within a window.
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.01
    check_gradients(Pool2D(2, mode=mode), x.astype(float))


def test_pooling_values():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(Pool2D(2, "max").forward(x)[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(
        Pool2D(2, "avg").forward(x)[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]]
    )
    # A window larger than the input is cut to it.
    assert Pool2D(3, "max").forward(x[:, :2, :, :]).shape == (1, 1, 1, 1)


def test_max_pool_sends_gradient_to_first_maximum_only():
    layer = Pool2D(2, "max")
    layer.forward(np.zeros((1, 2, 2, 1)), training=True)
    grad = layer.backward(np.ones((1, 1, 1, 1)))
    assert grad.sum() == 1.0 and grad[0, 0, 0, 0] == 1.0


def test_flatten_and_reshape_gradients():
    rng = np.random.RandomState(11)
    check_gradients(Flatten(), rng.randn(2, 3, 2, 2))
    check_gradients(Reshape((3, 2, 1)), rng.randn(2, 6))


def test_whole_network_gradients():
    rng = np.random.RandomState(12)
    conv = _conv(rng, 3, 3, 1, 2, padding="same")
    dense1 = Dense(rng.randn(8, 5) * 0.5, rng.randn(5))
    bn = _batch_norm(rng, 5)
    mask = (rng.uniform(size=(3, 5)) >= 0.2) / 0.8
    dense2 = Dense(rng.randn(5, 2), rng.randn(2))
    net = Sequential([
        Reshape((4, 4, 1)), conv, ActivationLayer("tanh", inplace=True), Pool2D(2, "max"),
        Flatten(), dense1, bn, ActivationLayer("tanh", inplace=True),
        Dropout(0.2, mask=mask), dense2,
    ])
    x = rng.randn(3, 16)
    upstream = rng.randn(3, 2)
    net.forward(x.copy(), training=True)
    assert net.backward(upstream.copy()) is None  # no gradient below the first conv
    analytic = [g.copy() for g in net.grads]
    assert len(analytic) == len(net.params) == 8
    assert net.penalized == [0, 2, 6]
    assert [s.shape for s in net.state] == [(5,), (5,)]
    for param, grad in zip(net.params, analytic):
        numeric = _numeric_gradient(
            lambda: float(np.sum(upstream * net.forward(x.copy(), training=True))), param
        )
        assert _relative_error(grad, numeric) < RTOL


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layers_preserve_dtype(dtype):
    rng = np.random.RandomState(13)
    conv = Conv2D(rng.randn(3, 3, 1, 2).astype(dtype), np.zeros(2, dtype), padding="same")
    net = Sequential([
        Reshape((4, 4, 1)), conv, ActivationLayer("relu", inplace=True), Pool2D(2, "avg"),
        Flatten(), Dense(rng.randn(8, 3).astype(dtype), np.zeros(3, dtype)),
        BatchNorm(np.ones(3, dtype), np.zeros(3, dtype), np.zeros(3, dtype), np.ones(3, dtype)),
        Dropout(0.5),
    ])
    out = net.forward(rng.randn(5, 16).astype(dtype), training=True, rng=rng)
    assert out.dtype == dtype
    net.backward(np.ones_like(out))
    assert all(g.dtype == dtype for g in net.grads)
    assert all(s.dtype == dtype for s in net.state)
