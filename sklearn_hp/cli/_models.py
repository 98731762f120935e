"""Models ``tune`` knows by name, their default search spaces, and ``--space`` files."""

import importlib
import json
import os

from sklearn.base import is_regressor
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..linear_model import LinearRegressor, LinearSVMClassifier, LogisticClassifier
from ..neural_network import ConvNetClassifier, MLPClassifier, MLPRegressor
from ..search import Categorical, Integer, Real
from ._catalog import FIXED, SPACE_SPECS

__all__ = ["FIXED", "MODELS", "SPACES", "build_pipeline", "default_space", "final_model",
           "load_space_file", "make_model", "plain_name"]

#: name -> {task: class}
MODELS = {
    "mlp": {"classification": MLPClassifier, "regression": MLPRegressor},
    "logistic": {"classification": LogisticClassifier},
    "linear": {"regression": LinearRegressor},
    "svm": {"classification": LinearSVMClassifier},
    "convnet": {"classification": ConvNetClassifier},
}

def make_model(name, task, random_state):
    """Return an unfitted estimator for ``--model`` and the table's task."""
    if name in MODELS:
        classes = MODELS[name]
        if task not in classes:
            other = "regression" if task == "classification" else "classification"
            raise ValueError(f"--model {name} does {other} only, but the target calls for "
                             f"{task}; models for {task}: "
                             f"{[n for n, c in MODELS.items() if task in c]} (or set --task).")
        estimator = classes[task](**FIXED[name])
    else:
        estimator = _import_estimator(name)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=random_state)
    return estimator


def build_pipeline(preprocessor, estimator):
    """Return ``(pipeline, prefix)``: what ``tune`` searches and saves.

    The pipeline is ``preprocess`` then ``model``. A regressor's ``model`` step
    is a :class:`~sklearn.compose.TransformedTargetRegressor` that standardizes
    the target while fitting and predicts in the target's own units, so one
    default space fits targets of any scale. ``prefix`` is what the estimator's
    hyperparameter names take in the pipeline (``model__`` or
    ``model__regressor__``).
    """
    if is_regressor(estimator):
        model = TransformedTargetRegressor(regressor=estimator, transformer=StandardScaler())
        prefix = "model__regressor__"
    else:
        model, prefix = estimator, "model__"
    return Pipeline([("preprocess", preprocessor), ("model", model)]), prefix


def final_model(estimator):
    """The estimator inside a pipeline ``tune`` built (fitted or not)."""
    model = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    if isinstance(model, TransformedTargetRegressor):
        return getattr(model, "regressor_", model.regressor)
    return model


def plain_name(name):
    """A hyperparameter's name without the pipeline's prefix (``model__regressor__alpha``
    -> ``alpha``); names of other steps are kept whole."""
    for prefix in ("model__regressor__", "model__"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _import_estimator(path):
    accepted = f"accepted: {', '.join(MODELS)} or an import path such as sklearn.svm.SVC"
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ValueError(f"--model {path!r} is unknown; {accepted}.")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"--model {path!r} cannot be imported ({error}); {accepted}.") from None
    if not isinstance(cls, type) or not hasattr(cls, "fit") or not hasattr(cls, "get_params"):
        raise ValueError(f"--model {path!r} is not a scikit-learn estimator class; {accepted}.")
    try:
        return cls()
    except TypeError as error:
        raise ValueError(f"--model {path!r} cannot be built without arguments: {error}.") \
            from None


def default_space(name):
    """The default space of a named model (an import path needs ``--space``)."""
    if name not in SPACES:
        raise ValueError(f"--model {name!r} has no default search space; give one with "
                         "--space space.toml or space.json.")
    return dict(SPACES[name])


def _parse_file(path):
    if not os.path.isfile(path):
        raise ValueError(f"--space {path!r}: no such file.")
    extension = os.path.splitext(path)[1].lower()
    with open(path, "rb") as handle:
        raw = handle.read()
    if extension == ".json":
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"--space {path!r} is not valid JSON: {error}.") from None
    if extension == ".toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10
            try:
                import tomli as tomllib
            except ImportError:
                raise ValueError("TOML space files need Python >= 3.11 or tomli; "
                                 "use a .json file.") from None
        try:
            return tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"--space {path!r} is not valid TOML: {error}.") from None
    raise ValueError(f"--space {path!r}: unknown extension {extension!r}; accepted: "
                     ".toml, .json.")


def _tuples(value):
    """Lists inside choices become tuples (``hidden_layer_sizes = [[64], [64, 32]]``)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


_FORMS = ("a list of choices, {choices = [...]}, or {low = ..., high = ..., log = true|false, "
          "type = \"real\"|\"integer\"}")


def _dimension(name, spec, where):
    if isinstance(spec, list):
        spec = {"choices": spec}
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: {name} = {spec!r} is not a search dimension; accepted: "
                         f"{_FORMS}.")
    unknown = set(spec) - {"choices", "low", "high", "log", "type"}
    if unknown:
        raise ValueError(f"{where}: {name} has unknown keys {sorted(unknown)}; accepted: "
                         f"{_FORMS}.")
    if "choices" in spec:
        if not isinstance(spec["choices"], list) or not spec["choices"]:
            raise ValueError(f"{where}: {name}.choices must be a non-empty list.")
        return Categorical([_tuples(v) for v in spec["choices"]])
    if "low" not in spec or "high" not in spec:
        raise ValueError(f"{where}: {name} needs both low and high (or choices); accepted: "
                         f"{_FORMS}.")
    kind = spec.get("type")
    if kind is None:
        kind = "integer" if all(isinstance(spec[k], int) and not isinstance(spec[k], bool)
                                for k in ("low", "high")) else "real"
    if kind not in ("real", "integer"):
        raise ValueError(f"{where}: {name}.type={kind!r}; accepted: 'real', 'integer'.")
    cls = Real if kind == "real" else Integer
    try:
        return cls(spec["low"], spec["high"], log=bool(spec.get("log", False)))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {name}: {error}") from None


def load_space_file(path, estimator):
    """Read ``--space`` (TOML or JSON) into ``{name: dimension}``, names checked."""
    spec = _parse_file(path)
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"--space {path!r} must map hyperparameter names to dimensions; "
                         f"got {type(spec).__name__} {spec!r:.60}.")
    accepted = estimator.get_params()
    space = {}
    for name, entry in spec.items():
        if name not in accepted:
            raise ValueError(f"--space {path!r}: {type(estimator).__name__} has no "
                             f"hyperparameter {name!r}; accepted: {sorted(accepted)}.")
        space[name] = _dimension(name, entry, f"--space {path!r}")
    return space


#: The default search space of each named model, as search dimensions.
SPACES = {name: {key: _dimension(key, spec, f"the default space of {name}")
                 for key, spec in specs.items()}
          for name, specs in SPACE_SPECS.items()}
