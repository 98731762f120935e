"""The problems of the suite: synthetic functions, mixed spaces and real tuning tasks.

Every problem is a search space (``Real``/``Integer``/``Categorical``, or a list of
dicts for a conditional space), a scikit-learn estimator whose ``score`` is
``-f(params)`` (synthetic) or CV accuracy (real), and ``loss(params)`` for peers
that call an objective directly. Problems are split into two halves: defaults are
chosen on half ``"A"`` only; half ``"B"`` is held out.
"""

import functools
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_hp.search import Categorical, Integer, Real

from . import functions as fn

# ------------------------------------------------------------------ synthetic


class FunctionEstimator(RegressorMixin, BaseEstimator):
    """An "estimator" whose score is ``-f(params)``; parameters are the problem's."""

    def __init__(self, problem="branin", **params):
        self.problem = problem
        for key, value in params.items():
            setattr(self, key, value)

    def get_params(self, deep=True):
        names = PROBLEMS[self.problem].param_names
        return {"problem": self.problem, **{n: getattr(self, n, None) for n in names}}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        params = {n: getattr(self, n) for n in PROBLEMS[self.problem].param_names}
        return -PROBLEMS[self.problem].loss(params)


_DUMMY_X, _DUMMY_Y = np.zeros((4, 1)), np.zeros(4)
_ONE_SPLIT = [(np.arange(2), np.arange(2, 4))]


class Synthetic:
    """A test function on a box, optionally with integer and categorical dimensions.

    ``n_int`` of the coordinates are integers (the function's domain contains its
    optimum at integer points). Each categorical ``c_k`` picks, per choice, a
    shift of the continuous optimum, a scale and a bias:
    ``f = prod(scale) * (base(x - sum(shift)) - base_min) + sum(bias)``; the
    optimal choice has bias 0 but the largest scale (the worst on average).
    """

    kind = "synthetic"

    def __init__(self, name, half, base, dims, low, high, base_min, n_int=0, categories=()):
        self.name, self.half, self.base = name, half, base
        self.dims, self.low, self.high, self.base_min = dims, low, high, base_min
        self.n_int, self.categories = n_int, categories
        n_cont = dims - n_int
        space = {f"x{i}": Real(low, high) for i in range(n_cont)}
        space.update({f"i{i}": Integer(int(np.ceil(low)), int(np.floor(high)))
                      for i in range(n_int)})
        space.update({f"c{k}": Categorical(sorted(choices))
                      for k, choices in enumerate(categories)})
        self.space = space
        self.param_names = list(space)
        self.optimum = 0.0 if categories else base_min
        self.n_evals = 100

    def loss(self, params):
        n_cont = self.dims - self.n_int
        x = np.array([params[f"x{i}"] for i in range(n_cont)]
                     + [params[f"i{i}"] for i in range(self.n_int)], dtype=float)
        if not self.categories:
            return float(self.base(x))
        scale, bias, shift = 1.0, 0.0, 0.0
        for k, choices in enumerate(self.categories):
            s, sc, b = choices[params[f"c{k}"]]
            shift, scale, bias = shift + s, scale * sc, bias + b
        x[:n_cont] = x[:n_cont] - shift
        return float(scale * (self.base(x) - self.base_min) + bias)

    def estimator(self):
        return FunctionEstimator(self.name, **{n: None for n in self.param_names})

    def search_kwargs(self):
        return {"cv": _ONE_SPLIT, "refit": False}

    def data(self):
        return _DUMMY_X, _DUMMY_Y


# ----------------------------------------------------------------------- real


class LayeredMLP(ClassifierMixin, BaseEstimator):
    """scikit-learn's MLPClassifier with its layers as two integer hyperparameters."""

    def __init__(self, n_layers=1, units=32, activation="relu", solver="adam",
                 learning_rate_init=1e-3, alpha=1e-4):
        self.n_layers, self.units, self.activation = n_layers, units, activation
        self.solver, self.learning_rate_init, self.alpha = solver, learning_rate_init, alpha

    def fit(self, X, y):
        self.model_ = MLPClassifier(
            hidden_layer_sizes=(int(self.units),) * int(self.n_layers),
            activation=self.activation, solver=self.solver, alpha=self.alpha,
            learning_rate_init=self.learning_rate_init, max_iter=40, random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


@functools.lru_cache(maxsize=None)
def _dataset(name):
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        rng = np.random.RandomState(0)
        keep = rng.permutation(len(y))[:600]
        return X[keep] / 16.0, y[keep]
    if name == "cancer":
        X, y = load_breast_cancer(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    if name == "wine":
        return load_wine(return_X_y=True)
    raise ValueError(name)


_CV = StratifiedKFold(3, shuffle=True, random_state=0)


class RealTask:
    """A scikit-learn estimator tuned by 3-fold CV accuracy on a bundled dataset."""

    kind = "real"

    def __init__(self, name, half, make, space, dataset):
        self.name, self.half, self.make, self.space, self.dataset = (
            name, half, make, space, dataset)
        subspaces = space if isinstance(space, list) else [space]
        self.param_names = list(dict.fromkeys(k for s in subspaces for k in s))
        self.optimum = None
        self.n_evals = 60

    def estimator(self):
        return self.make()

    def data(self):
        return _dataset(self.dataset)

    def search_kwargs(self):
        return {"cv": _CV, "refit": False, "scoring": "accuracy"}

    def loss(self, params):
        X, y = self.data()
        model = clone(self.make()).set_params(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = cross_val_score(model, X, y, cv=_CV, scoring="accuracy",
                                     error_score=np.nan)
        return -float(np.mean(scores))


def _svc():
    return SVC(max_iter=20000)


_MIXED_ACKLEY_CATS = (
    {"a": (1.0, 1.0, 1.0), "b": (-1.5, 1.0, 2.0), "c": (0.5, 3.0, 0.0)},
    {"u": (0.0, 1.0, 0.5), "v": (0.0, 1.5, 0.0)},
)
_MIXED_ST_CATS = (
    {"p": (0.0, 1.0, 3.0), "q": (0.5, 1.0, 5.0), "r": (-0.5, 1.0, 8.0), "s": (0.3, 2.5, 0.0)},
    {"lo": (0.0, 1.0, 2.0), "hi": (0.2, 2.0, 0.0)},
)
_ST_MIN = -39.16616570377142

PROBLEMS = {p.name: p for p in [
    # half A: defaults may be chosen on these
    Synthetic("branin2", "A", fn.branin, 2, -5.0, 15.0, 0.397887357729739),
    Synthetic("ackley5", "A", fn.ackley, 5, -5.0, 10.0, 0.0),
    Synthetic("styblinski8", "A", fn.styblinski_tang, 8, -5.0, 5.0, 8 * _ST_MIN),
    Synthetic("michalewicz5", "A", fn.michalewicz, 5, 0.0, np.pi, -4.687658179),
    Synthetic("ackley20", "A", fn.ackley, 20, -5.0, 10.0, 0.0),
    Synthetic("mixed_ackley8", "A", fn.ackley, 6, -5.0, 10.0, 0.0, n_int=2,
              categories=_MIXED_ACKLEY_CATS),
    RealTask("svc_digits", "A", _svc,
             {"kernel": ["linear", "rbf", "poly", "sigmoid"], "C": Real(1e-3, 1e3, log=True),
              "gamma": Real(1e-4, 1e1, log=True)}, "digits"),
    RealTask("hgb_cancer", "A", lambda: HistGradientBoostingClassifier(random_state=0),
             {"learning_rate": Real(1e-3, 1.0, log=True), "max_iter": Integer(10, 100, log=True),
              "max_leaf_nodes": Integer(2, 64, log=True),
              "min_samples_leaf": Integer(1, 50, log=True),
              "l2_regularization": Real(1e-6, 10.0, log=True)}, "cancer"),
    RealTask("logistic_cancer", "A",
             lambda: SGDClassifier(loss="log_loss", max_iter=30, tol=None, random_state=0),
             {"penalty": ["l2", "l1", "elasticnet"], "alpha": Real(1e-6, 10.0, log=True),
              "l1_ratio": Real(0.0, 1.0), "class_weight": [None, "balanced"]}, "cancer"),
    # half B: held out
    Synthetic("hartmann6", "B", fn.hartmann6, 6, 0.0, 1.0, -3.322368011391339),
    Synthetic("rosenbrock6", "B", fn.rosenbrock, 6, -5.0, 10.0, 0.0),
    Synthetic("levy10", "B", fn.levy, 10, -10.0, 10.0, 0.0),
    Synthetic("rastrigin4", "B", fn.rastrigin, 4, -5.12, 5.12, 0.0),
    Synthetic("levy20", "B", fn.levy, 20, -10.0, 10.0, 0.0),
    Synthetic("mixed_styblinski7", "B", fn.styblinski_tang, 5, -5.0, 5.0, 5 * _ST_MIN,
              n_int=3, categories=_MIXED_ST_CATS),
    RealTask("mlp_digits", "B", LayeredMLP,
             {"n_layers": Integer(1, 3), "units": Integer(8, 128, log=True),
              "activation": ["relu", "tanh", "logistic"], "solver": ["adam", "sgd"],
              "learning_rate_init": Real(1e-4, 0.5, log=True),
              "alpha": Real(1e-6, 1e-1, log=True)}, "digits"),
    RealTask("knn_wine", "B", lambda: make_pipeline(StandardScaler(), KNeighborsClassifier()),
             {"kneighborsclassifier__n_neighbors": Integer(1, 60),
              "kneighborsclassifier__weights": ["uniform", "distance"],
              "kneighborsclassifier__p": [1, 2]}, "wine"),
    RealTask("svc_conditional", "B", _svc, [
        {"kernel": ["linear"], "C": Real(1e-3, 1e3, log=True)},
        {"kernel": ["rbf"], "C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1e1, log=True)},
        {"kernel": ["poly"], "C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1e1, log=True),
         "degree": Integer(2, 5), "coef0": Real(0.0, 1.0)},
    ], "digits"),
]}
