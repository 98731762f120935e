"""The model file's container: a zip of named members listed in a checksummed manifest.

Reading checks, before a byte of any member is decompressed, that the file is a zip,
that its members are exactly those the manifest lists, stored or deflated (the only
methods ``save`` writes: no bzip2 or lzma, whose decompressors have no output bound),
that their declared sizes are possible for their compressed sizes and within the caps;
each member read is then checked against its size and SHA-256. A :class:`Budget` adds
up the memory a load will take before it is taken.
"""

import contextlib
import functools
import hashlib
import io
import json
import math
import os
import zipfile

import numpy as np

__all__ = ["ModelFileError", "UntrustedClassError", "fail", "Limits", "Budget", "load_limits",
           "DEFAULT_SIZE_FACTOR", "DEFAULT_FLOOR", "DEFAULT_CEILING", "read_members",
           "write_members", "parse_json", "iter_dicts", "npy_header", "npy_array",
           "check_compression",
           "MANIFEST", "JSON_FACTOR"]

MANIFEST = "manifest.json"
_ZIP_MAGIC = b"PK\x03\x04"
#: Bytes of Python objects per byte of JSON, at most, once it is parsed, turned into
#: skops nodes and built: measured on hostile files at 16 to 19 (lists of minimal
#: nodes) and 28 (a JSON value of empty lists); real files take 10 to 15.
JSON_FACTOR = 32
#: ``load``'s default ``max_bytes``: min(DEFAULT_CEILING, DEFAULT_FLOOR +
#: DEFAULT_SIZE_FACTOR * file size). Models ``save`` writes count 3 to 41 times their
#: size, and a 250 kB search of 2,000 candidates 574 times (its JSON deflates 63:1);
#: see ``load``'s docstring.
DEFAULT_SIZE_FACTOR = 1024
DEFAULT_FLOOR = 32 * 2**20
DEFAULT_CEILING = 2**31
#: Deflate's largest expansion is 1032:1; a header declaring more is forged.
_DEFLATE_RATIO = 1032
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated",
            zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


class ModelFileError(ValueError):
    """A model file is damaged, foreign, too large or unsafe; nothing was loaded.

    The message names the file and what is wrong with it.
    """


def fail(where, message):
    """Raise a :class:`ModelFileError` saying ``"{where}: {message}"``."""
    raise ModelFileError(f"{where}: {message}")


class UntrustedClassError(ModelFileError):
    """A model file holds a class outside the trusted registry; nothing was imported.

    Parameters
    ----------
    where : str
        The file (and part of it) that names the class.
    class_name : str
        The class's import path, as the file gives it; kept as ``class_name``.
    """

    def __init__(self, where, class_name):
        self.class_name = class_name
        super().__init__(
            f"{where}: {class_name!r} is not in the trusted registry (scikit-learn, "
            "sklearn_hp, numpy, scipy and trusted=[...]); refusing it without importing "
            "anything. Pass trusted=[ThatClass] if you trust this file.")


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
    origin : str, default=""
        How ``max_bytes`` was chosen, for error messages (e.g. the default's formula).
    """

    def __init__(self, max_bytes, max_array_bytes, max_depth, origin=""):
        for name, value in (("max_bytes", max_bytes), ("max_array_bytes", max_array_bytes),
                            ("max_depth", max_depth)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        self.max_bytes = int(max_bytes)
        self.max_array_bytes = int(max_array_bytes)
        self.max_depth = int(max_depth)
        self.origin = origin


class Budget:
    """The memory a load will take, added up part by part before any part is taken.

    Parameters
    ----------
    limits : Limits
        Its ``max_bytes`` is the cap on the sum.
    where : str
        The file, for messages.
    """

    def __init__(self, limits, where):
        self.limits, self.where = limits, where
        self.total = 0
        self._parts = {}

    def add(self, part, nbytes):
        """Count ``nbytes`` for ``part`` (a description such as ``"member 'x.npy'"``)."""
        nbytes = int(nbytes)
        self.total += nbytes
        self._parts[part] = self._parts.get(part, 0) + nbytes

    def check(self):
        """Raise :class:`ModelFileError` if the sum so far is over ``max_bytes``."""
        cap = self.limits.max_bytes
        if self.total <= cap:
            return
        part, nbytes = max(self._parts.items(), key=lambda item: item[1])
        origin = f" ({self.limits.origin})" if self.limits.origin else ""
        raise ModelFileError(
            f"{self.where}: loading it would take {self.total:,} bytes of memory, over "
            f"max_bytes={cap:,}{origin}; the largest part is {part}, {nbytes:,} bytes. "
            f"If you trust the file, pass load(..., max_bytes={_round_up(self.total)})."
        )


def _round_up(nbytes):
    """``nbytes`` rounded up to two significant digits, written as a number."""
    scale = 10 ** max(len(str(nbytes)) - 2, 0)
    return -(-nbytes // scale) * scale


def check_compression(where, info):
    """Refuse a zip member compressed otherwise than ``save`` writes, or whose header
    declares more bytes than its compressed bytes can hold."""
    method = info.compress_type
    if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelFileError(
            f"{where}: member {info.filename!r} is compressed with "
            f"{_METHODS.get(method, f'method {method}')}; only stored and deflated "
            "members are read (their expansion is bounded); refusing the file."
        )
    bound = info.compress_size if method == zipfile.ZIP_STORED else (
        _DEFLATE_RATIO * info.compress_size + 64)
    if info.file_size > bound:
        raise ModelFileError(
            f"{where}: member {info.filename!r} declares {info.file_size:,} bytes from "
            f"{info.compress_size:,} {_METHODS[method]} bytes, more than "
            f"{_METHODS[method]} data can hold; the header is forged."
        )


def load_limits(path, max_bytes, max_array_bytes, max_depth):
    """:class:`Limits` of a load of ``path``; ``max_bytes=None`` picks the default from
    the file's size."""
    if max_bytes is not None:
        return Limits(max_bytes, max_array_bytes, max_depth)
    size = os.path.getsize(path)
    max_bytes = min(DEFAULT_CEILING, DEFAULT_FLOOR + DEFAULT_SIZE_FACTOR * size)
    return Limits(max_bytes, max_array_bytes, max_depth,
                  origin=f"the default for a {size:,}-byte file: 32 MiB + "
                         f"{DEFAULT_SIZE_FACTOR} times its size, at most 2 GiB")


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
    budget = Budget(limits, str(path))
    check_compression(path, infos[MANIFEST])
    budget.add(f"member {MANIFEST!r} parsed", infos[MANIFEST].file_size * JSON_FACTOR)
    budget.check()
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
        # JSON becomes Python objects (and skops nodes) several times its size
        budget.add(f"member {name!r}" + (" parsed" if name.endswith(".json") else ""),
                   declared * (JSON_FACTOR if name.endswith(".json") else 1))
    budget.check()
    for name in listed:
        check_compression(path, infos[name])
    return manifest, _LazyMembers(path, archive, infos, listed, budget)


class _LazyMembers:
    """Members read on first use only, each checked against its size and checksum."""

    def __init__(self, path, archive, infos, listed, budget):
        self._path, self._archive, self._infos, self._listed = path, archive, infos, listed
        #: what the load will take, counted so far (members, then what is built)
        self.budget = budget

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

    def size(self, name):
        """The decompressed size member ``name`` declares (checked against the manifest)."""
        return self._infos[name].file_size


def _read(path, archive, info, cap):
    if info.file_size > cap:
        raise ModelFileError(
            f"{path}: member {info.filename!r} is {info.file_size} bytes, over the "
            f"{cap}-byte cap for it."
        )
    check_compression(path, info)
    try:
        # Stored or deflated only: zipfile inflates with an output bound of what is
        # asked (cap + 1) and stops at the declared size, so a header that lies about
        # the size cannot make this read allocate more than the cap.
        with archive.open(info) as member:
            return member.read(cap + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(
            f"{path}: member {info.filename!r} cannot be read ({error}); the file is "
            "truncated or damaged."
        ) from None


def json_depth(text, chunk=2**20):
    """The deepest nesting of ``[`` and ``{`` in JSON text (brackets in strings skipped).

    Counted with numpy a chunk at a time (a regular expression over strings takes
    about a hundred bytes per character of a long string), so it takes a few bytes per
    byte of ``chunk``, whatever the text.
    """
    if isinstance(text, str):
        if "[" not in text and "{" not in text:
            return 0
        text = text.encode("utf-8", "surrogatepass")
    if b"[" not in text and b"{" not in text:
        return 0
    data = np.frombuffer(text, dtype=np.uint8)
    depth = deepest = 0
    quotes = 0  # unescaped quotes so far: odd inside a string
    backslashes = 0  # length of the run of backslashes ending the previous chunk
    for start in range(0, len(data), chunk):
        part = data[start:start + chunk]
        positions = np.arange(len(part), dtype=np.int32)
        is_backslash = part == ord("\\")
        last_other = np.where(is_backslash, -1, positions)
        np.maximum.accumulate(last_other, out=last_other)
        # backslashes right before each byte: an odd run escapes it
        run = np.empty(len(part), dtype=np.int32)
        run[0] = backslashes
        run[1:] = positions[:-1] - last_other[:-1]
        run[1:][last_other[:-1] < 0] += backslashes
        quote = (part == ord('"')) & (run % 2 == 0)
        outside = (np.cumsum(quote, dtype=np.int32) + quotes) % 2 == 0
        steps = (((part == ord("[")) | (part == ord("{"))) & outside).astype(np.int32)
        steps -= ((part == ord("]")) | (part == ord("}"))) & outside
        levels = np.cumsum(steps, out=steps)
        deepest = max(deepest, depth + int(levels.max(initial=0)))
        depth += int(levels[-1])
        quotes += int(quote.sum())
        backslashes = (len(part) - 1 - int(last_other[-1])) + (
            backslashes if last_other[-1] < 0 else 0)
    return deepest


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
    """Return ``(shape, dtype, header_length)`` of ``.npy`` bytes without reading the data.

    Only the header's bytes are looked at (no copy of the data, which may be a
    memoryview), and a header seen before is not parsed again: the trees of one model
    share a few headers among thousands of arrays.
    """
    return _npy_parts(data, where)[:3]


def _npy_parts(data, where):
    head = bytes(data[:12])
    if len(head) >= 10 and head[6:7] == b"\x01":
        end = 10 + int.from_bytes(head[8:10], "little")
    elif len(head) >= 12:
        end = 12 + int.from_bytes(head[8:12], "little")
    else:
        end = len(head)
    try:
        # numpy refuses headers over 10,000 bytes: a longer one is cut and refused
        return _parse_npy_header(bytes(data[:min(end, 12 + _MAX_NPY_HEADER)]))
    except (ValueError, SyntaxError, TypeError, EOFError) as error:
        raise ModelFileError(f"{where} is not a valid .npy array ({error}).") from None


_MAX_NPY_HEADER = 10_000


@functools.lru_cache(maxsize=4096)
def _parse_npy_header(head):
    stream = io.BytesIO(head)
    version = np.lib.format.read_magic(stream)
    reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
              else np.lib.format.read_array_header_2_0)
    shape, fortran_order, dtype = reader(stream)
    return shape, dtype, stream.tell(), fortran_order


def npy_array(data, where):
    """The array in ``.npy`` bytes ``data`` (a checked header, no Python objects): one
    writable copy, built without numpy's reader (which parses every header again)."""
    shape, dtype, offset, fortran_order = _npy_parts(data, where)
    flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=offset)
    return flat.reshape(shape, order="F" if fortran_order else "C").copy(order="K")
