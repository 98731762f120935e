"""One battery that every optimizer runs through, plus schedule values."""

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_hp.optim import (
    OPTIMIZERS,
    SCHEDULES,
    SGD,
    Adam,
    AdamW,
    CosineDecay,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    StepDecay,
    resolve_optimizer,
    resolve_schedule,
)
from sklearn_hp.testing import minimise_quadratic

#: A learning rate per optimizer that suits the test quadratic.
LEARNING_RATES = {
    "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5,
    "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05,
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_minimises_a_quadratic(name):
    optimizer = resolve_optimizer(name, momentum=0.9)
    params, target = minimise_quadratic(optimizer, LEARNING_RATES[name])
    tol = 5e-2 if name == "adamw" else 2e-3  # AdamW's decay pulls towards 0 on purpose
    np.testing.assert_allclose(params[0], target, atol=tol)
    np.testing.assert_allclose(params[1], np.ones((2, 2)), atol=tol)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_is_a_cloneable_hyperparameter(name):
    optimizer = resolve_optimizer(name, momentum=0.5)
    copy = clone(optimizer)
    assert copy.get_params() == optimizer.get_params()
    assert copy is not optimizer


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_state_matches_parameter_shapes(name):
    params = [np.ones((3, 2)), np.ones(4)]
    transform = resolve_optimizer(name).build(decay_mask=[True, False])
    state = transform.init(params)
    grads = [np.full((3, 2), 0.5), np.full(4, -0.5)]
    updates = transform.update(grads, state, params)
    assert [u.shape for u in updates] == [(3, 2), (4,)]
    # A descent direction: positive gradient -> positive update (params -= lr * update).
    assert np.all(updates[0] > 0) and np.all(updates[1] < 0)


def test_adam_matches_the_textbook_formula():
    rng = np.random.RandomState(0)
    gradients = rng.randn(5, 4)
    b1, b2, eps = 0.8, 0.95, 1e-6
    transform = Adam(beta_1=b1, beta_2=b2, epsilon=eps).build()
    params = [np.zeros(4)]
    state = transform.init(params)
    m = v = np.zeros(4)
    for t, g in enumerate(gradients, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        expected = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        got = transform.update([g.copy()], state, params)[0]
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_nesterov_differs_from_heavy_ball_and_both_accumulate():
    g = [np.array([1.0])]
    heavy, nesterov = SGD(momentum=0.5).build(), SGD(momentum=0.5, nesterov=True).build()
    s1, s2 = heavy.init(g), nesterov.init(g)
    heavy.update([np.array([1.0])], s1, g)
    nesterov.update([np.array([1.0])], s2, g)
    assert heavy.update([np.array([1.0])], s1, g)[0][0] == pytest.approx(1.5)
    assert nesterov.update([np.array([1.0])], s2, g)[0][0] == pytest.approx(1.75)


def test_adamw_decays_only_masked_parameters():
    params = [np.array([2.0]), np.array([2.0])]
    transform = AdamW(weight_decay=0.1).build(decay_mask=[True, False])
    state = transform.init(params)
    updates = transform.update([np.zeros(1), np.zeros(1)], state, params)
    assert updates[0][0] == pytest.approx(0.2)
    assert updates[1][0] == 0.0


@pytest.mark.parametrize("bad", ["adamm", "SGD", ""])
def test_unknown_optimizer_name_is_named_in_the_error(bad):
    with pytest.raises(ValueError, match=f"Unknown optimizer {bad!r}.*adam"):
        resolve_optimizer(bad)


def test_out_of_range_beta_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"beta_1 must be in \[0, 1\), got beta_1=1.5"):
        Adam(beta_1=1.5).build()


def test_schedule_values():
    kw = dict(base_lr=0.1, max_epochs=10)
    assert StepDecay(step_size=3, gamma=0.5)(7, **kw) == pytest.approx(0.025)
    assert ExponentialDecay(gamma=0.9)(2, **kw) == pytest.approx(0.081)
    assert InverseScaling(power_t=0.5)(3, **kw) == pytest.approx(0.05)
    cosine = CosineDecay(warmup_epochs=2)
    assert cosine(0, **kw) == pytest.approx(0.1 / 3)
    assert cosine(2, **kw) == pytest.approx(0.1)
    assert cosine(6, **kw) == pytest.approx(0.05)
    assert cosine(10, **kw) == pytest.approx(0.0)


def test_reduce_on_plateau_reads_the_loss_history():
    schedule = ReduceOnPlateau(reduce_factor=0.5, patience=2, threshold=0.0)
    improving = [5.0, 4.0, 3.0, 2.0]
    stalled = [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert schedule(4, base_lr=1.0, losses=improving) == 1.0
    # 3 stalled epochs after the best make one plateau, 3 more a second one.
    assert schedule(8, base_lr=1.0, losses=stalled) == 0.25


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_every_schedule_starts_near_the_base_rate_and_never_grows_past_it(name):
    schedule = resolve_schedule(name)
    rates = [schedule(e, base_lr=0.1, max_epochs=50, losses=[1.0] * e) for e in range(50)]
    assert 0 < max(rates) <= 0.1 + 1e-12
    assert rates[0] >= 0.05 or name == "cosine"


def test_unknown_schedule_name_is_named_in_the_error():
    with pytest.raises(ValueError, match="Unknown lr_schedule 'linear'.*cosine"):
        resolve_schedule("linear")


def test_transforms_store_numpy_settings_as_python_floats():
    # A numpy float64 setting (as searches sample them) would make every in-place
    # update of float32 arrays compute in float64.
    from sklearn_hp.optim import Adam, AdamW, RMSprop, SGD

    settings = {"beta_1": np.float64(0.9), "beta_2": np.float64(0.99),
                "epsilon": np.float64(1e-7)}
    transforms = [Adam(**settings).build(), RMSprop(decay=np.float64(0.8)).build(),
                  SGD(momentum=np.float64(0.5)).build(),
                  *AdamW(weight_decay=np.float64(0.1), **settings).build().transforms]
    for transform in transforms:
        numbers = {k: v for k, v in vars(transform).items() if isinstance(v, (float, np.floating))}
        assert numbers and all(type(v) is float for v in numbers.values()), transform
