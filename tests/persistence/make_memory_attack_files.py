"""Write the hostile files of ``tests/persistence/attacks/`` that attack memory.

Small files that would make a load take gigabytes, each a valid model file edited as
an attacker would (checksums recomputed), and files whose zip headers lie. Run from the
repository root (after ``make_attack_files.py``, whose helpers it uses)::

    PYTHONPATH=. python tests/persistence/make_memory_attack_files.py
"""

import io
import json
import struct
import zipfile

import numpy as np
from sklearn.datasets import load_iris

from sklearn_hp import HyperbandSearchCV, LogisticClassifier
from sklearn_hp.persistence import save
from tests.persistence.make_attack_files import (HERE, _edit_json, _find, _members, _state,
                                                 _write)


def _npy(array):
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def _json_node(value):
    return {"__class__": type(value).__name__, "__module__": "builtins",
            "__loader__": "JsonNode", "content": json.dumps(value), "is_json": True}


def _rewrite(path, name, compress_type, declared=None):
    """Rewrite ``path`` with member ``name`` compressed by ``compress_type``; with
    ``declared``, its zip headers then claim that decompressed size."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, data in members:
            archive.writestr(key, data, compress_type=compress_type if key == name else None)
    if declared is None:
        return
    raw = bytearray(path.read_bytes())
    encoded = name.encode()
    local = raw.index(b"PK\x03\x04")
    while raw[local + 30:local + 30 + len(encoded)] != encoded:
        local = raw.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", raw, local + 22, declared)
    central = raw.index(b"PK\x01\x02")
    while raw[central + 46:central + 46 + len(encoded)] != encoded:
        central = raw.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", raw, central + 24, declared)
    path.write_bytes(bytes(raw))


def main():
    X, y = load_iris(return_X_y=True)
    base = HERE / "_base.skhp"
    save(LogisticClassifier(max_epochs=2, random_state=0).fit(X, y), base)
    manifest, members = _members(base)
    schema = json.loads(members["schema.json"])
    coef_node = _state(schema)["content"]["coef_"]
    coef = coef_node["file"]

    # 1 GiB of zeros as coef_, bzip2-compressed to a few kilobytes.
    big = dict(members, **{coef: _npy(np.zeros(2**27))})
    big_manifest = json.loads(json.dumps(manifest))
    big_manifest["members"][coef].update(shape=[2**27])
    _write("array_bzip2_1gib.skhp", big_manifest, big,
           extra=lambda p: _rewrite(p, coef, zipfile.ZIP_BZIP2))

    # An 8 MiB array (8 kB deflated) that 32 nodes refer to: skops builds it 32 times.
    def repeated(schema):
        node = {k: v for k, v in _state(schema)["content"]["coef_"].items() if k != "__id__"}
        _state(schema)["content"]["coef_"] = {
            "__class__": "list", "__module__": "builtins", "__loader__": "ListNode",
            "content": [dict(node) for _ in range(32)]}
    small_manifest = json.loads(json.dumps(manifest))
    small_manifest["members"][coef].update(shape=[2**20])
    _write("array_referenced_32_times.skhp", small_manifest,
           _edit_json(dict(members, **{coef: _npy(np.zeros(2**20))}), "schema.json", repeated),
           extra=lambda p: _rewrite(p, coef, zipfile.ZIP_DEFLATED))

    # coef_ built as numpy.ndarray((805306368,), "f8"): 6 GiB from a few bytes.
    no_coef = {k: v for k, v in members.items() if k != coef}
    no_coef_manifest = json.loads(json.dumps(manifest))
    del no_coef_manifest["members"][coef]

    def constructed(cls, module, args):
        def edit(schema):
            _state(schema)["content"]["coef_"] = {
                "__class__": cls, "__module__": module,
                "__loader__": "ConstructorFromReduceNode",
                "content": {"__class__": "tuple", "__module__": "builtins",
                            "__loader__": "TupleNode", "content": [_json_node(a) for a in args]}}
        return edit
    _write("constructor_ndarray_6gib.skhp", no_coef_manifest, _edit_json(
        no_coef, "schema.json", constructed("ndarray", "numpy", [[3 * 2**28], "f8"])))
    _write("constructor_lil_matrix.skhp", no_coef_manifest, _edit_json(
        no_coef, "schema.json",
        constructed("lil_matrix", "scipy.sparse._lil", [[10**9, 10**9]])))

    # A JSON value of 3 million empty lists: 9 MB of schema, 200 MB of lists.
    def empty_lists(schema):
        _state(schema)["content"]["loss_curve_"] = {
            "__class__": "list", "__module__": "builtins", "__loader__": "JsonNode",
            "content": "[" + ",".join(["[]"] * 3_000_000) + "]", "is_json": True}
    _write("json_value_of_empty_lists.skhp", manifest,
           _edit_json(members, "schema.json", empty_lists))

    # Zip headers that lie: 10 MB declared from a few hundred deflated bytes, and
    # 224 bytes declared for 16 MiB of deflated zeros.
    forged = json.loads(json.dumps(manifest))
    forged["members"][coef]["size"] = 10**7
    _write("zip_size_forged.skhp", forged, members, rehash=False,
           extra=lambda p: _rewrite(p, coef, zipfile.ZIP_DEFLATED, declared=10**7))
    lying = dict(members, **{coef: members[coef] + bytes(2**24)})
    _write("zip_size_understated.skhp", manifest, lying, rehash=False,
           extra=lambda p: _rewrite(p, coef, zipfile.ZIP_DEFLATED,
                                    declared=len(members[coef])))

    # A search whose file points it at a trial storage or a checkpoint directory.
    search = HyperbandSearchCV(LogisticClassifier(), {"alpha": [1e-4, 1e-2]},
                               max_resource=4, cv=2).fit(X, y)
    search_path = HERE / "_search.skhp"
    save(search, search_path)
    search_manifest, search_members = _members(search_path)
    for name, setting in (("search_storage.skhp", {"storage": "trials.db"}),
                          ("search_checkpoint_dir.skhp", {"checkpoint_dir": "planted_ckpt"})):
        _write(name, search_manifest, _edit_json(
            search_members, "hyperparameters.json",
            lambda d, setting=setting: d["params"].update(setting)))
    for path in (base, search_path):
        path.unlink()
    write_generator_pool_size(X, y)


def write_generator_pool_size(X, y):
    """A histogram gradient boosting model whose random generator's seed sequence
    claims ``pool_size=2**31``: numpy would allocate 8 GiB building it."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    path = HERE / "_hgb.skhp"
    save(HistGradientBoostingClassifier(max_iter=2, random_state=0).fit(X, y), path)
    manifest, members = _members(path)

    def edit(schema):
        generator = _find(schema, lambda d: d.get("__loader__") == "RandomGeneratorNode")
        generator["content"]["seed_seq"]["content"]["pool_size"] = _json_node(2**31)
    _write("generator_pool_size_2e31.skhp", manifest, _edit_json(members, "schema.json", edit))
    path.unlink()


if __name__ == "__main__":
    main()
