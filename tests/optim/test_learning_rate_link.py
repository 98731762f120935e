"""The learning rate is the last link of the optimizer chain: ScaleByLearningRate."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_hp.callbacks import History
from sklearn_hp.neural_network import MLPClassifier
from sklearn_hp.optim import (
    Chain,
    ExponentialDecay,
    ReduceOnPlateau,
    ScaleByAdam,
    ScaleByLearningRate,
    StepDecay,
)


def _started(link, epoch=0, losses=()):
    state = link.init([])
    return state, link.start_epoch(state, epoch, list(losses))


def test_start_epoch_returns_the_scheduled_rate_and_update_scales_by_minus_it():
    link = ScaleByLearningRate(0.1, schedule=StepDecay(step_size=2, gamma=0.5), max_epochs=9)
    state, rate = _started(link, epoch=5)
    assert rate == pytest.approx(0.1 * 0.5**2)
    grads = [np.array([1.0, -2.0]), np.array([[4.0]])]
    buffers = list(grads)
    steps = link.update(grads, state, params=None)
    assert all(s is b for s, b in zip(steps, buffers))  # scaled where they are
    np.testing.assert_array_equal(steps[0], [-0.025, 0.05])
    np.testing.assert_array_equal(steps[1], [[-0.1]])


def test_reduce_on_plateau_reads_the_losses_the_loop_gives():
    link = ScaleByLearningRate(1.0, schedule=ReduceOnPlateau(reduce_factor=0.5, patience=2,
                                                             threshold=0.0))
    assert _started(link, 4, [4.0, 3.0, 2.0, 1.0])[1] == 1.0
    assert _started(link, 8, [1.0] * 8)[1] == 0.25


def test_a_callable_rate_is_called_with_the_epoch():
    link = ScaleByLearningRate(lambda epoch: 1.0 / (epoch + 1))
    assert _started(link, epoch=3)[1] == 0.25


def test_a_numpy_rate_keeps_float32_steps_float32():
    link = ScaleByLearningRate(0.1, schedule=ExponentialDecay(gamma=np.float64(0.9)))
    state, rate = _started(link, epoch=2)
    assert type(rate) is float
    step = link.update([np.ones(3, dtype=np.float32)], state, None)[0]
    assert step.dtype == np.float32
    np.testing.assert_allclose(step, -0.081, rtol=1e-6)


def test_update_before_start_epoch_is_refused():
    link = ScaleByLearningRate(0.1)
    with pytest.raises(RuntimeError, match="before start_epoch"):
        link.update([np.ones(2)], link.init([]), None)


class _PlainTransform:
    """A plug-in transform with only ``init`` and ``update``."""

    def init(self, params):
        return {}

    def update(self, grads, state, params):
        return grads


def test_a_chain_reports_the_product_of_its_links_rates():
    chain = Chain(_PlainTransform(), ScaleByAdam(), ScaleByLearningRate(0.3))
    params = [np.zeros(2)]
    state = chain.init(params)
    assert chain.start_epoch(state, 0, []) == 0.3  # links without a rate count as 1
    steps = chain.update([np.array([2.0, -2.0])], state, params)
    np.testing.assert_allclose(steps[0], [-0.3, 0.3], rtol=1e-6)  # Adam's first step is ±1


def test_the_logged_rate_is_the_schedule_of_the_epoch_losses_so_far():
    X, y = make_classification(200, random_state=0)
    schedule = ReduceOnPlateau(reduce_factor=0.5, patience=1, threshold=0.05)
    clf = MLPClassifier((8,), learning_rate=0.01, lr_schedule=schedule, max_epochs=25,
                        tol=None, random_state=0, callbacks=[History()]).fit(X, y)
    logged = clf.callbacks_[0].column("lr")
    expected = [schedule(e, base_lr=0.01, losses=clf.loss_curve_[:e]) for e in range(25)]
    assert logged == expected
    assert min(logged) < 0.01  # the plateau rule did lower the rate
