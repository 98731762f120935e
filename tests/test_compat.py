"""``_compat.py`` tells the truth: it alone touches private scikit-learn API."""

import ast
from pathlib import Path

import pytest

import sklearn_hp
from sklearn_hp._compat import RegistryOptions

PACKAGE = Path(sklearn_hp.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "_compat.py")


def _private_sklearn_uses(tree):
    """``(line, what)`` of every private scikit-learn module or name the code reaches."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sklearn":
            parts = node.module.split(".")
            names = [a.name for a in node.names]
            if any(p.startswith("_") for p in parts) or any(n.startswith("_") for n in names):
                found.append((node.lineno, f"from {node.module} import {', '.join(names)}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                    found.append((node.lineno, f"import {alias.name}"))
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
              and not node.attr.endswith("__")):  # dunders such as __version__ are public
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id == "sklearn":
                found.append((node.lineno, f"sklearn....{node.attr}"))
    return found


def _reads_text(node, name):
    """Whether ``node`` is ``str(name)``, ``repr(name)``, ``format(name)`` or ``name.args``."""
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in ("str", "repr", "format")
        and any(isinstance(a, ast.Name) and a.id == name for a in node.args)
    ) or (
        isinstance(node, ast.Attribute) and node.attr == "args"
        and isinstance(node.value, ast.Name) and node.value.id == name
    )


_MATCHING_METHODS = {"startswith", "endswith", "find", "index", "count", "match", "search",
                     "fullmatch", "findall"}


def _message_matches(tree):
    """``(line, what)`` of every test on the text of a caught exception.

    Showing the text (printing it, putting it in another message) is fine; comparing
    it (``in``, ``==``, ``startswith``, ``re.search``...) is a match on a message.
    """
    found = []
    for handler in ast.walk(tree):
        if not (isinstance(handler, ast.ExceptHandler) and handler.name):
            continue
        for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
            if isinstance(node, ast.Compare):
                tested = [node.left, *node.comparators]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in _MATCHING_METHODS):
                tested = [node.func.value, *node.args]
            else:
                continue
            if any(_reads_text(sub, handler.name) for part in tested for sub in ast.walk(part)):
                found.append((node.lineno, f"matches the text of {handler.name}"))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_compat_touches_private_sklearn_api(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    offending = _private_sklearn_uses(tree) + _message_matches(tree)
    assert offending == [], (
        f"{path.relative_to(PACKAGE)} touches private scikit-learn API or matches an "
        f"exception's message; move it to sklearn_hp/_compat.py: {offending}"
    )


def test_the_grep_sees_what_it_forbids():
    # The checks above must flag each pattern they are meant to keep out.
    code = (
        "from sklearn.utils.validation import _check_sample_weight\n"
        "from sklearn.model_selection._search import BaseSearchCV\n"
        "import sklearn.utils._param_validation\n"
        "x = sklearn.utils._testing\n"
        "try:\n    pass\nexcept ValueError as error:\n    if 'failed' in str(error):\n"
        "        raise\n"
        "except KeyError as other:\n    if str(other).startswith('x'):\n        raise\n"
        "except TypeError as shown:\n    print(str(shown))\n"
    )
    tree = ast.parse(code)
    assert len(_private_sklearn_uses(tree)) == 4
    assert len(_message_matches(tree)) == 2


def test_registry_options_follow_the_registry():
    names = {"a", "b"}
    constraint = RegistryOptions(lambda: set(names))
    assert constraint.is_satisfied_by("a") and not constraint.is_satisfied_by("c")
    names.add("c")
    assert constraint.is_satisfied_by("c")
    assert "'c'" in str(constraint)


def test_parameter_names_are_read_once_per_class(monkeypatch):
    import inspect

    from sklearn.base import BaseEstimator, clone

    from sklearn_hp._compat import CachedParamNames
    from sklearn_hp.neural_network import MLPClassifier

    class Plain(CachedParamNames, BaseEstimator):
        def __init__(self, a=1, b=2):
            self.a, self.b = a, b

    class Wider(Plain):
        def __init__(self, a=1, b=2, c=3):
            super().__init__(a, b)
            self.c = c

    reads, real = [], inspect.signature

    def counted(function, *args, **kwargs):
        reads.append(function)
        return real(function, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counted)
    for _ in range(5):
        clone(Plain(a=4)).set_params(b=5)
    assert len(reads) == 1
    assert Plain(a=4).get_params() == {"a": 4, "b": 2}
    # a subclass reads its own __init__, once
    assert Wider(c=7).get_params() == {"a": 1, "b": 2, "c": 7}
    assert Wider().get_params() == {"a": 1, "b": 2, "c": 3} and len(reads) == 2

    # so does a class whose __init__ is replaced
    def narrower(self, a=1):
        self.a = a

    monkeypatch.setattr(Plain, "__init__", narrower)
    assert Plain().get_params() == {"a": 1} and len(reads) == 3
    # the package's estimators and their parts: names as scikit-learn reads them
    model = MLPClassifier(hidden_layer_sizes=(3,))
    assert sorted(model.get_params(deep=False)) == sorted(
        name for name in real(MLPClassifier.__init__).parameters if name != "self")
