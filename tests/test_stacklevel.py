"""Warnings raised deep inside a fit or a save name the user's line, not ours."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hp import LinearRegressor, LogisticClassifier
from sklearn_hp._stacklevel import user_stacklevel
from sklearn_hp.exceptions import DivergenceWarning
from sklearn_hp.persistence import save

rng = np.random.RandomState(0)
X = StandardScaler().fit_transform(rng.normal(size=(400, 2)))
y = X @ [3.0, -2.0]


def _diverging():
    # full-batch steps at 2.4 times the inverse curvature: the loss ends 2-10x its start
    return LinearRegressor(optimizer="sgd", learning_rate=2.4, batch_size=400, max_epochs=3,
                           tol=None, random_state=0)


def _where(category, call):
    """``(filename, lineno)`` of every ``category`` warning raised by ``call()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [(w.filename, w.lineno) for w in caught if issubclass(w.category, category)]


def _line_of(text):
    """Line number of the only line of this file containing ``text``."""
    with open(__file__) as f:
        (number,) = [i for i, line in enumerate(f, 1) if text in line and "_line_of" not in line]
    return number


def test_divergence_warning_names_the_line_that_called_fit():
    assert _where(DivergenceWarning, lambda: _diverging().fit(X, y)) == [
        (__file__, _line_of("lambda: _diverging().fit(X, y)"))]


def test_through_a_pipeline_and_cross_val_score_the_users_line_is_named():
    pipe = make_pipeline(StandardScaler(), _diverging())
    assert _where(DivergenceWarning, lambda: pipe.fit(X, y)) == [
        (__file__, _line_of("lambda: pipe.fit(X, y)"))]
    line = _line_of("lambda: cross_val_score(_diverging(), X, y, cv=2)")
    assert _where(DivergenceWarning, lambda: cross_val_score(_diverging(), X, y, cv=2)) == [
        (__file__, line)] * 2


def test_convergence_and_save_warnings_name_the_users_line(tmp_path):
    model = LogisticClassifier(max_epochs=1, random_state=0)
    labels = (y > 0).astype(int)
    assert _where(ConvergenceWarning, lambda: model.fit(X, labels)) == [
        (__file__, _line_of("lambda: model.fit(X, labels)"))]
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(max_epochs=2),
                         memory=str(tmp_path))
    assert _where(UserWarning, lambda: save(pipe, tmp_path / "p.skhp")) == [
        (__file__, _line_of("lambda: save(pipe, tmp_path"))]


def test_user_stacklevel_skips_only_library_frames():
    def warn_here():
        warnings.warn("here", UserWarning, stacklevel=user_stacklevel())

    # called from this file, the first frame is already outside the library
    assert _where(UserWarning, warn_here) == [(__file__, _line_of('warnings.warn("here"'))]
    assert user_stacklevel() == 1


def test_search_warnings_name_the_users_line():
    from sklearn.linear_model import Ridge

    from sklearn_hp.search import BayesSearchCV

    search = BayesSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, n_iter=6, cv=2,
                           random_state=0)
    where = _where(UserWarning, lambda: search.fit(X, y))  # the exhausted-space line
    line = _line_of("the exhausted-space line")
    assert where and all(w == (__file__, line) for w in where), where
