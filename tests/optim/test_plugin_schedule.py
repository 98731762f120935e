"""Adding a learning-rate schedule is one class and one registry line, and nothing else.

A linear decay is written here, outside the package, and registered by a fixture that
removes it again; every estimator then takes ``lr_schedule="linear"`` and trains at
its rates, the constraint error lists it, the schedule battery runs it, and its
settings are searchable.
"""

import numpy as np
import pytest
from sklearn.model_selection import RandomizedSearchCV

import sklearn_hp as hp
from sklearn_hp.callbacks import History
from sklearn_hp.optim import SCHEDULES, Schedule
from sklearn_hp.testing import check_registered

from ._plugins import X_CLF, Y_CLF, fit_every_estimator, registered


class LinearDecay(Schedule):
    """From the base rate down to ``end_factor`` times it over ``max_epochs``."""

    calls = 0

    def __init__(self, end_factor=0.1):
        self.end_factor = end_factor

    def factor(self, epoch, *, max_epochs=None, losses=()):
        LinearDecay.calls += 1
        progress = epoch / max(max_epochs - 1, 1)
        return 1.0 - (1.0 - self.end_factor) * progress


@pytest.fixture
def linear():
    LinearDecay.calls = 0
    with registered(SCHEDULES, "linear", LinearDecay):  # the one line a new schedule needs
        yield LinearDecay


def test_every_estimator_trains_at_the_registered_schedules_rates(linear):
    fitted = fit_every_estimator(lr_schedule="linear", learning_rate=0.02, max_epochs=21,
                                 callbacks=[History()])
    expected = 0.02 * (1.0 - 0.045 * np.arange(21))
    for est, _ in fitted.values():
        np.testing.assert_allclose(est.callbacks_[0].column("lr"), expected, rtol=1e-12)
    assert linear.calls == 21 * len(fitted)  # asked once per epoch
    scores = {name: score for name, (_, score) in fitted.items()}
    assert min(scores.values()) > 0.7, scores  # trained, not just run


def test_the_constraint_error_lists_the_registered_schedule(linear):
    with pytest.raises(ValueError, match=r"'lr_schedule' parameter.*'linear'.*Got 'lineer'"):
        hp.MLPClassifier(lr_schedule="lineer", max_epochs=1).fit(X_CLF, Y_CLF)
    SCHEDULES.unregister("linear")
    with pytest.raises(ValueError, match="'lr_schedule' parameter") as error:
        hp.MLPClassifier(lr_schedule="linear", max_epochs=1).fit(X_CLF, Y_CLF)
    assert "'linear'" not in str(error.value).split("Got")[0]


def test_the_schedule_contract_battery_runs_the_registered_schedule(linear):
    checked = check_registered("lr_schedule")
    assert checked == list(SCHEDULES) and checked[-1] == "linear"
    assert linear.calls > 0


def test_settings_of_the_registered_schedule_are_searchable(linear):
    search = RandomizedSearchCV(
        hp.LogisticClassifier(lr_schedule=LinearDecay(), learning_rate=0.05, max_epochs=5,
                              tol=None, random_state=0),
        {"lr_schedule__end_factor": [0.0, 0.1, 0.5, 1.0]},
        n_iter=3, cv=2, random_state=0,
    ).fit(X_CLF, Y_CLF)
    assert len(search.cv_results_["params"]) == 3
    best = search.best_estimator_
    assert best.lr_schedule.end_factor == search.best_params_["lr_schedule__end_factor"]
