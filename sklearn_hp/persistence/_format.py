"""skops' file format as this package reads it, and the private skops functions it uses.

The learned parameters of a model file are skops' ``schema.json`` (a tree of nodes,
each naming in ``__loader__`` the skops class that builds it) and array members.
skops documents no schema, yet ``load`` audits the node tree itself before skops
builds anything (trusted classes, learned-state names, the memory it will take), so
it depends on the layout of one skops protocol. All of that dependence is here:

* :data:`PROTOCOLS`, the skops protocols whose layout the audit was written for,
  checked by :func:`check_protocol` before any node is read: skops 0.13 to 0.16
  write protocol 2; a file in another protocol is refused, and so is a file that
  an installed skops would write in another;
* :class:`Loader` and :data:`KNOWN_LOADERS`, the node types read;
* skops' private save and load functions, used to write and read members in
  memory (no zip archive in between, arrays built once from their verified bytes);
  with a skops version that lacks them where 0.13 to 0.16 have them, skops' public
  ``dumps`` and ``load`` are used instead.
"""

import collections
import functools
import io
import json
import types
import zipfile

import numpy as np

from ._archive import ModelFileError, npy_array
from ._registry import array_namespaces_refused

__all__ = ["PROTOCOLS", "Loader", "KNOWN_LOADERS", "SCHEMA", "check_protocol", "node_type",
           "require_skops", "dump_members", "build"]

#: The skops protocols whose node layout this package reads.
PROTOCOLS = (2,)
#: The skops versions known to write them (for messages).
_WRITERS = "skops 0.13 to 0.16"
SCHEMA = "schema.json"
_MIN_SKOPS = (0, 13)


class Loader:
    """``__loader__`` names of the skops nodes the audit reads (protocol 2)."""

    DICT = "DictNode"
    LIST = "ListNode"
    TUPLE = "TupleNode"
    JSON = "JsonNode"
    CACHED = "CachedNode"
    NDARRAY = "NdArrayNode"
    MASKED_ARRAY = "MaskedArrayNode"
    SPARSE_MATRIX = "SparseMatrixNode"
    BYTES = "BytesNode"
    BYTEARRAY = "BytearrayNode"
    OBJECT = "ObjectNode"
    REDUCE = "ReduceNode"
    TREE = "TreeNode"
    LOSS = "LossNode"
    METHOD = "MethodNode"
    CONSTRUCTOR = "ConstructorFromReduceNode"
    RANDOM_STATE = "RandomStateNode"
    RANDOM_GENERATOR = "RandomGeneratorNode"


#: Every loader a file may name: those above, and those whose nodes are checked as any
#: node is (their class in the registry).
KNOWN_LOADERS = frozenset(
    {value for name, value in vars(Loader).items() if name.isupper()}
    | {"DefaultDictNode", "SetNode", "DTypeNode", "TypeNode", "SliceNode", "FunctionNode",
       "PartialNode", "OperatorFuncNode", "_DictWithDeprecatedKeysNode"})


def check_protocol(schema, where):
    """Refuse a schema not written in one of :data:`PROTOCOLS`.

    Raises
    ------
    ModelFileError
        Naming the protocol found and those read.
    """
    found = schema.get("protocol", "none") if isinstance(schema, dict) else "none"
    if isinstance(found, bool) or found not in PROTOCOLS:
        read = " and ".join(map(str, PROTOCOLS))
        raise ModelFileError(
            f"{where}: its learned parameters are in skops protocol {found!r}; this version "
            f"of sklearn_hp reads skops protocol {read} (written by {_WRITERS}).")


def node_type(node):
    """The ``"module.Class"`` a node names."""
    return f"{node.get('__module__')}.{node.get('__class__')}"


def require_skops():
    """``skops.io``, or an ``ImportError`` saying how to install a safe version."""
    try:
        import skops

        with array_namespaces_refused():  # skops.io calls all_estimators() on import
            import skops.io
    except ImportError:
        raise ImportError(
            "Saving and loading whole models needs skops: pip install 'sklearn_hp[persist]' "
            "(hyperparameters alone, what='hyperparameters', do not)."
        ) from None
    version = tuple(int(part) for part in skops.__version__.split(".")[:2] if part.isdigit())
    if version < _MIN_SKOPS:
        raise ImportError(f"skops {skops.__version__} is installed; saving and loading models "
                          "needs skops 0.13 or later (earlier versions have code-execution "
                          "vulnerabilities): pip install -U 'skops>=0.13'.")
    return skops.io


class _Members(dict):
    """Members skops writes or reads, held in memory: ``writestr``, ``namelist`` and
    ``read`` of a zip archive, without one (no copy or compression of array bytes)."""

    def writestr(self, name, data):
        self[name] = data if isinstance(data, bytes) else memoryview(data).cast("B")

    def namelist(self):
        return self.keys()

    def read(self, name):
        return self[name]


@functools.lru_cache(maxsize=1)
def _internals():
    """skops' private state and node functions, or None if this skops version does not
    have them where 0.13 to 0.16 do (its public ``dumps`` and ``load`` are used)."""
    require_skops()  # registers skops' node types
    try:
        from skops.io._audit import Node, audit_tree, get_tree
        from skops.io._utils import LoadContext, SaveContext, get_state
    except ImportError:  # another skops layout: the public functions are used
        return None
    return types.SimpleNamespace(audit_tree=audit_tree, get_tree=get_tree,
                                 LoadContext=LoadContext, SaveContext=SaveContext,
                                 get_state=get_state, BuiltArray=_built_node_class(Node))


def dump_members(obj):
    """``{member name: bytes}`` of ``obj`` in skops format, ``schema.json`` included."""
    internals = _internals()
    if internals is None:
        return _unzip(require_skops().dumps(obj))
    import skops

    members = _Members()
    context = internals.SaveContext(zip_file=members)
    state = internals.get_state(obj, context)
    context.clear_memo()
    state["protocol"] = context.protocol
    state["_skops_version"] = skops.__version__
    # compact: skops indents it, which takes json's pure-Python encoder (a third of
    # a small model's save); deflated, the file is within 0.5 % of the same size
    members[SCHEMA] = json.dumps(state, separators=(",", ":")).encode()
    return dict(members)


def _unzip(blob):
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def build(schema, audited, where):
    """Build what ``schema`` describes, once :func:`~._schema.audit_schema` passed it.

    ``audited`` gives ``type_names`` (the classes skops may build), ``files`` (every
    member the schema refers to, verified bytes, dropped as they are used) and
    ``nodes`` (the schema's nodes).

    Raises
    ------
    ModelFileError
        If skops cannot build it.
    """
    internals = _internals()
    trusted = sorted(audited.type_names)
    try:
        if internals is None:
            return _load_zip(schema, audited.files, trusted)
        context = internals.LoadContext(src=_Members(audited.files),
                                        protocol=schema["protocol"])
        _prebuild_arrays(audited, context, trusted, internals.BuiltArray, where)
        tree = internals.get_tree(schema, context, trusted=trusted)
        internals.audit_tree(tree, trusted=trusted)
        return tree.construct()
    except ModelFileError:
        raise
    except Exception as error:
        raise ModelFileError(f"{where}: the learned parameters cannot be rebuilt "
                             f"({type(error).__name__}: {error}).") from None


def _load_zip(schema, files, trusted):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(SCHEMA, json.dumps(schema))
        for name in list(files):  # moved, not copied: the budget counts one copy
            archive.writestr(name, files.pop(name))
    buffer.seek(0)
    return require_skops().load(buffer, trusted=trusted)


def _built_node_class(node_class):
    """A skops node that stands for an array built here: it constructs to the array,
    and skops' audit checks its type against ``trusted`` like any node's."""

    class BuiltArray(node_class):
        def __init__(self, value, module, cls, trusted):  # no state to read
            self.module_name, self.class_name = module, cls
            self.trusted = trusted
            self.children = {}
            self._constructed = value

        def _construct(self):
            return self._constructed

    return BuiltArray


def _prebuild_arrays(audited, context, trusted, built_node, where):
    """Build every array member of the audited schema once, here, and point its node
    at the result: skops would read each through ``numpy.load``, parsing its header
    again and copying its bytes twice. A node becomes a ``CachedNode`` of its own
    ``__id__`` (a fresh one if it has none), so references to it still resolve; its
    class (``numpy.ndarray`` or a numpy scalar type, the audit allows nothing else) is
    applied to the array as skops does, and skops' audit still sees it against
    ``trusted``."""
    nodes = [node for node in audited.nodes
             if node["__loader__"] == Loader.NDARRAY and node.get("type") == "numpy"]
    used = {node.get("__id__") for node in audited.nodes}
    nodes_per_member = collections.Counter(node["file"] for node in nodes)
    files, arrays, fresh = audited.files, {}, -1
    for node in nodes:
        name, key = node["file"], node.get("__id__")
        if name not in arrays:
            arrays[name] = npy_array(files[name], f"{where}: member {name!r}")
        value = _as_node_type(arrays[name], nodes_per_member[name] > 1, node, where)
        if key is None:
            while fresh in used:
                fresh -= 1
            key, fresh = fresh, fresh - 1
        module, cls = node.get("__module__"), node.get("__class__")
        context.memoize(built_node(value, module, cls, trusted), key)
        node.clear()
        node.update({"__class__": cls, "__module__": module, "__loader__": Loader.CACHED,
                     "__id__": key})
    for name in arrays:  # their bytes are no longer needed
        files.pop(name, None)


def _as_node_type(array, shared, node, where):
    """``array`` as an array node's class builds it: an array (its own, as skops builds
    one per node) or a numpy scalar type called with it."""
    module, cls = node.get("__module__"), node.get("__class__")
    if (module, cls) == ("numpy", "ndarray"):
        return array.copy() if shared else array
    scalar = getattr(np, cls, None) if module == "numpy" and isinstance(cls, str) else None
    if not (isinstance(scalar, type) and issubclass(scalar, np.generic)):
        raise ModelFileError(f"{where}: an array member is turned into {module}.{cls}; only "
                             "numpy arrays and numpy scalars are read from array members.")
    return scalar(array)
