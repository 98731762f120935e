"""Audit a skops ``schema.json`` before skops builds anything from it.

skops already refuses types it does not trust; this audit adds what a model file
must also satisfy: its skops protocol is the one whose node layout is read here
(:mod:`._format`, checked first), every class or function is in *our* registry (so
skops never imports a module the file names on its own), every learned-state name is
a plain data attribute of its class, every array member exists, is referenced, holds
no Python objects and declares a shape that matches its bytes and fits the caps. The
memory skops will take to build every node is added to the load's budget
(:mod:`._costs`) before any array member is read.
"""

import collections
import functools
import io
import json
import math
import zipfile

import numpy as np
from sklearn.base import BaseEstimator

from ._archive import (ModelFileError, UntrustedClassError, check_compression, iter_dicts,
                       json_depth, npy_header)
from ._checks import check_state_keys
from ._costs import node_costs
from ._format import KNOWN_LOADERS, Loader, check_protocol, node_type

__all__ = ["audit_schema", "Audited", "as_array_info"]

_NO_TYPE_LOADERS = (Loader.CACHED, Loader.JSON)
_FILE_LOADERS = (Loader.NDARRAY, Loader.SPARSE_MATRIX, Loader.BYTES, Loader.BYTEARRAY)
_STATE_LOADERS = (Loader.OBJECT, Loader.REDUCE, Loader.TREE, Loader.LOSS)

#: What :func:`audit_schema` found: the classes skops may build, every member the
#: schema refers to (verified bytes) and the schema's nodes, in the order found.
Audited = collections.namedtuple("Audited", "type_names files nodes")


class _Audit:
    def __init__(self, members, registry, limits, where):
        self.members, self.registry, self.limits, self.where = members, registry, limits, where
        self.type_names = set()
        self.files = {}
        self._referenced = []  # (member, loader), read once the budget allows it
        self.nodes = []  # every node, in the order found
        self._npz_sizes = {}
        self._checked = set()  # (member, "npy" or "npz") checked already

    def fail(self, message):
        raise ModelFileError(f"{self.where}: {message}")

    def walk(self, root, node_classes):
        """Audit every node under ``root``; ``node_classes[i]`` owns ``states[i]``.

        Array members are read only after what building every node will take has
        been added to the budget and found within ``max_bytes``.
        """
        self._check_states(root, node_classes)
        by_id = {}
        for node in iter_dicts(root):
            if "__loader__" in node:
                self._node(node)
                self.nodes.append(node)
                if node["__loader__"] != Loader.CACHED and node.get("__id__") is not None:
                    by_id.setdefault(node["__id__"], node)
        budget = getattr(self.members, "budget", None)
        for part, nbytes in node_costs(self, self.nodes, by_id):
            if budget is not None:
                budget.add(part, nbytes)
        if budget is not None:
            budget.check()
        for name, loader in self._referenced:
            self._file(name, loader)

    def member_size(self, name):
        """Decompressed bytes of member ``name`` (which the file must hold)."""
        if not isinstance(name, str) or name not in self.members:
            self.fail(f"the learned parameters refer to member {name!r}, which the file "
                      "does not hold.")
        sizes = getattr(self.members, "size", None)
        return sizes(name) if sizes is not None else len(self.members[name])

    def npz_size(self, name):
        """Decompressed bytes of the arrays inside sparse-matrix member ``name``."""
        if name not in self._npz_sizes:
            self._file(name, Loader.BYTES)  # within the budget: counted as a member
            self._npz_sizes[name] = self._npz_total(self.files[name], name)
        return self._npz_sizes[name]

    def _check_states(self, root, node_classes):
        try:
            states = root["content"]["states"]["content"]
            assert root["__loader__"] == Loader.DICT and isinstance(states, list)
        except (KeyError, TypeError, AssertionError):
            self.fail("the learned parameters lack their 'states' table.")
        if len(states) != len(node_classes):
            self.fail(f"the file holds {len(states)} learned states for "
                      f"{len(node_classes)} estimators.")
        for cls, state in zip(node_classes, states):
            if isinstance(state, dict) and state.get("__loader__") == Loader.DICT:
                check_state_keys(cls, _keys(state, self), f"{self.where}: {cls.__name__}")
            elif not (isinstance(state, dict) and state.get("__loader__") == Loader.JSON
                      and state.get("content") == "null"):
                self.fail(f"the learned state of {cls.__name__} is not a dict of attributes.")

    def _node(self, node):
        loader = node["__loader__"]
        if loader not in KNOWN_LOADERS:
            self.fail(f"unknown skops loader {loader!r}; refusing the file.")
        key = node.get("__id__")
        if key is not None and (isinstance(key, bool) or not isinstance(key, int)):
            self.fail(f"a node has the id {key!r}; skops ids are integers.")
        if loader == Loader.JSON:
            content = node.get("content")
            if not isinstance(content, str):
                self.fail("a JSON value is not a string.")
            depth = json_depth(content)
            if depth > self.limits.max_depth:
                self.fail(f"a JSON value nests {depth} levels deep, over "
                          f"max_depth={self.limits.max_depth}.")
        if loader not in _NO_TYPE_LOADERS:
            name = node_type(node)
            if name not in self.registry:
                raise UntrustedClassError(self.where, name)
            self.type_names.add(name)
        if loader in _STATE_LOADERS:
            content = node.get("content")
            cls = self.registry.get(name)
            if _own_setstate(cls):
                pass  # a compiled type (Tree, KDTree): _learned_checks checks it once built
            elif isinstance(content, dict) and content.get("__loader__") == Loader.DICT:
                check_state_keys(cls, _keys(content, self), f"{self.where}: {name}")
            elif loader == Loader.OBJECT and content is not None and not (
                    isinstance(content, dict) and content.get("content") == "null"):
                self.fail(f"the state of {name} is not a dict of attributes.")
        if loader == Loader.METHOD:
            func = (node.get("content") or {}).get("func")
            if not isinstance(func, str) or func.startswith("_"):
                self.fail(f"method {func!r} of {name} is private; refusing the file.")
        if "file" in node and loader in _FILE_LOADERS:
            self.member_size(node["file"])
            self._referenced.append((node["file"], loader))

    def _file(self, name, loader):
        if name not in self.files:
            self.member_size(name)  # the file holds it
            self.files[name] = self.members[name]  # read once, checksum verified
        kind = {Loader.NDARRAY: "npy", Loader.SPARSE_MATRIX: "npz"}.get(loader)
        if kind is not None and (name, kind) not in self._checked:
            (self._check_npy if kind == "npy" else self._check_npz)(self.files[name], name)
            self._checked.add((name, kind))

    def _check_npy(self, data, name):
        where = f"{self.where}: member {name!r}"
        shape, dtype, offset = npy_header(data, where)
        if dtype.hasobject:
            self.fail(f"member {name!r} is an array of Python objects; refusing it.")
        if dtype.itemsize == 0 and math.prod(shape) > 0:
            self.fail(f"member {name!r} declares {math.prod(shape)} elements of {dtype}, "
                      "which take no bytes; refusing it.")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > self.limits.max_array_bytes:
            self.fail(f"member {name!r} declares shape {shape} of {dtype} ({nbytes} bytes), "
                      f"over max_array_bytes={self.limits.max_array_bytes}.")
        if nbytes != len(data) - offset:
            self.fail(f"member {name!r} declares shape {shape} of {dtype} ({nbytes} bytes) "
                      f"but holds {len(data) - offset} bytes; the file is damaged.")
        listed = self.members.info(name) if hasattr(self.members, "info") else {}
        if "shape" in listed and (listed.get("shape") != list(shape)
                                  or listed.get("dtype") != _descr(dtype)):
            self.fail(f"member {name!r} holds shape {shape} of {dtype}, but the manifest says "
                      f"shape {tuple(listed.get('shape') or ())} of {listed.get('dtype')}.")

    def _npz_total(self, data, name):
        """Decompressed bytes of the arrays in sparse matrix ``data``, read from its
        directory alone (nothing is decompressed)."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            self.fail(f"sparse matrix {name!r} is damaged ({error}).")
        for info in infos:
            check_compression(f"{self.where}: sparse matrix {name!r}", info)
        total = sum(info.file_size for info in infos)
        if total > self.limits.max_array_bytes:
            self.fail(f"sparse matrix {name!r} is {total} bytes decompressed, over "
                      f"max_array_bytes={self.limits.max_array_bytes}.")
        return total

    def _check_npz(self, data, name):
        self.npz_size(name)  # its directory checked
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    with archive.open(info) as member:
                        self._check_npy(member.read(info.file_size + 1), f"{name}/{info.filename}")
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            self.fail(f"sparse matrix {name!r} is damaged ({error}).")


def _own_setstate(cls):
    """Whether ``cls`` restores itself from a non-dict state with its own ``__setstate__``.

    Compiled helper types (e.g. ``KDTree``) do. Their ``__setstate__`` checks only
    dtypes and shapes; the indices in their state are checked by ``_learned_checks``
    once they are built, before anything calls into them.
    """
    own = getattr(cls, "__setstate__", None)
    return own is not None and own is not getattr(BaseEstimator, "__setstate__", None)


def _keys(dict_node, audit):
    content = dict_node.get("content")
    if not isinstance(content, dict):
        audit.fail("a dict in the learned parameters has no content.")
    return list(content)


def audit_schema(schema, node_classes, members, registry, limits, where):
    """Audit ``schema`` (its skops protocol first); return what skops may then build.

    Returns
    -------
    audited : Audited
        ``files`` maps every member the schema references to its verified bytes.
    """
    check_protocol(schema, where)
    audit = _Audit(members, registry, limits, where)
    audit.walk(schema, node_classes)
    return Audited(audit.type_names, audit.files, audit.nodes)


def as_array_info(data):
    """``{"shape": [...], "dtype": "<f8"}`` of ``.npy`` bytes, for the manifest."""
    shape, dtype, _ = npy_header(data, "array")
    return {"shape": list(shape), "dtype": _descr(dtype)}


@functools.lru_cache(maxsize=1024)
def _descr(dtype):
    """The dtype as the manifest's JSON holds it (tuples read back as lists)."""
    return json.loads(json.dumps(np.lib.format.dtype_to_descr(dtype)))
