"""Edit the learned arrays of a model file as a forger would: new values, new checksums.

Used by the hostile fixtures' generator and by the fuzz test. A forged file passes
every checksum and shape check of the container, so only the checks of learned state
stand between it and scikit-learn's compiled code.
"""

import io
import json
import zipfile

import numpy as np

from sklearn_hp.persistence._archive import write_members
from sklearn_hp.persistence._schema import as_array_info


def read_model(path):
    """``(manifest, members)`` of a model file; ``members`` maps names to bytes."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(members.pop("manifest.json")), members


def write_model(path, manifest, members):
    """Write ``members`` with a manifest whose sizes, checksums and shapes match them."""
    listed = {name: as_array_info(data) for name, data in members.items()
              if name.endswith(".npy")}
    write_members(path, members, dict(manifest, members=listed))


def load_array(data):
    """The array held by ``.npy`` bytes."""
    return np.load(io.BytesIO(data), allow_pickle=False)


def npy_bytes(array):
    """``array`` as ``.npy`` bytes."""
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def files_under(members, key):
    """The array members under the first learned attribute called ``key``, in order."""
    stack = [json.loads(members["schema.json"])]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            content = node.get("content")
            if node.get("__loader__") == "DictNode" and isinstance(content, dict) \
                    and key in content:
                return _files(content[key])
            stack.extend(reversed(list(node.values())))
    raise LookupError(f"no learned attribute {key!r}")


def _files(node):
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "file" in item and item.get("__loader__") == "NdArrayNode":
                found.append(item["file"])
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return list(dict.fromkeys(found))


def edit_array(members, name, edit):
    """A copy of ``members`` with array ``name`` replaced by ``edit(copy_of_array)``."""
    array = load_array(members[name]).copy()
    result = edit(array)
    members = dict(members)
    members[name] = npy_bytes(array if result is None else result)
    return members
