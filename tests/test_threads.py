"""The BLAS thread choice of a fit: which limit for which shapes, and that it is undone."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from threadpoolctl import ThreadpoolController, threadpool_limits

import sklearn_hp
from sklearn_hp import ConvNetClassifier, LogisticClassifier, MLPClassifier
from sklearn_hp._engine._threads import (
    SMALL_PRODUCT, largest_product, model_weights, training_thread_limit,
)
from sklearn_hp.callbacks import Callback


def _numpy_blas_threads():
    """Threads of the BLAS that numpy's matrix products run on."""
    np.ones((2, 2)) @ np.ones((2, 2))
    infos = ThreadpoolController().select(user_api="blas").info()
    ours = [i for i in infos if "numpy" in i["filepath"]] or infos
    return ours[0]["num_threads"]


class _ThreadProbe(Callback):
    """Records the BLAS threads seen during training (on the estimator's own clone)."""

    def on_train_begin(self, estimator, **kwargs):
        self.seen = []

    def on_epoch_begin(self, estimator, epoch, **kwargs):
        self.seen.append(_numpy_blas_threads())


def test_largest_product_counts_rows_times_weights():
    dense = [np.zeros((100, 256)), np.zeros((256, 128)), np.zeros((128, 5))]
    assert largest_product(dense, 256) == 256 * 256 * 128
    kernels = [np.zeros((3, 3, 1, 16)), np.zeros((64, 10))]
    assert largest_product(kernels, 128, image_size=28 * 28) == 128 * 784 * 144
    assert largest_product([], 256) == 0


@pytest.mark.parametrize("shapes, batch, expected", [
    ([(20, 64), (64, 2)], 256, 1),          # 0.33 million multiply-adds
    ([(64, 64), (64, 10)], 200, 1),         # digits: 0.8 million
    ([(100,)], 256, 1),                     # a linear model's coefficients
    ([(100, 256), (256, 128)], 256, None),  # 8.4 million: threads pay
    ([(784, 512)], 256, None),
])
def test_limit_is_one_thread_below_the_small_product_only(shapes, batch, expected):
    weights = [np.zeros(s) for s in shapes]
    assert training_thread_limit(weights, batch) == expected
    assert (largest_product(weights, batch) < SMALL_PRODUCT) == (expected == 1)


def test_inherit_policy_never_limits():
    previous = sklearn_hp.set_blas_thread_policy("inherit")
    try:
        assert sklearn_hp.get_blas_thread_policy() == "inherit"
        assert training_thread_limit([np.zeros((2, 2))], 1) is None
    finally:
        sklearn_hp.set_blas_thread_policy(previous)
    assert sklearn_hp.get_blas_thread_policy() == "auto"


def test_unknown_policy_is_refused_with_the_accepted_values():
    with pytest.raises(ValueError, match=r"'fast'.*\['auto', 'inherit'\]"):
        sklearn_hp.set_blas_thread_policy("fast")


def test_model_weights_of_networks_and_linear_models():
    X, y = make_classification(60, 64, n_informative=10, random_state=0)
    mlp = MLPClassifier((8,), max_epochs=1, tol=None, random_state=0).fit(X, y)
    assert [w.shape for w in model_weights(mlp)] == [(64, 8), (8, 1)]
    conv = ConvNetClassifier(conv_filters=(2,), hidden_layer_sizes=(4,), max_epochs=1,
                             tol=None, random_state=0).fit(X, y)
    assert [w.shape for w in model_weights(conv)][0] == (3, 3, 1, 2)
    linear = LogisticClassifier(max_epochs=1, tol=None, random_state=0).fit(X, y)
    assert [w.shape for w in model_weights(linear)] == [linear.coef_.shape]


@pytest.mark.parametrize("hidden, expected_during", [((16,), 1), ((1024,), "outer")])
def test_fit_runs_small_models_on_one_thread_and_restores_the_setting(hidden, expected_during):
    X, y = make_classification(400, 100, n_informative=10, random_state=0)
    with threadpool_limits(limits=2, user_api="blas"):
        outer = _numpy_blas_threads()
        clf = MLPClassifier(hidden, batch_size=256, max_epochs=2, tol=None,
                            callbacks=[_ThreadProbe()], random_state=0).fit(X, y)
        assert _numpy_blas_threads() == outer  # undone after the fit
    expected = outer if expected_during == "outer" else expected_during
    assert clf.callbacks_[0].seen == [expected, expected]


def test_user_limit_is_honoured():
    X, y = make_classification(400, 100, n_informative=10, random_state=0)
    with threadpool_limits(limits=1, user_api="blas"):
        clf = MLPClassifier((1024,), batch_size=256, max_epochs=1, tol=None,
                            callbacks=[_ThreadProbe()], random_state=0).fit(X, y)
    assert clf.callbacks_[0].seen == [1]


def test_fits_agree_between_thread_settings():
    X, y = make_classification(500, 100, n_informative=20, n_classes=3, random_state=0)
    fitted = {}
    for policy in ("auto", "inherit"):
        previous = sklearn_hp.set_blas_thread_policy(policy)
        try:
            fitted[policy] = MLPClassifier((16,), max_epochs=3, tol=None,
                                           random_state=0).fit(X, y)
        finally:
            sklearn_hp.set_blas_thread_policy(previous)
    for a, b in zip(fitted["auto"].weights_, fitted["inherit"].weights_):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fits_in_parallel_threads_restore_the_threads_they_found():
    from concurrent.futures import ThreadPoolExecutor

    X, y = make_classification(300, 20, random_state=0)
    with threadpool_limits(limits=2, user_api="blas"):
        outer = _numpy_blas_threads()

        def fit(seed):
            return MLPClassifier((8,), max_epochs=5, tol=None, random_state=seed).fit(X, y)

        with ThreadPoolExecutor(4) as pool:
            fitted = list(pool.map(fit, range(8)))
        assert _numpy_blas_threads() == outer
    assert [len(m.loss_curve_) for m in fitted] == [5] * 8
