"""Edit the learned arrays of a model file as a forger would: new values, new checksums.

Used by the hostile fixtures' generator and by the fuzz test. A forged file passes
every checksum and shape check of the container, so only the checks of learned state
stand between it and scikit-learn's compiled code.
"""

import io
import json
import math
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
    """The array held by ``.npy`` bytes, read-only, over those very bytes.

    ``np.load`` from a buffer may copy a structured dtype item by item and lose its
    padding bytes; reading over the bytes keeps every byte as the file has it.
    """
    fmt = np.lib.format
    buffer = io.BytesIO(data)
    version = fmt.read_magic(buffer)
    read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran_order, dtype = read_header(buffer)
    flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=buffer.tell())
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _exact_copy(array):
    """A writable copy of ``array`` byte for byte: ``array.copy()`` may leave the padding
    bytes of a structured dtype (a tree's nodes) uninitialised, so two copies differ."""
    order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
    raw = bytearray(array.tobytes(order=order))
    return np.frombuffer(raw, dtype=array.dtype).reshape(array.shape, order=order)


def npy_bytes(array):
    """``array`` as ``.npy`` bytes, its memory written byte for byte.

    ``np.save`` to a buffer copies items through a buffered iterator that leaves the
    padding of a structured dtype (a tree's nodes) uninitialised, so saving the same
    array twice could give different bytes.
    """
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, np.lib.format.header_data_from_array_1_0(array))
    in_memory_order = array if array.flags.c_contiguous else array.T  # Fortran: its transpose
    out.write(np.ascontiguousarray(in_memory_order).view(np.uint8).tobytes())
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
    array = _exact_copy(load_array(members[name]))
    result = edit(array)
    members = dict(members)
    members[name] = npy_bytes(array if result is None else result)
    return members
