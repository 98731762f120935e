"""``save`` and ``load``: one ``.skhp`` file, hyperparameters apart from learned parameters.

A model file is a zip archive of

* ``manifest.json``: format, library versions, and the size and SHA-256 of every member
  (shape and dtype of every array too);
* ``hyperparameters.json``: every estimator's class and hyperparameters, readable JSON;
* ``schema.json`` and ``*.npy``: the learned parameters in skops format (each
  estimator's ``__getstate__`` without its hyperparameters), arrays in numpy format.
"""

import collections
import copy
import functools
import json
import platform
import types
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.utils.metadata_routing import MetadataRequest

from .. import __version__
from .._stacklevel import user_stacklevel
from ._archive import (Limits, ModelFileError, iter_dicts, load_limits, npy_array,
                       parse_json, read_members, write_members)
from ._checks import check_loaded, path_settings
from ._hyperparameters import Encoder, decode_tree, node_classes
from ._learned_checks import check_learned
from ._registry import Registry
from ._routing import REQUESTS, plain_requests, restore_requests, without_requests
from ._schema import as_array_info, audit_schema

__all__ = ["save", "load", "FORMAT", "HYPERPARAMETERS_FORMAT", "EXTENSION"]

FORMAT = "sklearn_hp.model/2"
HYPERPARAMETERS_FORMAT = "sklearn_hp.hyperparameters/1"
EXTENSION = ".skhp"
_HP = "hyperparameters.json"
_SCHEMA = "schema.json"
_DEFAULT_MAX_BYTES = 2**31
_DEFAULT_MAX_DEPTH = 200
_MIN_SKOPS = (0, 13)


def _skops_io():
    try:
        import skops
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


def _versions():
    versions = {"sklearn_hp": __version__, "scikit-learn": sklearn.__version__,
                "numpy": np.__version__, "scipy": scipy.__version__,
                "python": platform.python_version()}
    try:
        from importlib.metadata import version

        versions["skops"] = version("skops")
    except Exception:  # skops absent: a hyperparameters-only file
        pass
    return versions


def _neutralise_path(where, value):
    warnings.warn(
        f"{where}={value!r} is saved as None: a cache or checkpoint directory is not part "
        "of a model, and a loaded file may not point the estimator at files.",
        UserWarning, stacklevel=user_stacklevel(),
    )
    return None


def _without_paths(learned):
    """``learned``, deep-copied with its path-valued settings set to None if it has any."""
    if not path_settings(learned, "the model", _DEFAULT_MAX_DEPTH):
        return learned
    learned = copy.deepcopy(learned)
    for estimator, name, value in path_settings(learned, "the model", _DEFAULT_MAX_DEPTH):
        _neutralise_path(f"{type(estimator).__name__}.{name}", value)
        setattr(estimator, name, None)
    return learned


def _learned_state(obj, params):
    state = obj.__getstate__() if hasattr(obj, "__getstate__") else vars(obj)
    if not isinstance(state, dict):
        raise TypeError(f"{type(obj).__name__}.__getstate__() returned a "
                        f"{type(state).__name__}; only a dict of attributes is saved.")
    learned = {k: v for k, v in state.items()
               if k not in params and not (k.startswith("__") and k.endswith("__"))}
    if isinstance(learned.get(REQUESTS), MetadataRequest):  # refers back to obj
        learned[REQUESTS] = plain_requests(learned[REQUESTS])
    return learned or None


def save(estimator, path, what="model", trusted=()):
    """Save an estimator (fitted or not, pipelines included) without pickle.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn or sklearn_hp estimator, or any object with ``get_params``.
    path : str or path-like
        Destination file. ``.skhp`` is the natural extension of a model, ``.json`` of
        hyperparameters alone.
    what : {"model", "hyperparameters"}, default="model"
        ``"model"`` writes hyperparameters and learned parameters (needs skops, the
        ``persist`` extra); ``"hyperparameters"`` writes a small JSON file that re-creates
        the unfitted estimator, ready for version control.
    trusted : list of classes or functions, default=()
        Classes outside scikit-learn and sklearn_hp the model holds; the file is checked
        as :func:`load` will check it, so an unloadable file is never written.

    Raises
    ------
    TypeError
        If a value cannot be saved safely (with ``what="hyperparameters"``, any value
        JSON cannot express, such as a function).
    sklearn_hp.persistence.ModelFileError
        If ``load`` would refuse the file (an untrusted class, a path-valued setting).
    """
    if what not in ("model", "hyperparameters"):
        raise ValueError(f"what must be 'model' or 'hyperparameters'; got {what!r}.")
    if what == "hyperparameters":
        tree = Encoder(False, _neutralise_path).node(estimator, type(estimator).__name__)
        document = {"format": HYPERPARAMETERS_FORMAT, "versions": _versions(),
                    "estimator": tree}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, allow_nan=False)
            handle.write("\n")
        return
    skops_io = _skops_io()
    encoder = Encoder(True, _neutralise_path)
    tree = encoder.node(estimator, type(estimator).__name__)
    states = [_learned_state(obj, obj.get_params(deep=False)) for obj in encoder.nodes]
    try:
        learned = without_requests({"states": states, "values": encoder.values},
                                   _DEFAULT_MAX_DEPTH)
        members = _skops_members(skops_io, _without_paths(learned))
    except Exception as error:
        raise TypeError(f"Cannot save {type(estimator).__name__}: skops cannot write one "
                        f"of its values ({error}).") from None
    members[_HP] = json.dumps(tree, indent=1, allow_nan=False).encode()
    manifest = {"format": FORMAT, "versions": _versions(), "estimator": tree["class"],
                "members": {name: as_array_info(data) for name, data in members.items()
                            if name.endswith(".npy")}}
    registry = Registry(trusted)
    limits = Limits(_DEFAULT_MAX_BYTES, _DEFAULT_MAX_BYTES, _DEFAULT_MAX_DEPTH)
    schema = parse_json(members[_SCHEMA], f"{path}: {_SCHEMA}", limits.max_depth)
    audit_schema(schema, node_classes(tree, registry, str(path)), members, registry, limits,
                 str(path))
    write_members(path, members, manifest)


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
def _skops_internals():
    """skops' state and node functions, to write and read members in memory; None if
    this skops version does not have them where 0.13 to 0.16 do (the zip path is used)."""
    try:
        from skops.io._audit import Node, audit_tree, get_tree
        from skops.io._protocol import PROTOCOL
        from skops.io._utils import LoadContext, SaveContext, get_state
    except ImportError:  # pragma: no cover - another skops layout
        return None
    return types.SimpleNamespace(audit_tree=audit_tree, get_tree=get_tree, PROTOCOL=PROTOCOL,
                                 LoadContext=LoadContext, SaveContext=SaveContext,
                                 get_state=get_state, BuiltArray=_built_node_class(Node))


def _skops_members(skops_io, obj):
    """``{member name: bytes}`` of ``obj`` in skops format, ``schema.json`` included."""
    internals = _skops_internals()
    if internals is None:  # pragma: no cover - another skops layout
        return _unzip(skops_io.dumps(obj))
    members = _Members()
    context = internals.SaveContext(zip_file=members)
    state = internals.get_state(obj, context)
    context.clear_memo()
    state["protocol"] = context.protocol
    state["_skops_version"] = _skops_version()
    # as skops writes it (the memory load counts per byte was measured on this layout)
    members[_SCHEMA] = json.dumps(state, indent=2).encode()
    return dict(members)


def _skops_version():
    import skops

    return skops.__version__


def _unzip(blob):  # pragma: no cover - another skops layout
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def load(path, *, trusted=(), max_bytes=None, max_array_bytes=_DEFAULT_MAX_BYTES,
         max_depth=_DEFAULT_MAX_DEPTH):
    """Load an estimator written by :func:`save`, refusing anything unsafe first.

    No pickle is read and nothing the file names is imported: classes come from an
    explicit registry (scikit-learn's estimators and helper types, sklearn_hp's
    estimators and building blocks, numpy and scipy types, and ``trusted``).
    Hyperparameters are validated with each class's own constraints; ``memory``
    caches, path-valued settings and unreasonable ``n_jobs`` are refused; learned
    state may only set data attributes; sizes, shapes and checksums are checked
    before arrays are read.

    The memory a load will take is added up before any of it is taken: every
    member's decompressed bytes (JSON counted 32 times, the most its parsed objects
    and skops nodes were measured to take), and what skops builds from them (each
    array twice: the member's bytes and the array, once per reference; sparse
    matrices, byte strings, trees, random generators; objects built by calling a class
    with the file's arguments, only for classes whose cost follows from them).
    Members are stored or deflated only, and a deflated header may not declare more
    than deflate can expand, so a lying header cannot make a read exceed the count.

    Parameters
    ----------
    path : str or path-like
        A model file (``.skhp``) or a hyperparameters file (``.json``) written by
        :func:`save`.
    trusted : list of classes or functions, default=()
        Further classes the file may hold, e.g. your own estimator.
    max_bytes : int, default=None
        Cap on the memory the load takes, as counted above (an upper bound: the peak
        measured on real files is a third of it to all of it). ``None`` caps it
        relative to the file's size:
        ``min(2 GiB, 32 MiB + 1024 * file size)``. Models ``save`` writes count 3 to 41
        times their size (k-nearest neighbours 3 times, a random forest of 300 trees
        14, a histogram gradient boosting model 41; arrays are stored uncompressed);
        only JSON-heavy small files count more (a 250 kB search over 2,000 candidates
        574 times), so a small file that would expand further is refused. Pass a
        number to load a larger model.
    max_array_bytes : int, default=2**31
        Cap on the decompressed size of any one array.
    max_depth : int, default=200
        Cap on the nesting depth of JSON and of estimators.

    Returns
    -------
    estimator : estimator object

    Raises
    ------
    sklearn_hp.persistence.ModelFileError
        (a ``ValueError``) for an empty, truncated, foreign, tampered, too large or
        unsafe file; the message names the file and what is wrong.
    """
    limits = load_limits(path, max_bytes, max_array_bytes, max_depth)
    registry = Registry(trusted)
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip()
    if head.startswith(b"{"):
        return _load_hyperparameters(path, registry, limits)
    skops_io = _skops_io()
    with read_members(path, limits) as (manifest, members):
        if manifest.get("format") != FORMAT:
            raise ModelFileError(f"{path} has format {manifest.get('format')!r}; this version "
                                 f"reads {FORMAT!r}.")
        for name in (_HP, _SCHEMA):
            if name not in members:
                raise ModelFileError(f"{path} lacks its {name}; the file is damaged.")
        tree = parse_json(members[_HP], f"{path}: {_HP}", limits.max_depth)
        schema_data = members[_SCHEMA]  # each read decompresses and hashes the member
        schema = parse_json(schema_data, f"{path}: {_SCHEMA}", limits.max_depth)
        classes = node_classes(tree, registry, str(path))
        type_names, files = audit_schema(schema, classes, members, registry, limits, str(path))
        unreferenced = sorted(set(members.names()) - set(files) - {_HP, _SCHEMA})
        if unreferenced:
            raise ModelFileError(f"{path} holds member {unreferenced[0]!r} that nothing "
                                 "refers to; refusing a tampered file.")
        del schema_data
        learned = _skops_load(skops_io, path, schema, files, type_names)
        del files, schema
    context = types.SimpleNamespace(registry=registry, where=str(path), max_depth=max_depth,
                                    states=learned["states"], values=learned["values"])
    estimator = decode_tree(tree, context)
    restore_requests(estimator, str(path), max_depth)
    check_loaded(estimator, str(path), max_depth)
    check_learned(estimator, str(path), max_depth)  # before anything calls into it
    return estimator


def _skops_load(skops_io, path, schema, files, type_names):
    """Build what ``schema`` (audited) describes from ``files`` (verified bytes)."""
    internals = _skops_internals()
    try:
        if internals is None:  # pragma: no cover - another skops layout
            learned = _skops_load_zip(skops_io, schema, files, type_names)
        else:
            protocol = schema.get("protocol")
            if isinstance(protocol, bool) or not 0 <= protocol <= internals.PROTOCOL:
                raise ValueError(f"skops protocol {protocol!r}; this skops reads 0 to "
                                 f"{internals.PROTOCOL}")
            trusted = sorted(type_names)
            context = internals.LoadContext(src=_Members(files), protocol=protocol)
            _prebuild_arrays(schema, files, context, trusted, internals.BuiltArray, str(path))
            tree = internals.get_tree(schema, context, trusted=trusted)
            internals.audit_tree(tree, trusted=trusted)
            learned = tree.construct()
    except ModelFileError:
        raise
    except Exception as error:
        raise ModelFileError(f"{path}: the learned parameters cannot be rebuilt "
                             f"({type(error).__name__}: {error}).") from None
    if not (isinstance(learned, dict) and isinstance(learned.get("states"), list)
            and isinstance(learned.get("values"), list)):
        raise ModelFileError(f"{path}: the learned parameters are not a states/values table.")
    return learned


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


def _prebuild_arrays(schema, files, context, trusted, built_node, where):
    """Build every array member of the (audited) schema once, here, and point its node
    at the result: skops would read each through ``numpy.load``, parsing its header
    again and copying its bytes twice. A node becomes a ``CachedNode`` of its own
    ``__id__`` (a fresh one if it has none), so references to it still resolve; its
    class (``numpy.ndarray`` or a numpy scalar type, the audit allows nothing else) is
    applied to the array as skops does, and skops' audit still sees it against
    ``trusted``."""
    nodes = [node for node in iter_dicts(schema)
             if node.get("__loader__") == "NdArrayNode" and node.get("type") == "numpy"]
    if not nodes:
        return
    used = {node.get("__id__") for node in iter_dicts(schema)}
    nodes_per_member = collections.Counter(node["file"] for node in nodes)
    fresh = -1
    arrays = {}
    for node in nodes:
        name, key = node["file"], node.get("__id__")
        cls, module = node.get("__class__"), node.get("__module__")
        if name not in arrays:
            arrays[name] = npy_array(files[name], f"{where}: member {name!r}")
        if (module, cls) == ("numpy", "ndarray"):
            # skops builds one array per node
            value = arrays[name] if nodes_per_member[name] == 1 else arrays[name].copy()
        else:  # a numpy scalar type called with the array, as skops does
            scalar = getattr(np, cls, None) if module == "numpy" and isinstance(cls, str) \
                else None
            if not (isinstance(scalar, type) and issubclass(scalar, np.generic)):
                raise ModelFileError(f"{where}: an array member is turned into "
                                     f"{module}.{cls}; only numpy arrays and numpy scalars "
                                     "are read from array members.")
            value = scalar(arrays[name])
        if key is None:
            while fresh in used:
                fresh -= 1
            key, fresh = fresh, fresh - 1
        context.memoize(built_node(value, module, cls, trusted), key)
        node.clear()
        node.update({"__class__": cls, "__module__": module, "__loader__": "CachedNode",
                     "__id__": key})
    for name in arrays:  # their bytes are no longer needed
        files.pop(name, None)


def _skops_load_zip(skops_io, schema, files, type_names):  # pragma: no cover
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_SCHEMA, json.dumps(schema))
        for name in list(files):  # moved, not copied: the budget counts one copy
            archive.writestr(name, files.pop(name))
    buffer.seek(0)
    return skops_io.load(buffer, trusted=sorted(type_names))


def _load_hyperparameters(path, registry, limits):
    with open(path, "rb") as handle:
        data = handle.read(min(limits.max_bytes, 64 * 2**20) + 1)
    if len(data) > min(limits.max_bytes, 64 * 2**20):
        raise ModelFileError(f"{path} is over {min(limits.max_bytes, 64 * 2**20)} bytes; a "
                             "hyperparameters file is small.")
    document = parse_json(data, str(path), limits.max_depth)
    if not isinstance(document, dict) or document.get("format") != HYPERPARAMETERS_FORMAT:
        raise ModelFileError(f"{path} is JSON but not a file written by save (format "
                             f"{HYPERPARAMETERS_FORMAT!r} expected).")
    context = types.SimpleNamespace(registry=registry, where=str(path),
                                    max_depth=limits.max_depth, states=None, values=None)
    estimator = decode_tree(document.get("estimator"), context)
    check_loaded(estimator, str(path), limits.max_depth)
    return estimator
