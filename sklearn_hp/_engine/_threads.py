"""How many BLAS threads a fit uses: one for small matrix products, else the process's.

A mini-batch step multiplies matrices of ``batch_size`` rows by each layer's weights.
When the largest of those products is small (under :data:`SMALL_PRODUCT`
multiply-adds: a linear model, or a network of a few dozen units), a second BLAS
thread gains at most some 10 % on an idle machine, and on a busy one every product
waits for that thread to get a core: the fit ran twice as slow. Such fits run on one
BLAS thread; larger products keep every thread the process allows. The limit is set
with threadpoolctl around the training loop and undone after it, so it never raises
a limit the user set with ``threadpoolctl.threadpool_limits``.
"""

import functools
import threading
from contextlib import contextmanager

__all__ = [
    "SMALL_PRODUCT", "get_blas_thread_policy", "largest_product", "model_weights",
    "one_blas_thread", "set_blas_thread_policy", "training_thread_limit",
    "with_training_threads",
]

#: Multiply-adds of the largest per-batch matrix product below which a fit uses one
#: BLAS thread (measured: 200 x 64 x 64, 0.8 million, gains ~10 % from a second
#: thread on an idle 2-core machine; 64 x 256 x 256, 4.2 million, gains 40 %).
SMALL_PRODUCT = 2**21

_POLICIES = ("auto", "inherit")
_policy = {"value": "auto"}
_controller = {}
# Fits running in several threads of one process share one limit: the first to start
# sets it, the last to finish restores the threads it found.
_limit_lock = threading.Lock()
_active = {"fits": 0, "limiter": None}


def set_blas_thread_policy(policy):
    """Choose whether fits pick their BLAS threads; return the previous policy.

    Parameters
    ----------
    policy : {"auto", "inherit"}
        ``"auto"`` (the default): a fit whose largest per-batch matrix product has
        fewer than :data:`SMALL_PRODUCT` multiply-adds runs on one BLAS thread.
        ``"inherit"``: fits never change the process's BLAS threads.

    Returns
    -------
    previous : str
    """
    if policy not in _POLICIES:
        raise ValueError(f"Unknown BLAS thread policy {policy!r}; accepted values are "
                         f"{list(_POLICIES)}.")
    previous = _policy["value"]
    _policy["value"] = policy
    return previous


def get_blas_thread_policy():
    """The current policy, ``"auto"`` or ``"inherit"``."""
    return _policy["value"]


def largest_product(weights, batch_size, image_size=1):
    """Multiply-adds of the largest matrix product of one mini-batch step.

    Parameters
    ----------
    weights : list of ndarray
        The model's weight arrays: dense ``(in, out)`` (or a linear model's
        coefficients) and convolution kernels ``(kh, kw, in, out)``.
    batch_size : int
    image_size : int, default=1
        Pixels per image, the rows each sample contributes to a convolution's product
        (an upper bound once pooling shrinks the image).
    """
    return max(
        (batch_size * (image_size if w.ndim == 4 else 1) * w.size for w in weights), default=0
    )


def model_weights(estimator):
    """The weight arrays of a fitted network or linear model (no biases)."""
    weights = [*getattr(estimator, "kernels_", ()), *getattr(estimator, "weights_", ())]
    coef = getattr(estimator, "coef_", None)
    return weights if weights or coef is None else [coef]


def training_thread_limit(weights, batch_size, image_size=1):
    """The BLAS thread limit of a fit: 1 for small products, None to leave the threads.

    Parameters are those of :func:`largest_product`.
    """
    return thread_limit_of(largest_product(weights, batch_size, image_size))


def thread_limit_of(product):
    """The BLAS thread limit of a fit whose largest product is ``product`` multiply-adds."""
    if _policy["value"] == "inherit":
        return None
    return 1 if product < SMALL_PRODUCT else None


def _blas_controller():
    # Built once: a fresh threadpoolctl scan costs milliseconds, a cached one microseconds.
    found = _controller.get("blas")
    if found is None:
        from threadpoolctl import ThreadpoolController

        found = _controller["blas"] = ThreadpoolController().select(user_api="blas")
    return found


@contextmanager
def one_blas_thread():
    """Run the block on one BLAS thread, then restore the threads found on entry.

    Safe when fits run in several threads at once (joblib's threading backend).
    """
    with _limit_lock:
        if _active["fits"] == 0:
            _active["limiter"] = _blas_controller().limit(limits=1)
        _active["fits"] += 1
    try:
        yield
    finally:
        with _limit_lock:
            _active["fits"] -= 1
            if _active["fits"] == 0:
                _active["limiter"].restore_original_limits()
                _active["limiter"] = None


def with_training_threads(run):
    """Decorate ``TrainingLoop.run`` to train under :func:`thread_limit_of` its
    settings' ``largest_product``."""

    @functools.wraps(run)
    def wrapper(self, *args, **kwargs):
        if thread_limit_of(self.settings.largest_product) is None:
            return run(self, *args, **kwargs)
        with one_blas_thread():
            return run(self, *args, **kwargs)

    return wrapper
