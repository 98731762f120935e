"""The model file's container: a zip of named members listed in a checksummed manifest.

Reading checks, before a byte of any member is decompressed, that the file is a zip,
that its members are exactly those the manifest lists, and that their declared sizes
are within the caps; each member read is then checked against its size and SHA-256.
"""

import contextlib
import hashlib
import io
import json
import re
import zipfile

import numpy as np

__all__ = ["ModelFileError", "Limits", "read_members", "write_members", "parse_json",
           "iter_dicts",
           "npy_header", "MANIFEST"]

MANIFEST = "manifest.json"
_ZIP_MAGIC = b"PK\x03\x04"
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)


class ModelFileError(ValueError):
    """A model file is damaged, foreign, too large or unsafe; nothing was loaded.

    The message names the file and what is wrong with it.
    """


class Limits:
    """Caps on what ``load`` reads.

    Parameters
    ----------
    max_bytes : int
        Total decompressed bytes of all members read.
    max_array_bytes : int
        Decompressed bytes of any one member (array).
    max_depth : int
        Nesting depth of JSON and of estimators inside estimators.
    """

    def __init__(self, max_bytes, max_array_bytes, max_depth):
        for name, value in (("max_bytes", max_bytes), ("max_array_bytes", max_array_bytes),
                            ("max_depth", max_depth)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        self.max_bytes = int(max_bytes)
        self.max_array_bytes = int(max_array_bytes)
        self.max_depth = int(max_depth)


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def write_members(path, members, manifest):
    """Write ``members`` (name -> bytes) and the manifest, with each member's checksum."""
    manifest = dict(manifest)
    manifest["members"] = {
        name: {"size": len(data), "sha256": _digest(data), **manifest.get("members", {})
               .get(name, {})}
        for name, data in members.items()
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        for name, data in members.items():
            # arrays are stored as they are (floats barely compress); JSON is deflated
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED
                             if name.endswith(".npy") else zipfile.ZIP_DEFLATED)


def _describe_foreign(path, head):
    if not head:
        return "is empty"
    if head.startswith(b"\x93NUMPY"):
        return "is a numpy .npy array, not a model file"
    if head[:1] == b"\x80":
        return "is a Python pickle, which is never loaded (it can run any code)"
    if head.lstrip()[:1] in (b"{", b"["):
        return "is JSON but not a model file or hyperparameters file written by save"
    return "is not a model file written by sklearn_hp.persistence.save (not a zip archive)"


@contextlib.contextmanager
def read_members(path, limits, max_manifest_bytes=16 * 2**20):
    """Yield ``(manifest, members)`` after checking the declared sizes.

    ``members[name]`` reads one member and checks its size and SHA-256.

    Raises
    ------
    ModelFileError
        For an empty, foreign, truncated, tampered or too-large file.
    """
    with open(path, "rb") as handle:
        head = handle.read(8)
        if not head.startswith(_ZIP_MAGIC):
            raise ModelFileError(f"{path} {_describe_foreign(path, head)}.")
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ModelFileError(
                f"{path} is truncated or damaged: it starts like a zip archive but its "
                f"directory cannot be read ({error})."
            ) from None
        with archive:
            yield _read_checked(path, archive, limits, max_manifest_bytes)


def _read_checked(path, archive, limits, max_manifest_bytes):
    infos = {info.filename: info for info in archive.infolist()}
    if MANIFEST not in infos:
        raise ModelFileError(f"{path} has no {MANIFEST}; it was not written by save.")
    manifest = parse_json(_read(path, archive, infos[MANIFEST], max_manifest_bytes),
                          f"{path}: {MANIFEST}", limits.max_depth)
    listed = manifest.get("members") if isinstance(manifest, dict) else None
    if not isinstance(listed, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("size"), int) and isinstance(
                v.get("sha256"), str) for v in listed.values()):
        raise ModelFileError(f"{path}: {MANIFEST} lacks a valid 'members' table.")
    extra = sorted(set(infos) - set(listed) - {MANIFEST})
    missing = sorted(set(listed) - set(infos))
    if extra:
        raise ModelFileError(
            f"{path} holds member {extra[0]!r} (declared {infos[extra[0]].file_size} bytes) "
            f"that its manifest does not list; refusing a tampered file."
        )
    if missing:
        raise ModelFileError(f"{path} lacks member {missing[0]!r} listed in its manifest; "
                             "the file is truncated or tampered.")
    total = 0
    for name, entry in listed.items():
        declared = infos[name].file_size
        if declared != entry["size"]:
            raise ModelFileError(
                f"{path}: member {name!r} declares {declared} bytes but the manifest says "
                f"{entry['size']}; refusing a tampered file."
            )
        if declared > limits.max_array_bytes:
            raise ModelFileError(
                f"{path}: member {name!r} is {declared} bytes decompressed, over "
                f"max_array_bytes={limits.max_array_bytes}; raise it if you trust the file."
            )
        total += declared
    if total > limits.max_bytes:
        raise ModelFileError(
            f"{path} is {total} bytes decompressed, over max_bytes={limits.max_bytes}; "
            "raise it if you trust the file."
        )
    return manifest, _LazyMembers(path, archive, infos, listed)


class _LazyMembers:
    """Members read on first use only, each checked against its size and checksum."""

    def __init__(self, path, archive, infos, listed):
        self._path, self._archive, self._infos, self._listed = path, archive, infos, listed

    def __contains__(self, name):
        return name in self._listed

    def __getitem__(self, name):
        entry = self._listed[name]
        data = _read(self._path, self._archive, self._infos[name], entry["size"])
        if len(data) != entry["size"] or _digest(data) != entry["sha256"]:
            raise ModelFileError(
                f"{self._path}: member {name!r} does not match its SHA-256 in the manifest; "
                "the file was altered after saving."
            )
        return data

    def info(self, name):
        """The manifest's entry for member ``name`` (empty if it lists none)."""
        return self._listed.get(name, {})

    def names(self):
        """The member names the manifest lists."""
        return list(self._listed)


def _read(path, archive, info, cap):
    if info.file_size > cap:
        raise ModelFileError(
            f"{path}: member {info.filename!r} is {info.file_size} bytes, over the "
            f"{cap}-byte cap for it."
        )
    try:
        with archive.open(info) as member:
            return member.read(cap + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(
            f"{path}: member {info.filename!r} cannot be read ({error}); the file is "
            "truncated or damaged."
        ) from None


def json_depth(text):
    """The deepest nesting of ``[`` and ``{`` in JSON text (strings skipped)."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    if b"[" not in text and b"{" not in text:
        return 0
    code = np.frombuffer(_STRING.sub(b'""', text), dtype=np.uint8)
    steps = ((code == ord("[")) | (code == ord("{"))).astype(np.int64)
    steps -= (code == ord("]")) | (code == ord("}"))
    return int(np.cumsum(steps).max(initial=0))


def iter_dicts(tree):
    """Every JSON object (dict) inside parsed JSON ``tree``, without recursion."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            stack.extend(item.values())


def parse_json(data, where, max_depth):
    """Parse JSON ``data`` after checking its nesting depth; errors name ``where``."""
    depth = json_depth(data)
    if depth > max_depth:
        raise ModelFileError(
            f"{where} nests {depth} levels deep, over max_depth={max_depth}; refusing it."
        )
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelFileError(f"{where} is not valid JSON ({error}).") from None


def npy_header(data, where):
    """Return ``(shape, dtype, header_length)`` of ``.npy`` bytes without reading the data."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, _, dtype = reader(stream)
    except (ValueError, SyntaxError, TypeError, EOFError) as error:
        raise ModelFileError(f"{where} is not a valid .npy array ({error}).") from None
    return shape, dtype, stream.tell()
