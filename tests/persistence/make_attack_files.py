"""Write the hostile model files in ``tests/persistence/attacks/`` (run once, committed).

Each file is a valid model file edited the way an attacker would: most edits also
recompute the manifest's checksums, as anyone forging a file can, so the test shows
that the deeper checks (not just the checksum) refuse it. Run from the repository root::

    PYTHONPATH=. python tests/persistence/make_attack_files.py
"""

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hp import LogisticClassifier
from sklearn_hp.persistence import save
from sklearn_hp.persistence._archive import write_members

HERE = Path(__file__).resolve().parent / "attacks"
#: A module the attack files name; importing it creates the marker file (the test
#: writes it where Python can find it, so an import would really run it).
MARKER_MODULE = "sklearn_hp_attack_marker"
MARKER = "pwned_marker"


def _members(path):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    return manifest, members


def _write(name, manifest, members, rehash=True, extra=None):
    """Write members; ``rehash`` recomputes checksums, as a forger would."""
    path = HERE / name
    if rehash:
        listed = {k: {key: v for key, v in entry.items() if key not in ("size", "sha256")}
                  for k, entry in manifest["members"].items() if k in members}
        write_members(path, members, dict(manifest, members=listed))
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest))
            for key, data in members.items():
                archive.writestr(key, data)
    if extra is not None:
        extra(path)
    print("wrote", path.name, path.stat().st_size, "bytes")


def _edit_json(members, name, edit):
    document = json.loads(members[name])
    edit(document)
    members = dict(members)
    members[name] = json.dumps(document).encode()
    return members


def _find(node, predicate):
    """The first dict under ``node`` for which ``predicate`` holds."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if predicate(item):
                return item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    raise LookupError("no such node")


def _state(schema):
    return schema["content"]["states"]["content"][0]


def _add_state_entry(key):
    def edit(schema):
        state = _state(schema)
        state["content"][key] = {"__class__": "str", "__module__": "builtins",
                                 "__loader__": "JsonNode", "content": "1", "is_json": True}
        state["key_types"]["content"].append(
            {"__class__": "str", "__module__": "builtins", "__loader__": "TypeNode"})
    return edit


def _array_member(manifest, shape):
    return next(k for k, v in manifest["members"].items() if v.get("shape") == shape)


def _npy(array_bytes, shape, descr):
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue() + array_bytes


def _nested(depth):
    return "[" * depth + "]" * depth


def _bomb(path, listed):
    """Add a member of 1 GiB of zeros, bzip2-compressed to under a kilobyte."""
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("bomb.bin")
        info.compress_type = zipfile.ZIP_BZIP2
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = bytes(2**26)
            for _ in range(16):
                member.write(chunk)


def main():
    HERE.mkdir(exist_ok=True)
    X, y = load_iris(return_X_y=True)
    base = HERE / "_base.skhp"
    save(LogisticClassifier(max_epochs=2, random_state=0).fit(X, y), base)
    manifest, members = _members(base)
    coef = _array_member(manifest, [3, 4])

    # Classes named by module paths that would run code on import.
    for name, cls in (("import_sklearn_hp_main.skhp", "sklearn_hp.__main__.Main"),
                      ("import_marker_module.skhp", f"{MARKER_MODULE}.Evil")):
        _write(name, manifest, _edit_json(members, "hyperparameters.json",
                                          lambda d, cls=cls: d.update({"class": cls})))

    def evil_value(schema):
        schema["content"]["values"]["content"] = [
            {"__class__": "Evil", "__module__": MARKER_MODULE, "__loader__": "ObjectNode"}]
    _write("import_marker_in_learned.skhp", manifest,
           _edit_json(members, "schema.json", evil_value))

    def eval_function(schema):
        schema["content"]["values"]["content"] = [
            {"__class__": "system", "__module__": "os", "__loader__": "FunctionNode"}]
    _write("function_os_system.skhp", manifest,
           _edit_json(members, "schema.json", eval_function))

    # Learned state that would replace methods or dunders.
    for name, key in (("state_dunder.skhp", "__class__"), ("state_method.skhp", "predict"),
                      ("state_get_params.skhp", "get_params")):
        _write(name, manifest, _edit_json(members, "schema.json", _add_state_entry(key)))

    # Hyperparameters: invalid, an n_jobs bomb.
    _write("invalid_alpha.skhp", manifest, _edit_json(
        members, "hyperparameters.json", lambda d: d["params"].update(alpha=-5)))

    # Pipelines and searches whose settings make code run later.
    pipe = make_pipeline(StandardScaler(), LogisticClassifier(max_epochs=2, random_state=0))
    pipe_path = HERE / "_pipe.skhp"
    save(pipe.fit(X, y), pipe_path)
    pipe_manifest, pipe_members = _members(pipe_path)
    _write("pipeline_memory.skhp", pipe_manifest, _edit_json(
        pipe_members, "hyperparameters.json",
        lambda d: d["params"].update(memory="planted_cache")))
    search = GridSearchCV(pipe, {"logisticclassifier__alpha": [1e-4, 1e-2]}, cv=2).fit(X, y)
    search_path = HERE / "_search.skhp"
    save(search, search_path)
    search_manifest, search_members = _members(search_path)

    def memory_in_best(schema):
        node = _find(schema, lambda n: n.get("__loader__") == "DictNode"
                     and "memory" in n.get("content", {}))
        # a fresh value: without "__id__" skops does not reuse the shared None
        node["content"]["memory"] = {"__class__": "str", "__module__": "builtins",
                                     "__loader__": "JsonNode", "is_json": True,
                                     "content": json.dumps("planted_cache")}
    _write("pipeline_memory_in_learned.skhp", search_manifest,
           _edit_json(search_members, "schema.json", memory_in_best))
    _write("search_pre_dispatch_eval.skhp", search_manifest, _edit_json(
        search_members, "hyperparameters.json", lambda d: d["params"].update(
            pre_dispatch=f"__import__('pathlib').Path('{MARKER}').touch() or 1")))
    _write("search_n_jobs.skhp", search_manifest, _edit_json(
        search_members, "hyperparameters.json", lambda d: d["params"].update(n_jobs=10**6)))

    # Arrays: altered bytes (checksum left), shape and dtype edited (checksum redone).
    altered = dict(members)
    altered[coef] = altered[coef][:-8] + np.float64(1e6).tobytes()
    _write("array_altered.skhp", manifest, altered, rehash=False)
    data = members[coef][-96:]
    for name, shape, descr in (("array_wrong_shape.skhp", (4, 3), "<f8"),
                               ("array_wrong_dtype.skhp", (3, 4), "<i8"),
                               ("array_shape_vs_bytes.skhp", (5, 4), "<f8")):
        edited = dict(members)
        edited[coef] = _npy(data, shape, descr)
        _write(name, manifest, edited)
    huge = dict(members)
    huge[coef] = _npy(data, (10**13,), "<f8")
    huge_manifest = json.loads(json.dumps(manifest))
    huge_manifest["members"][coef]["shape"] = [10**13]
    _write("array_shape_1e13.skhp", huge_manifest, huge)

    # Nesting 100,000 deep: hyperparameters, skops schema, a JSON value, a JSON file.
    deep = _nested(100_000)
    hyper = members["hyperparameters.json"].decode().replace('"alpha": 0.0001',
                                                             f'"alpha": {deep}', 1)
    _write("deep_hyperparameters.skhp", manifest,
           dict(members, **{"hyperparameters.json": hyper.encode()}))
    schema = members["schema.json"].decode()
    _write("deep_schema.skhp", manifest, dict(
        members, **{"schema.json": (schema[:-1] + f', "x": {deep}}}').encode()}))
    _write("deep_json_value.skhp", manifest, _edit_json(
        members, "schema.json", lambda s: _find(
            s, lambda n: n.get("__loader__") == "JsonNode").update(content=deep)))
    (HERE / "deep.json").write_text(
        '{"format": "sklearn_hp.hyperparameters/1", "estimator": ' + deep + "}")

    # A gigabyte that nothing refers to: unlisted, and listed in a forged manifest.
    _write("bomb_unlisted.skhp", manifest, members, extra=lambda p: _bomb(p, False))
    listed = json.loads(json.dumps(manifest))
    listed["members"]["bomb.bin"] = {"size": 2**30, "sha256": "0" * 64}
    _write("bomb_listed.skhp", listed, members, rehash=False,
           extra=lambda p: _bomb(p, True))

    # Damaged and foreign files.
    whole = base.read_bytes()
    (HERE / "truncated.skhp").write_bytes(whole[: len(whole) // 2])
    (HERE / "empty.skhp").write_bytes(b"")
    np.save(HERE / "array.npy", np.arange(5.0))
    (HERE / "notes.txt").write_text("my model, version 2\n")
    (HERE / "model.pkl").write_bytes(pickle.dumps(_Marker()))
    for path in (base, pipe_path, search_path):
        path.unlink()


class _Marker:
    """Unpickling this creates the marker file: a pickle runs what it names."""

    def __reduce__(self):
        return (open, (MARKER, "w"))


if __name__ == "__main__":
    main()
