"""Contract checks every registered building block must pass.

``check_block(kind, block)`` runs the battery of one kind (``"optimizer"``,
``"loss"``...) on one object; ``check_registered(kind)`` runs it on every name of
that kind's registry, so a block registered by a plug-in is checked like the
built-in ones without anyone listing it.
"""

import copy

import numpy as np
from sklearn.base import clone

from ..search import Real, SearchSpace, Trial
from ._registries import all_registries

__all__ = ["CHECKS", "check_block", "check_layer", "check_parameter_object",
           "check_registered", "minimise_quadratic", "numeric_gradient"]


def numeric_gradient(f, x, h=1e-6):
    """Central differences of the scalar ``f(x)`` with respect to every entry of ``x``."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def _assert_close(analytic, numeric, what, rtol=1e-5, atol=1e-7):
    if not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
        worst = np.max(np.abs(np.asarray(analytic) - numeric))
        raise AssertionError(f"{what}: gradient off finite differences by up to {worst:.3g}")


def check_parameter_object(block):
    """``get_params``/``set_params``/``clone`` round-trip and a repr that rebuilds it."""
    params = block.get_params()
    copy = clone(block)
    assert type(copy) is type(block) and copy is not block, f"clone({block!r}) failed"
    assert copy.get_params() == params, f"clone({block!r}) changed the settings"
    assert copy.set_params(**params).get_params() == params, f"{block!r}: set_params"
    rebuilt = type(block)(**params)
    assert repr(rebuilt) == repr(block), (
        f"repr {block!r} is not that of {type(block).__name__}(**get_params())"
    )
    # The repr names each setting that differs from the default, with its value.
    defaults = type(block)().get_params()
    for name, value in params.items():
        if value is not defaults.get(name) and value != defaults.get(name):
            assert f"{name}=" in repr(block), f"repr {block!r} hides {name}={value!r}"


# ---------------------------------------------------------------- optimizers
_RATES = (0.3, 0.1, 0.03, 0.01)
_TARGET = (1.5, -2.0, 0.7)


def minimise_quadratic(optimizer, lr, steps=600):
    """Run ``optimizer`` on ``0.5 * sum(h * (w - t)^2)`` plus ``0.5 * |W - 1|^2``.

    Returns
    -------
    params : list of ndarray
        The final ``[w, W]``, of shapes (3,) and (2, 2).
    target : ndarray
        ``t``, the minimiser of the first part (the second's is all ones).
    """
    h = np.array([1.0, 4.0, 0.5])
    target = np.array(_TARGET)
    params = [np.zeros(3), np.zeros((2, 2))]
    transform = optimizer.build(decay_mask=[False, False])
    state = transform.init(params)
    for _ in range(steps):
        grads = [h * (params[0] - target), params[1] - 1.0]
        for p, u in zip(params, transform.update(grads, state, params)):
            p -= lr * u
    return params, target


def _quadratic_distance(optimizer, lr):
    (w, W), target = minimise_quadratic(optimizer, lr)
    return np.sqrt(np.sum((w - target) ** 2) + np.sum((W - 1.0) ** 2))


def check_optimizer(optimizer):
    """Shapes, a descent direction, determinism, and convergence on a quadratic."""
    check_parameter_object(optimizer)
    params = [np.ones((3, 2)), np.ones(4)]
    before = [p.copy() for p in params]
    runs = []
    for _ in range(2):
        transform = optimizer.build(decay_mask=[True, False])
        state = transform.init(params)
        grads = [np.full((3, 2), 0.5), np.full(4, -0.5)]
        runs.append([u.copy() for u in transform.update(grads, state, params)])
    updates = runs[0]
    assert [u.shape for u in updates] == [(3, 2), (4,)], f"{optimizer!r}: update shapes"
    assert np.all(updates[0] > 0) and np.all(updates[1] < 0), (
        f"{optimizer!r}: the update is not a descent direction (params -= lr * update)"
    )
    assert all(np.array_equal(a, b) for a, b in zip(*runs)), f"{optimizer!r}: not deterministic"
    assert all(np.array_equal(p, b) for p, b in zip(params, before)), (
        f"{optimizer!r}: update changed the parameters (the training loop applies it)"
    )
    start = np.sqrt(np.sum(np.square(_TARGET)) + 4.0)  # from all zeros
    best = min(_quadratic_distance(optimizer, lr) for lr in _RATES)
    assert best < 0.01 * start, (
        f"{optimizer!r} got no closer than {best:.3g} (from {start:.3g}) to the minimum of a "
        f"quadratic in 600 steps with any learning rate in {_RATES}"
    )


# ----------------------------------------------------------------- schedules
def check_schedule(schedule):
    """Finite positive rates that are ``base_lr`` times :meth:`factor`."""
    check_parameter_object(schedule)
    for epoch in range(50):
        losses = [1.0] * epoch
        rate = schedule(epoch, base_lr=0.1, max_epochs=50, losses=losses)
        factor = schedule.factor(epoch, max_epochs=50, losses=losses)
        assert np.isfinite(rate) and rate > 0, f"{schedule!r}: rate {rate} at epoch {epoch}"
        assert np.isclose(rate, 0.1 * factor), f"{schedule!r}: rate is not base_lr * factor"


# --------------------------------------------------------------- activations
def check_activation(activation):
    """Backward against finite differences; float32 stays float32."""
    check_parameter_object(activation)
    rng = np.random.RandomState(0)
    # Away from 0, where piecewise activations have their kink.
    x = rng.uniform(0.1, 2.0, size=(4, 3)) * rng.choice([-1, 1], size=(4, 3))
    upstream = rng.randn(4, 3)
    analytic = activation.backward(upstream.copy(), x, activation.forward(x.copy()))
    numeric = numeric_gradient(lambda z: np.sum(upstream * activation.forward(z.copy())),
                                x.copy())
    _assert_close(analytic, numeric, repr(activation))
    x32 = x.astype(np.float32)
    y32 = activation.forward(x32.copy())
    assert y32.dtype == np.float32, f"{activation!r}: float32 input gave {y32.dtype}"
    back = activation.backward(np.ones_like(x32), x32, y32)
    assert back.dtype == np.float32, f"{activation!r}: float32 backward gave {back.dtype}"


# -------------------------------------------------------------------- losses
def _targets(loss, rng, n, k):
    if loss.task == "regression":
        return rng.randn(n, k)
    if loss.signed_targets:
        return rng.choice([-1.0, 1.0], size=(n, k))
    if k == 1:
        return rng.randint(0, 2, size=(n, 1)).astype(float)
    return np.eye(k)[rng.randint(0, k, size=n)]


def check_loss(loss):
    """Gradient against finite differences; the weighted mean over samples."""
    check_parameter_object(loss)
    rng = np.random.RandomState(1)
    for k in (1, 3):
        Y = _targets(loss, rng, 6, k)
        raw = rng.randn(6, k)
        weights = rng.uniform(0.5, 2.0, size=6)
        value, analytic = loss.value_and_gradient(Y, raw, weights)
        numeric = numeric_gradient(lambda r: loss.value(Y, r, weights), raw.copy())
        _assert_close(analytic, numeric, f"{loss!r} with {k} outputs")
        assert np.isfinite(value) and value >= 0, f"{loss!r}: loss {value}"
        unweighted = loss.value(Y, raw)
        assert np.isclose(loss.value(Y, raw, np.ones(6)), unweighted), (
            f"{loss!r}: unit sample weights change the loss"
        )
        assert np.isclose(loss.value(Y, raw, np.full(6, 2.0)), 2 * unweighted), (
            f"{loss!r}: the loss is not the weighted mean over samples"
        )


# -------------------------------------------------------------- initialisers
def check_initializer(initializer):
    """The shape and dtype asked for, finite values, the same draws from the same seed."""
    check_parameter_object(initializer)
    for dtype in (np.float32, np.float64):
        first = initializer((30, 20), 30, 20, np.random.RandomState(0), dtype)
        again = initializer((30, 20), 30, 20, np.random.RandomState(0), dtype)
        assert first.shape == (30, 20) and first.dtype == dtype, (
            f"{initializer!r}: asked for (30, 20) {np.dtype(dtype)}, got {first.shape} "
            f"{first.dtype}"
        )
        assert np.all(np.isfinite(first)), f"{initializer!r}: non-finite weights"
        assert np.array_equal(first, again), f"{initializer!r}: not reproducible"


# ----------------------------------------------------------------- penalties
def check_penalty(penalty):
    """Zero at zero, non-negative, and its gradient against finite differences."""
    check_parameter_object(penalty)
    rng = np.random.RandomState(2)
    w = rng.uniform(0.2, 1.0, size=(3, 2)) * rng.choice([-1, 1], size=(3, 2))
    assert penalty.value([np.zeros((3, 2))], 0.7) == 0, f"{penalty!r}: non-zero at 0"
    assert penalty.value([w], 0.7) >= 0, f"{penalty!r}: negative"
    grads = [np.zeros_like(w)]
    penalty.add_gradient([w], grads, 0.7)
    numeric = numeric_gradient(lambda z: penalty.value([z], 0.7), w.copy())
    _assert_close(grads[0], numeric, repr(penalty))


# ------------------------------------------------------------------ samplers
def check_sampler(sampler):
    """Proposals inside the space, as many as asked, the same from the same seed."""
    space = SearchSpace({"x": Real(0.0, 1.0), "c": ["a", "b"]})
    rng = np.random.RandomState(0)
    trials = [Trial({"x": float(x), "c": "ab"[i % 2]}, float(-((x - 0.3) ** 2)))
              for i, x in enumerate(rng.uniform(size=6))]
    # Samplers may keep state between calls (a search deep-copies the one it is given).
    first = copy.deepcopy(sampler).propose(space, trials, 3, np.random.RandomState(3))
    second = copy.deepcopy(sampler).propose(space, trials, 3, np.random.RandomState(3))
    assert len(first) == 3, f"{sampler!r}: asked for 3 candidates, got {len(first)}"
    assert first == second, f"{sampler!r}: not deterministic for one random_state"
    assert all(space.subspaces[0].contains(p) for p in first), (
        f"{sampler!r}: proposals {first} leave the space"
    )


# -------------------------------------------------------------------- layers
def check_layer(layer, x):
    """Backward against finite differences, for the input and every trainable array.

    Parameters
    ----------
    layer : Layer
    x : ndarray
        An input batch (float64); the registry's ``example`` gives one.
    """
    upstream = np.random.RandomState(0).randn(*layer.forward(x.copy(), training=True).shape)

    def objective(_):
        # A fresh input copy each time: a layer may overwrite its input.
        return float(np.sum(upstream * layer.forward(x.copy(), training=True)))

    layer.forward(x.copy(), training=True)
    analytic = layer.backward(upstream.copy())
    grads = [g.copy() for g in layer.grads] if len(layer.params) else []
    x_var = x.copy()
    numeric = numeric_gradient(
        lambda z: float(np.sum(upstream * layer.forward(z.copy(), training=True))), x_var)
    assert analytic.shape == x.shape, f"{layer!r}: input gradient of shape {analytic.shape}"
    _assert_close(analytic, numeric, f"{layer!r} (input)", atol=1e-6)
    for i, (param, grad) in enumerate(zip(layer.params, grads)):
        _assert_close(grad, numeric_gradient(objective, param), f"{layer!r} (params[{i}])",
                      atol=1e-6)
    predicted = layer.forward(x.copy(), training=False)
    assert predicted.shape == upstream.shape, f"{layer!r}: predict-time output shape"


#: The battery of each registry kind.
CHECKS = {
    "optimizer": check_optimizer,
    "lr_schedule": check_schedule,
    "activation": check_activation,
    "loss": check_loss,
    "weight_init": check_initializer,
    "penalty": check_penalty,
    "sampler": check_sampler,
    "layer": check_layer,
}


def check_block(kind, block, *inputs):
    """Run the battery of ``kind`` on ``block`` (a name of that registry, or an object).

    A layer is given with its input batch: ``check_block("layer", layer, x)``.
    """
    registry = {r.kind: r for r in all_registries()}[kind]
    entry = registry[block] if isinstance(block, str) else None
    if entry is not None and entry.example is not None:
        CHECKS[kind](*entry.example(np.random.RandomState(0)))
        return
    if entry is not None and not registry.hyperparameter:
        raise ValueError(
            f"{kind} {block!r} was registered without example=...; its battery needs "
            f"example(rng) -> ({kind}, input), as a {kind} has no default instance."
        )
    CHECKS[kind](registry.resolve(block), *inputs)


def check_registered(kind):
    """Run the battery of ``kind`` on every registered name; return the names checked."""
    registry = {r.kind: r for r in all_registries()}[kind]
    for name in registry:
        check_block(kind, name)
    return list(registry)
