"""Every estimator's ``__init__`` stores each argument as ``self.<name> = <name>``.

scikit-learn's convention: the assignments are greppable and seen by IDEs and
type checkers, and ``get_params`` reads back exactly what was passed.
"""

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest
from sklearn.base import BaseEstimator

import sklearn_hp


def _package_estimator_classes():
    classes = {}
    for info in pkgutil.walk_packages(sklearn_hp.__path__, "sklearn_hp."):
        if ".cli" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, BaseEstimator) and obj.__module__.startswith("sklearn_hp")
                    and "__init__" in vars(obj)):
                classes[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(classes.items())


ESTIMATOR_CLASSES = _package_estimator_classes()


def _plain_assignments(init):
    """Names ``x`` assigned as ``self.x = x`` in ``init``'s body, or passed on as
    ``x=x`` to ``super().__init__`` (which assigns them the same way)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    assigned = set()
    for stmt in tree.body[0].body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute)
                and isinstance(stmt.targets[0].value, ast.Name)
                and stmt.targets[0].value.id == "self"
                and isinstance(stmt.value, ast.Name)
                and stmt.value.id == stmt.targets[0].attr):
            assigned.add(stmt.value.id)
        elif (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
              and isinstance(stmt.value.func, ast.Attribute)
              and stmt.value.func.attr == "__init__"):
            assigned.update(k.arg for k in stmt.value.keywords
                            if isinstance(k.value, ast.Name) and k.value.id == k.arg)
    return assigned


def test_the_walk_finds_the_estimators():
    names = {name.rsplit(".", 1)[1] for name, _ in ESTIMATOR_CLASSES}
    assert {"MLPClassifier", "MLPRegressor", "ConvNetClassifier",
            "LogisticClassifier", "LinearRegressor", "BayesSearchCV"} <= names
    assert len(ESTIMATOR_CLASSES) >= 20


@pytest.mark.parametrize("name, cls", ESTIMATOR_CLASSES, ids=[n for n, _ in ESTIMATOR_CLASSES])
def test_init_assigns_every_argument_unchanged(name, cls):
    arguments = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    missing = set(arguments) - _plain_assignments(cls.__init__)
    assert not missing, f"{name}.__init__ does not assign self.x = x for {sorted(missing)}"
