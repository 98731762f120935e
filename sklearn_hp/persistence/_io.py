"""``save`` and ``load``: one ``.skhp`` file, hyperparameters apart from learned parameters.

A model file is a zip archive of

* ``manifest.json``: format, library versions, and the size and SHA-256 of every member
  (shape and dtype of every array too);
* ``hyperparameters.json``: every estimator's class and hyperparameters, readable JSON;
* ``schema.json`` and ``*.npy``: the learned parameters in skops format (each
  estimator's ``__getstate__`` without its hyperparameters), arrays in numpy format.
"""

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
from ._archive import (Limits, ModelFileError, load_limits, parse_json, read_members,
                       write_members)
from ._checks import check_loaded, path_settings, reachable_estimators
from ._format import SCHEMA, build, dump_members, require_skops
from ._hyperparameters import Encoder, decode_tree, node_classes
from ._learned_checks import check_model
from ._registry import TrustedClasses
from ._routing import REQUESTS, plain_requests, restore_requests
from ._schema import as_array_info, audit_schema

__all__ = ["save", "load", "FORMAT", "HYPERPARAMETERS_FORMAT", "EXTENSION"]

FORMAT = "sklearn_hp.model/2"
HYPERPARAMETERS_FORMAT = "sklearn_hp.hyperparameters/1"
EXTENSION = ".skhp"
_HP = "hyperparameters.json"
_DEFAULT_MAX_BYTES = 2**31
_DEFAULT_MAX_DEPTH = 200


def _versions():
    """The versions a file records (a copy: the installed ones, read once per process)."""
    return dict(_installed_versions())


@functools.lru_cache(maxsize=1)
def _installed_versions():
    versions = {"sklearn_hp": __version__, "scikit-learn": sklearn.__version__,
                "numpy": np.__version__, "scipy": scipy.__version__,
                "python": platform.python_version()}
    try:
        from importlib.metadata import version

        versions["skops"] = version("skops")  # parses the package's metadata: ~1 ms
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


def _needs_edit(estimator):
    return isinstance(vars(estimator).get(REQUESTS), MetadataRequest) or bool(
        path_settings(estimator))


def _savable(learned):
    """``learned``, or a deep copy of it if an estimator in it needs one: there, routing
    requests become plain data and path-valued settings None (with a warning)."""
    found = reachable_estimators(learned, "the model", _DEFAULT_MAX_DEPTH)
    if not any(map(_needs_edit, found)):
        return learned
    learned = copy.deepcopy(learned)
    for estimator in list(reachable_estimators(learned, "the model", _DEFAULT_MAX_DEPTH)):
        request = vars(estimator).get(REQUESTS)
        if isinstance(request, MetadataRequest):  # refers back to its estimator
            vars(estimator)[REQUESTS] = plain_requests(request)
        for name, value in path_settings(estimator):
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
    write_model(estimator, path, trusted)


def write_model(estimator, path, trusted=(), check=True):
    """Write ``estimator`` as :func:`save` does; ``check=False`` skips the load-time check.

    :func:`save` always checks the file as :func:`load` will. A caller that only
    reads its files back through :func:`load`, which checks them again, may skip
    the check where a file like it passed before (the searches' checkpoints: the
    check is half the cost of writing a tree ensemble's).
    """
    require_skops()
    encoder = Encoder(True, _neutralise_path)
    tree = encoder.node(estimator, type(estimator).__name__)
    states = [_learned_state(obj, obj.get_params(deep=False)) for obj in encoder.nodes]
    try:
        members = dump_members(_savable({"states": states, "values": encoder.values}))
    except Exception as error:
        raise TypeError(f"Cannot save {type(estimator).__name__}: skops cannot write one "
                        f"of its values ({error}).") from None
    members[_HP] = json.dumps(tree, indent=1, allow_nan=False).encode()
    manifest = {"format": FORMAT, "versions": _versions(), "estimator": tree["class"],
                "members": {name: as_array_info(data) for name, data in members.items()
                            if name.endswith(".npy")}}
    if check:
        registry = TrustedClasses(trusted)
        limits = Limits(_DEFAULT_MAX_BYTES, _DEFAULT_MAX_BYTES, _DEFAULT_MAX_DEPTH)
        schema = parse_json(members[SCHEMA], f"{path}: {SCHEMA}", limits.max_depth)
        audit_schema(schema, node_classes(tree, registry, str(path)), members, registry,
                     limits, str(path))
    write_members(path, members, manifest)


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
    registry = TrustedClasses(trusted)
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip()
    if head.startswith(b"{"):
        return _load_hyperparameters(path, registry, limits)
    require_skops()
    with read_members(path, limits) as (manifest, members):
        if manifest.get("format") != FORMAT:
            raise ModelFileError(f"{path} has format {manifest.get('format')!r}; this version "
                                 f"reads {FORMAT!r}.")
        for name in (_HP, SCHEMA):
            if name not in members:
                raise ModelFileError(f"{path} lacks its {name}; the file is damaged.")
        tree = parse_json(members[_HP], f"{path}: {_HP}", limits.max_depth)
        schema_data = members[SCHEMA]  # each read decompresses and hashes the member
        schema = parse_json(schema_data, f"{path}: {SCHEMA}", limits.max_depth)
        classes = node_classes(tree, registry, str(path))
        audited = audit_schema(schema, classes, members, registry, limits, str(path))
        unreferenced = sorted(set(members.names()) - set(audited.files) - {_HP, SCHEMA})
        if unreferenced:
            raise ModelFileError(f"{path} holds member {unreferenced[0]!r} that nothing "
                                 "refers to; refusing a tampered file.")
        del schema_data
        learned = build(schema, audited, str(path))
        del audited, schema
    if not (isinstance(learned, dict) and isinstance(learned.get("states"), list)
            and isinstance(learned.get("values"), list)):
        raise ModelFileError(f"{path}: the learned parameters are not a states/values table.")
    context = types.SimpleNamespace(registry=registry, where=str(path), max_depth=max_depth,
                                    states=learned["states"], values=learned["values"])
    estimator = decode_tree(tree, context)
    restore_requests(estimator, str(path), max_depth)
    check_model(estimator, str(path), max_depth)  # before anything calls into it
    return estimator


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
