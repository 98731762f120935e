"""What save and load cost besides their checks, and the state they now carry.

The registry answers without walking scikit-learn (the same names either way), the
walk of learned state keeps no path per element, ``.npy`` headers are read from their
own bytes, routing requests round-trip, and estimators holding sparse matrices save.
"""

import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_iris
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import SpectralEmbedding
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.random_projection import SparseRandomProjection
from scipy import sparse

from sklearn_hp.persistence import ModelFileError, TrustedClasses, load, save
from sklearn_hp.persistence import _registry
from sklearn_hp.persistence._archive import npy_header
from sklearn_hp.persistence._checks import walk
from sklearn_hp.persistence._learned_checks import check_model
from sklearn_hp.persistence._routing import restore_requests

pytest.importorskip("skops")

ROOT = Path(__file__).resolve().parents[2]
X, y = load_iris(return_X_y=True)


def test_every_name_resolves_to_the_same_object_without_the_whole_registry():
    whole = TrustedClasses().complete()
    entries = _registry._default_entries()
    assert len(entries) > 1000
    for name, obj in entries.items():
        lazy = _registry._core_entries().get(name) or _registry._imported_class(name)
        assert lazy is None or lazy is obj, name
        assert whole.get(name) is obj, name
    for name in ("os.system", "sklearn.utils._testing.TempMemmap", "sklearn.nowhere.X",
                 "sklearn_hp.cli.main", "sklearn_hp.persistence._io.Limits"):
        assert whole.get(name) is None, name
        assert name not in whole


_FRESH = """
import json, sys
from sklearn_hp.persistence import _registry, load, save
if sys.argv[1] == "save":
    from sklearn.datasets import load_iris
    from sklearn_hp import LogisticClassifier
    model = LogisticClassifier(max_epochs=3, random_state=0).fit(*load_iris(return_X_y=True))
    save(model, sys.argv[2])
loaded = load(sys.argv[2])
print(json.dumps({"class": type(loaded).__name__,
                  "whole_registry_built": _registry._default_entries.cache_info().currsize}))
"""


def _fresh(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _FRESH, *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_fresh_process_saves_and_loads_without_building_the_whole_registry(tmp_path):
    assert _fresh("save", tmp_path / "m.skhp") == {
        "class": "LogisticClassifier", "whole_registry_built": 0}
    save(make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=3,
                                                                random_state=0)).fit(X, y),
         tmp_path / "forest.skhp")
    assert _fresh("load", tmp_path / "forest.skhp") == {
        "class": "Pipeline", "whole_registry_built": 0}


@pytest.mark.slow
def test_walk_of_a_million_empty_lists_allocates_no_path_per_list():
    model = LogisticRegression().fit(X, y)
    model.loss_curve_ = [[] for _ in range(1_000_000)]
    model.history_ = [[1.0, 2.0]] * 1000 + [{"a": 1}]
    tracemalloc.start()
    try:
        check_model(model, "m.skhp", 200)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20, f"{peak / 2**20:.1f} MB"
    # containers of numbers and strings are not walked into; paths are spelled on demand
    paths = [str(path) for path, _ in walk(model, "m.skhp", 200)]
    assert paths == ["LogisticRegression", "LogisticRegression.loss_curve_",
                     "LogisticRegression.history_"]


def test_walk_spells_the_path_of_a_nested_object():
    forest = make_pipeline(StandardScaler(), RandomForestClassifier(
        n_estimators=2, random_state=0)).fit(X, y)
    tree = forest[-1].estimators_[1].tree_
    paths = {id(obj): str(path) for path, obj in walk(forest, "f.skhp", 200)}
    assert paths[id(tree)] == "Pipeline.steps[1][1].estimators_[1].tree_"


def test_npy_header_reads_only_the_header_and_refuses_a_huge_one():
    out = io.BytesIO()
    np.save(out, np.zeros((3, 4), dtype="<i4"))
    assert npy_header(memoryview(out.getvalue()), "a") == ((3, 4), np.dtype("<i4"), 128)
    forged = bytearray(out.getvalue())
    forged[8:10] = (60000).to_bytes(2, "little")
    with pytest.raises(ModelFileError, match="a is not a valid .npy array"):
        npy_header(bytes(forged) + bytes(60000), "a")


def test_routing_requests_survive_save_and_load(tmp_path):
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True).set_score_request(
            sample_weight="w2")
        model = make_pipeline(StandardScaler().set_fit_request(sample_weight=False),
                              BaggingClassifier(inner, n_estimators=2, random_state=0))
        model.fit(X, y, sample_weight=np.ones(len(y)))
    save(model, tmp_path / "routed.skhp")
    loaded = load(tmp_path / "routed.skhp")
    assert loaded[0]._get_metadata_request().fit.requests == {"sample_weight": False}
    assert loaded[-1].estimator._get_metadata_request().fit.requests == {
        "sample_weight": True}
    fitted = loaded[-1].estimators_[1]._get_metadata_request()
    assert fitted.score.requests == {"sample_weight": "w2"}
    with sklearn.config_context(enable_metadata_routing=True):
        assert str(loaded.get_metadata_routing()) == str(model.get_metadata_routing())
        refit = loaded.fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_array_equal(refit.predict(X), model.predict(X))
    # the user's estimator still has its own requests object
    assert type(model[0]._metadata_request).__name__ == "MetadataRequest"


@pytest.mark.parametrize("plain, expected", [
    ({"fit": {"no_such_param": True}}, r"the fit requests \{'no_such_param': True\} are "
                                       "refused"),
    ({"evil": {"sample_weight": True}}, "is not routing requests: accepted is"),
    ({"fit": {"sample_weight": [1]}}, "is not routing requests"),
])
def test_forged_routing_requests_are_refused(plain, expected):
    model = LogisticRegression()
    model._metadata_request = plain
    with pytest.raises(ModelFileError, match=f"m.skhp: LogisticRegression._metadata_request"
                                             f".*{expected}"):
        restore_requests(model, "m.skhp", 200)


@pytest.mark.parametrize("make", [
    lambda: SparseRandomProjection(n_components=3, random_state=0),
    lambda: SparseRandomProjection(n_components=3, dense_output=True, random_state=0),
    lambda: SpectralEmbedding(n_components=2, n_neighbors=5, random_state=0),
    lambda: SpectralEmbedding(n_components=2, affinity="rbf", random_state=0),
])
@pytest.mark.parametrize("sparse_input", [False, True])
def test_estimators_holding_sparse_matrices_round_trip(make, sparse_input, tmp_path):
    data = sparse.csr_matrix(X) if sparse_input else X
    model = make().fit(data)
    save(model, tmp_path / "s.skhp")
    loaded = load(tmp_path / "s.skhp")
    for name, value in vars(model).items():
        other = vars(loaded)[name]
        if sparse.issparse(value):
            assert (value != other).nnz == 0, name
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other, err_msg=name)
    if hasattr(model, "transform"):
        np.testing.assert_array_equal(_dense(loaded.transform(data)),
                                      _dense(model.transform(data)))


def _dense(value):
    return value.toarray() if sparse.issparse(value) else value


def test_arrays_built_without_numpy_load_keep_values_order_sharing_and_types(tmp_path):
    model = LogisticRegression().fit(X[:, :2], y)
    fortran = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    model.fortran_ = fortran
    model.shared_a_ = model.shared_b_ = np.arange(5, dtype=np.int32)
    model.scalar_ = np.float32(2.5)
    model.records_ = np.zeros(3, dtype=[("a", "<i8"), ("b", "<f4")])
    save(model, tmp_path / "arrays.skhp")
    loaded = load(tmp_path / "arrays.skhp")
    np.testing.assert_array_equal(loaded.fortran_, fortran)
    assert loaded.fortran_.flags.f_contiguous and loaded.fortran_.flags.writeable
    assert loaded.shared_a_ is loaded.shared_b_  # one object, as saved
    assert loaded.shared_a_.dtype == np.int32 and loaded.shared_a_.flags.writeable
    assert type(loaded.scalar_) is np.float32 and loaded.scalar_ == 2.5
    assert loaded.records_.dtype == model.records_.dtype
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    loaded.coef_ += 1  # learned arrays are the model's own, writable
