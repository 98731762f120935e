"""Every loss and activation against central finite differences."""

import numpy as np
import pytest

from sklearn_hp.nn import ACTIVATIONS, LOSSES, get_activation, get_loss, penalty_value_and_gradient
from sklearn_hp.testing import numeric_gradient as _numeric_gradient


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward_matches_finite_differences(name):
    act = get_activation(name)
    rng = np.random.RandomState(0)
    # Keep clear of the kinks at 0 where relu-like derivatives are undefined.
    x = rng.uniform(0.1, 2.0, size=(4, 3)) * rng.choice([-1, 1], size=(4, 3))
    upstream = rng.randn(4, 3)
    analytic = act.backward(upstream, x, act.forward(x))
    numeric = _numeric_gradient(lambda z: np.sum(upstream * act.forward(z)), x.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_keep_float32_with_numpy_scalar_settings(name):
    # Searches sample settings as numpy float64 scalars; they must not upcast.
    act = get_activation(name)
    for setting in ("negative_slope", "alpha"):
        if hasattr(act, setting):
            setattr(act, setting, np.float64(getattr(act, setting)))
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(4, 3)
    y = act.forward(x.copy())
    assert y.dtype == np.float32
    assert act.backward(np.ones_like(x), x, y).dtype == np.float32


def _targets_for(name, rng, n, k):
    if name == "log_loss":
        if k == 1:
            return rng.randint(0, 2, size=(n, 1)).astype(float)
        return np.eye(k)[rng.randint(0, k, size=n)]
    if name in ("hinge", "squared_hinge"):
        return rng.choice([-1.0, 1.0], size=(n, k))
    return rng.randn(n, k)


@pytest.mark.parametrize("k", [1, 3, 20])  # 20: the softmax path for many classes
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_gradient_matches_finite_differences(name, k):
    rng = np.random.RandomState(1)
    loss = get_loss(name)
    Y = _targets_for(name, rng, 6, k)
    raw = rng.randn(6, k)
    if name in ("hinge", "squared_hinge", "absolute_error", "huber"):
        # Move away from the kinks (margin 1, residual 0 and +-delta).
        raw = np.where(np.abs(Y * raw - 1) < 0.1, raw + 0.3, raw)
        raw = np.where(np.abs(np.abs(raw - Y) - 1.35) < 0.1, raw + 0.3, raw)
    weights = rng.uniform(0.5, 2.0, size=6)
    value, analytic = loss.value_and_gradient(Y, raw, weights)
    numeric = _numeric_gradient(lambda r: loss.value(Y, r, weights), raw.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    assert np.isfinite(value) and value >= 0


def test_log_loss_values_are_the_textbook_ones():
    loss = get_loss("log_loss")
    # Binary: logit 0 -> p = 0.5 -> loss log 2 for either label.
    assert loss.value(np.array([[1.0], [0.0]]), np.zeros((2, 1))) == pytest.approx(np.log(2))
    # Softmax over 4 equal logits -> log 4.
    assert loss.value(np.eye(4)[[0]], np.zeros((1, 4))) == pytest.approx(np.log(4))
    # Huge logits stay finite, with few or many classes.
    assert np.isfinite(loss.value(np.array([[0.0]]), np.array([[800.0]])))
    for k in (3, 20):
        raw = np.zeros((2, k))
        raw[0, -1], raw[1, 0] = 900.0, -900.0
        expected = (900.0 + np.log(k - 1)) / 2  # log-sum-exp minus the true logit, averaged
        assert loss.value(np.eye(k)[[0, 1]], raw) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 0.15), ("l2", 0.15), ("elasticnet", 0.3)])
def test_penalty_gradient_matches_finite_differences(penalty, l1_ratio):
    rng = np.random.RandomState(2)
    w = rng.uniform(0.2, 1.0, size=(3, 2)) * rng.choice([-1, 1], size=(3, 2))
    grads = [np.zeros_like(w)]
    penalty_value_and_gradient([w], penalty, 0.7, l1_ratio, grads=grads)
    numeric = _numeric_gradient(
        lambda z: penalty_value_and_gradient([z], penalty, 0.7, l1_ratio), w.copy()
    )
    np.testing.assert_allclose(grads[0], numeric, rtol=1e-6)


def test_unknown_names_list_what_is_accepted():
    with pytest.raises(ValueError, match="Unknown activation 'sigmoidal'.*relu"):
        get_activation("sigmoidal")
    with pytest.raises(ValueError, match="Unknown loss 'mse'.*squared_error"):
        get_loss("mse")
