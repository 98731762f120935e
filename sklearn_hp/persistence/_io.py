"""``save`` and ``load``: one ``.npz`` file, JSON hyperparameters plus numeric arrays."""

import json

import numpy as np

from .. import __version__
from ._codec import Encoder, decode

__all__ = ["save", "load", "FORMAT"]

FORMAT = "sklearn_hp.persistence/1"
_META_KEY = "__meta__"


def save(estimator, path):
    """Save an estimator (fitted or not, pipelines included) without pickle.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn or sklearn_hp estimator whose hyperparameters are plain data.
    path : str or path-like
        Destination file; ``.npz`` is the natural extension.

    Raises
    ------
    TypeError
        If a hyperparameter or learned value cannot be saved safely (e.g. a function).
    """
    encoder = Encoder()
    tree = encoder.encode_estimator(estimator, type(estimator).__name__)
    meta = {"format": FORMAT, "sklearn_hp_version": __version__, "estimator": tree}
    with open(path, "wb") as handle:
        np.savez(handle, **{_META_KEY: np.array(json.dumps(meta))}, **encoder.arrays)


def load(path):
    """Load an estimator written by :func:`save`.

    No pickle is read: arrays are loaded with ``allow_pickle=False`` and only
    scikit-learn and sklearn_hp classes are rebuilt, through their ``__init__``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator : estimator object
    """
    with np.load(path, allow_pickle=False) as archive:
        if _META_KEY not in archive:
            raise ValueError(f"{path} is not a file written by sklearn_hp.persistence.save.")
        meta = json.loads(str(archive[_META_KEY]))
        if meta.get("format") != FORMAT:
            raise ValueError(
                f"{path} has format {meta.get('format')!r}; this version reads {FORMAT!r}."
            )
        arrays = {key: archive[key] for key in archive.files if key != _META_KEY}
    return decode(meta["estimator"], arrays)
