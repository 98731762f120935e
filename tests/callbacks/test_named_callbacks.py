"""Training callbacks given as ``(name, callback)`` pairs are tunable hyperparameters."""

import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from sklearn_hp.callbacks import EarlyStopping, History
from sklearn_hp.linear_model import LogisticClassifier
from sklearn_hp.neural_network import MLPClassifier

X, y = make_classification(n_samples=120, n_features=6, n_informative=4, random_state=0)


def _never_improves(patience=5):
    """Stops ``patience`` epochs after the first: no later epoch gains 1e9 on the loss."""
    return EarlyStopping(monitor="loss", patience=patience, min_delta=1e9,
                         restore_best_weights=False)


def _mlp(callbacks):
    return MLPClassifier((4,), max_epochs=30, tol=None, callbacks=callbacks, random_state=0)


def _n_iter(estimator, X, y):
    return estimator.n_iter_


def test_named_callbacks_expose_their_parameters():
    early = _never_improves()
    params = _mlp([History(), ("early", early)]).get_params(deep=True)
    assert params["callbacks__early"] is early
    assert params["callbacks__early__patience"] == 5
    assert params["callbacks__early__monitor"] == "loss"
    # plain list entries keep no names, as before
    assert not any(key.startswith("callbacks__") for key in _mlp([early]).get_params())
    assert _mlp([early]).get_params(deep=False)["callbacks"] == [early]


def test_set_params_and_clone_reach_the_named_callback():
    clf = _mlp([("early", _never_improves())])
    assert clf.set_params(callbacks__early__patience=3) is clf
    assert clf.callbacks[0][1].patience == 3
    copy = clone(clf)
    assert copy.callbacks[0][0] == "early" and copy.callbacks[0][1] is not clf.callbacks[0][1]
    assert copy.get_params()["callbacks__early__patience"] == 3
    # a pair replaced whole, then one of its parameters set, in one call
    clf.set_params(callbacks__early=_never_improves(7), callbacks__early__min_delta=2e9)
    assert clf.callbacks[0][1].get_params()["patience"] == 7
    assert clf.callbacks[0][1].min_delta == 2e9
    with pytest.raises(ValueError, match=r"no callback is named 'late' \(named callbacks: "
                                         r"\['early'\]\)"):
        clf.set_params(callbacks__late__patience=2)
    with pytest.raises(ValueError, match="no callback is named '0'"):
        _mlp([_never_improves()]).set_params(callbacks__0__patience=2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_tunes_the_patience_the_fits_see():
    grid = GridSearchCV(_mlp([("early", _never_improves())]),
                        {"callbacks__early__patience": [2, 5]}, cv=2, scoring=_n_iter)
    grid.fit(X, y)
    # the first epoch improves on +inf, then patience epochs without improvement
    assert list(grid.cv_results_["mean_test_score"]) == [3.0, 6.0]
    assert grid.best_params_ == {"callbacks__early__patience": 5}
    best = grid.best_estimator_
    assert best.n_iter_ == 6
    # callbacks_ holds the fitted callback of each pair, without its name
    assert isinstance(best.callbacks_[0], EarlyStopping)
    assert best.callbacks_[0].stopped_epoch_ == 5 and best.callbacks_[0].patience == 5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_linear_models_take_named_callbacks_too():
    clf = LogisticClassifier(max_epochs=30, tol=None, random_state=0,
                             callbacks=[("history", History()), ("early", _never_improves(4))])
    clf.set_params(callbacks__early__patience=1).fit(X, y)
    assert clf.n_iter_ == 2
    assert [type(cb).__name__ for cb in clf.callbacks_] == ["History", "EarlyStopping"]
    assert len(clf.callbacks_[0].history_) == 2


@pytest.mark.parametrize("callbacks, message", [
    ([("early", History()), ("early", History())], r"unique; \['early'\] appear"),
    ([("a__b", History())], r"without '__', got \['a__b'\]"),
])
def test_bad_names_fail_fit(callbacks, message):
    with pytest.raises(ValueError, match=message):
        _mlp(callbacks).fit(X, y)
