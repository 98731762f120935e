"""The memory skops will take to build each node of a schema, worked out before it runs.

Every node that allocates is priced from the file's declared sizes and from its
arguments read as plain JSON literals, never by building anything:

* an array (``NdArrayNode``): twice the member's size, once per node (a schema may
  point many nodes at one member; each builds its own array). ``load`` builds it with
  one copy of the verified bytes, which stay until every array is built; skops' own
  reader, kept as a fallback, copies them once more and then builds the array;
* a sparse matrix: the member's copy and its arrays, which may be compressed inside it;
* ``bytes`` and ``bytearray`` members (a ``bytearray`` is built through a list of ints);
* a ``Tree``: ``n_outputs`` counts and copies of its node and value arrays;
* random states and generators (a ``SeedSequence`` takes ``pool_size`` words);
* objects skops builds by calling a class with arguments from the file
  (``ConstructorFromReduceNode``, ``LossNode``): only classes whose cost follows from
  their arguments are built that way (builtin values, ``bytes``, ``numpy.ndarray``,
  scikit-learn's loss functions) and classes the caller passed in ``trusted``; any
  other class is refused, since its constructor could take any amount of memory.
"""

import json
import math
import sys

import numpy as np

from ._archive import ModelFileError
from ._format import Loader, node_type

__all__ = ["node_costs", "CALLABLE_CLASSES"]

#: Builtin types skops may call with literal arguments; what they build is no larger
#: than the JSON of their arguments, which is counted already.
_VALUE_TYPES = {f"builtins.{name}" for name in (
    "int", "float", "complex", "bool", "str", "tuple", "list", "set", "frozenset", "dict",
    "slice")}
_BYTE_TYPES = {"builtins.bytes", "builtins.bytearray"}
_NDARRAY = {"numpy.ndarray"}
#: Modules of the loss functions ``LossNode`` builds (their arguments are numbers).
_LOSS_MODULES = ("sklearn._loss._loss", "sklearn.linear_model._sgd_fast")
_RANDOM_STATES = {"numpy.random.mtrand.RandomState", "numpy.random.RandomState"}
_GENERATORS = {"numpy.random._generator.Generator", "numpy.random.Generator"}
#: A RandomState or bit generator and its state: a few kilobytes.
_RANDOM_STATE_BYTES = 8192
#: Classes a file may have built by a call with its own arguments.
CALLABLE_CLASSES = sorted(_VALUE_TYPES | _BYTE_TYPES | _NDARRAY)


class _NotLiteral(Exception):
    pass


def literal(node, by_id, depth=0):
    """The value of a schema node made of JSON values, tuples, lists and dicts only."""
    if depth > 50 or not isinstance(node, dict):
        raise _NotLiteral
    loader = node.get("__loader__")
    if loader == Loader.CACHED:
        return literal(by_id.get(node.get("__id__")), by_id, depth + 1)
    if loader == Loader.JSON:
        try:
            return json.loads(node["content"])
        except (KeyError, TypeError, ValueError):
            raise _NotLiteral from None
    content = node.get("content")
    if loader in (Loader.TUPLE, Loader.LIST) and isinstance(content, list):
        return [literal(item, by_id, depth + 1) for item in content]
    if loader == Loader.DICT and isinstance(content, dict):
        return {key: literal(value, by_id, depth + 1) for key, value in content.items()}
    raise _NotLiteral


def _array_bytes(shape, dtype, where):
    """Bytes of ``numpy.ndarray(shape, dtype)`` from literal arguments."""
    shape = [shape] if isinstance(shape, int) else shape
    if not (isinstance(shape, list) and all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
        raise ModelFileError(f"{where}: a numpy.ndarray is built with shape {shape!r}; "
                             "a shape is a list of non-negative integers.")
    try:
        itemsize = np.dtype(dtype).itemsize if isinstance(dtype, (str, list)) else (
            np.dtype(float).itemsize if dtype is None else None)
    except (TypeError, ValueError):
        itemsize = None
    if itemsize is None:
        raise ModelFileError(f"{where}: a numpy.ndarray is built with dtype {dtype!r}, "
                             "which is not a numpy dtype string.")
    return math.prod(shape) * max(itemsize, 1)


class _Pricer:
    """Prices the nodes of one schema; ``audit`` gives sizes, names and the caps."""

    def __init__(self, audit, by_id):
        self.audit, self.by_id = audit, by_id

    def fail(self, message):
        self.audit.fail(message)

    def args(self, node, name):
        try:
            args = literal(node, self.by_id)
        except _NotLiteral:
            self.fail(f"{name} is built from arguments that are not plain values; "
                      "refusing the file.")
        return args if isinstance(args, list) else [args]

    def array_node(self, node):
        """Cost of an array built from its member: a copy of the bytes, the array."""
        size = self.audit.member_size(node.get("file"))
        name = node_type(node)
        cls = self.audit.registry.get(name)
        if not (cls is np.ndarray or (isinstance(cls, type) and issubclass(cls, np.generic))):
            self.fail(f"an array is turned into {name} by calling it; only numpy arrays "
                      "and numpy scalars are read from array members.")
        # a numpy scalar type called with an array returns a copy of it
        return (2 if cls is np.ndarray else 3) * size

    def call(self, node, loader):
        """Cost of an object skops builds by calling a class with the file's arguments."""
        name = node_type(node)
        if loader == Loader.LOSS:
            if not _is_sklearn_loss(name, self.audit.registry.get(name)):
                self.fail(f"{name} is built as a loss function; only scikit-learn's loss "
                          "functions are.")
            self.args(node.get("__reduce__", {}).get("args"), name)
            return 0
        if name in getattr(self.audit.registry, "_extra_names", ()):
            return 0  # the caller trusts this class, its constructor included
        if name not in _VALUE_TYPES | _BYTE_TYPES | _NDARRAY:
            self.fail(f"{name} is built by calling it with arguments from the file, and "
                      "its memory cannot be known beforehand; only "
                      f"{', '.join(CALLABLE_CLASSES)} are built that way, and classes "
                      "passed in trusted=[...].")
        args = self.args(node.get("content"), name)
        if name in _BYTE_TYPES:
            first = args[0] if args else 0
            return first if isinstance(first, int) and not isinstance(first, bool) else 0
        if name in _NDARRAY:
            nbytes = _array_bytes(args[0] if args else None, args[1] if len(args) > 1 else None,
                                  self.audit.where)
            if nbytes > self.audit.limits.max_array_bytes:
                self.fail(f"a numpy.ndarray of {nbytes:,} bytes (shape {args[0]!r}) is built "
                          f"from arguments in the file, over max_array_bytes="
                          f"{self.audit.limits.max_array_bytes}.")
            return nbytes
        return 0

    def tree(self, node):
        """Tree(n_features, n_classes, n_outputs), then copies of its node and value arrays."""
        args = node.get("__reduce__", {}).get("args", {}).get("content")
        if not isinstance(args, list) or len(args) != 3:
            self.fail("a Tree is built from arguments other than (n_features, n_classes, "
                      "n_outputs).")
        n_outputs = self.args(args[2], "a Tree's n_outputs")[0]
        if not isinstance(n_outputs, int) or isinstance(n_outputs, bool) or n_outputs < 1:
            self.fail(f"a Tree is built with n_outputs={n_outputs!r}; a positive integer "
                      "is accepted.")
        copies = sum(self.audit.member_size(item.get("file"))
                     for item in _array_nodes(node.get("content"), self.by_id))
        return 8 * n_outputs + copies

    def generator(self, node):
        seed_seq = (node.get("content") or {}).get("seed_seq")
        state = self.args(((seed_seq or {}).get("content") or {}).get("pool_size"),
                          "a random generator's pool_size")[0]
        if not isinstance(state, int) or isinstance(state, bool) or state < 0:
            self.fail(f"a random generator's seed sequence has pool_size={state!r}; a "
                      "non-negative integer is accepted.")
        return _RANDOM_STATE_BYTES + 4 * state


def _array_nodes(tree, by_id):
    """Array nodes under ``tree`` that name a member (cached references followed once)."""
    stack, seen = [tree], set()
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if item.get("__loader__") == Loader.CACHED and item.get("__id__") not in seen:
                seen.add(item.get("__id__"))
                stack.append(by_id.get(item.get("__id__")))
            elif item.get("__loader__") == Loader.NDARRAY and "file" in item:
                yield item
            else:
                stack.extend(item.values())


def node_costs(audit, nodes, by_id):
    """Yield ``(part, nbytes)`` for every node of ``nodes`` that allocates.

    ``audit`` gives ``member_size(name)``, ``npz_size(name)``, ``registry``, ``limits``,
    ``where`` and ``fail(message)``; ``by_id`` maps skops ``__id__`` to its node.
    """
    pricer = _Pricer(audit, by_id)
    built = set()  # skops builds a node once per __id__
    for node in nodes:
        loader = node["__loader__"]
        key = (node.get("__id__"), node.get("file"), loader)
        if node.get("__id__") is not None and key in built:
            continue
        built.add(key)
        name = node_type(node)
        if loader == Loader.NDARRAY and node.get("type") == "numpy":
            yield f"member {node.get('file')!r} (its copy and its array)", pricer.array_node(node)
        elif loader == Loader.SPARSE_MATRIX:
            member = node.get("file")
            yield (f"member {member!r} (a sparse matrix)",
                   audit.member_size(member) + 2 * audit.npz_size(member))
        elif loader == Loader.BYTES:
            yield f"member {node.get('file')!r} (bytes)", audit.member_size(node.get("file"))
        elif loader == Loader.BYTEARRAY:  # skops builds it through a list of ints
            yield (f"member {node.get('file')!r} (a bytearray)",
                   10 * audit.member_size(node.get("file")))
        elif loader in (Loader.CONSTRUCTOR, Loader.LOSS):
            yield f"{name} built from arguments", pricer.call(node, loader)
        elif loader == Loader.TREE:
            yield "Tree objects (their copies of the node and value arrays)", pricer.tree(node)
        elif loader == Loader.RANDOM_STATE:
            if name not in _RANDOM_STATES:
                audit.fail(f"{name} is built as a random state; only numpy's RandomState is.")
            yield "random states", _RANDOM_STATE_BYTES
        elif loader == Loader.RANDOM_GENERATOR:
            if name not in _GENERATORS:
                audit.fail(f"{name} is built as a random generator; only numpy's Generator "
                           "is.")
            yield "random generators", pricer.generator(node)
        elif loader == Loader.MASKED_ARRAY:  # a one-element mask is spread to the data's shape
            data = ((node.get("content") or {}).get("data")) or {}
            if data.get("__loader__") == Loader.NDARRAY and "file" in data:
                yield "masked arrays (their masks)", audit.member_size(data["file"])


def _is_sklearn_loss(name, cls):
    """Whether ``name`` resolves to a class defined in one of :data:`_LOSS_MODULES`.

    The class is compared with the modules' own attribute, since scikit-learn < 1.7
    names these Cython classes by the last part of their module ("_loss.CyHalfPoissonLoss").
    """
    if cls is None:
        return False
    modules = (sys.modules.get(module) for module in _LOSS_MODULES)
    return any(module is not None and getattr(module, cls.__name__, None) is cls
               for module in modules) and name.endswith(f".{cls.__name__}")
