"""The registry's own walk of scikit-learn trusts the classes ``all_estimators`` would,
and neither building the whole registry nor importing skops imports an optional array
library.

``all_estimators`` walks scikit-learn with ``pkgutil.walk_packages``, which imports
``sklearn.externals.array_api_compat.torch`` (so torch, when installed); the registry
walks the same public modules without ``sklearn.externals``, tests or experimental, and
``skops.io`` (which calls ``all_estimators`` when imported) is imported with those
array namespaces refused.
"""

import functools
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Top-level packages ``sklearn.externals.array_api_compat`` and ``array_api_extra``
#: import for their array namespaces.
ARRAY_LIBRARIES = ("torch", "jax", "jaxlib", "cupy", "cupyx", "dask", "ndonnx", "sparse",
                   "array_api_strict")

#: Imports skops.io and builds the whole registry with every import of an array
#: library refused and recorded; prints the scikit-learn class and estimator names,
#: what was tried, and whether the array namespaces are refused only while skops.io
#: is imported.
_WALK = """
import importlib.util, json, sys
BLOCKED = set(sys.argv[1].split(","))
tried = []
class RefuseArrayLibraries:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            tried.append(name)
            raise ImportError(f"importing {name} is refused")
        return None
sys.meta_path.insert(0, RefuseArrayLibraries)
import sklearn
from sklearn_hp.persistence import TrustedClasses, _format, _registry
try:
    _format.require_skops()
except ImportError:  # no skops: the registry alone
    pass
TrustedClasses().complete()
namespace = "sklearn.externals.array_api_compat.dask"
# scikit-learn < 1.7 vendors no array_api_compat: nothing to refuse there
vendored = importlib.util.find_spec("sklearn.externals.array_api_compat") is not None
refused_within = found_after = None
if vendored:
    try:
        with _registry.array_namespaces_refused():
            importlib.util.find_spec(namespace)
        refused_within = False
    except ImportError:
        refused_within = True
    found_after = importlib.util.find_spec(namespace) is not None
print(json.dumps({
    "classes": sorted({_registry.name_of(c) for c in _registry._sklearn_objects()}),
    "estimators": sorted(_registry.name_of(c) for c in
                         _registry._estimator_classes(_registry._walk_sklearn(sklearn))),
    "entries": len(_registry._default_entries()),
    "tried": tried,
    "skops_io": "skops.io" in sys.modules,
    "refused_within": refused_within,
    "vendored": vendored,
    "found_after": found_after,
    "loaded": sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)}))
"""

#: The same names found through ``all_estimators`` and the modules its walk imports.
_ALL_ESTIMATORS = """
import json, warnings
from sklearn.utils import all_estimators
from sklearn_hp.persistence import _registry
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    estimators = {_registry.name_of(c) for _, c in all_estimators()}
classes = estimators | {_registry.name_of(c) for c in _registry._imported_sklearn_classes()}
print(json.dumps({"classes": sorted(classes), "estimators": sorted(estimators)}))
"""


def _run(code, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@functools.cache
def _walked():
    return _run(_WALK, ",".join(ARRAY_LIBRARIES))


def test_registry_and_skops_never_import_an_array_library():
    walked = _walked()
    assert walked["tried"] == []
    assert walked["loaded"] == []
    assert walked["skops_io"] == (importlib.util.find_spec("skops") is not None)
    if walked["vendored"]:  # the vendored array namespaces: refused within, found after
        assert walked["refused_within"] is True and walked["found_after"] is True
    else:
        assert walked["refused_within"] is None and walked["found_after"] is None
    assert walked["entries"] > 1000
    assert len(walked["estimators"]) > 150
    assert "sklearn.ensemble._forest.RandomForestClassifier" in walked["estimators"]
    assert "sklearn.tree._tree.Tree" in walked["classes"]


@pytest.mark.slow
def test_walk_trusts_the_classes_all_estimators_finds():
    walked, reference = _walked(), _run(_ALL_ESTIMATORS)
    assert walked["estimators"] == reference["estimators"]
    assert walked["classes"] == reference["classes"]
    assert len(walked["classes"]) > len(walked["estimators"])
