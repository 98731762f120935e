"""``--trust CLASS[,CLASS]``: classes a model file may hold beyond the default registry.

``sklearn_hp.persistence`` loads only classes of its registry (scikit-learn,
sklearn_hp, numpy, scipy). ``tune``, ``predict`` and ``inspect`` take
``--trust`` with the import paths of further classes the user trusts, imported
here and passed as ``trusted=`` to ``save`` and ``load``; a refused class is
reported with the ``--trust`` option that would accept it.
"""

import importlib

__all__ = ["add_trust_argument", "in_cli_words", "load_model", "trusted_classes"]


def add_trust_argument(parser):
    """``--trust CLASS[,CLASS]`` (repeatable): classes a model file may hold beyond the registry."""
    parser.add_argument(
        "--trust", dest="trust", action="append", default=[], metavar="CLASS[,CLASS]",
        help="import paths of classes you trust a model file to hold beyond what "
             "sklearn_hp.persistence accepts by default (scikit-learn, sklearn_hp, numpy, "
             "scipy), passed as trusted= to save and load; e.g. --trust "
             "mypackage.MyEstimator for your own estimator class (repeatable)")


def trusted_classes(values):
    """Import the classes ``--trust`` names.

    Parameters
    ----------
    values : list of str
        ``--trust`` values, each one import path or several joined by commas.

    Returns
    -------
    list
        The classes (or functions), in the order given.
    """
    trusted = []
    for value in values:
        for path in (p.strip() for p in value.split(",")):
            module_name, _, name = path.rpartition(".")
            accepted = ("accepted: the import path of a class, e.g. "
                        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor")
            if not module_name or not name:
                raise ValueError(f"--trust {path!r} is not an import path; {accepted}.")
            try:
                obj = getattr(importlib.import_module(module_name), name)
            except (ImportError, AttributeError) as error:
                raise ValueError(f"--trust {path!r} cannot be imported ({error}); "
                                 f"{accepted}.") from None
            if not callable(obj):
                raise ValueError(f"--trust {path!r} is a {type(obj).__name__}, not a class "
                                 f"or function; {accepted}.")
            trusted.append(obj)
    return trusted


def in_cli_words(error, path=None):
    """A persistence error in command-line words: ``--trust NAME``, not ``trusted=``.

    Parameters
    ----------
    error : Exception
        The error ``save`` or ``load`` raised.
    path : str, optional
        A temporary file the message names, replaced by "the model file".
    """
    from ..persistence import UntrustedClassError

    if isinstance(error, UntrustedClassError):
        name = error.class_name
        return (f"it holds {name}, which sklearn_hp.persistence does not load by default. "
                f"If you trust it, add --trust {name} (to tune, predict and inspect).")
    message = str(error)
    if path is not None:
        message = message.replace(f"{path}: ", "").replace(path, "the model file")
    return message


def load_model(path, trust):
    """``sklearn_hp.persistence.load(path)`` with the ``--trust`` classes.

    A refused class is reported with the ``--trust`` option that accepts it.
    """
    from ..persistence import ModelFileError, UntrustedClassError, load

    trusted = trusted_classes(trust)
    try:
        return load(path, trusted=trusted)
    except UntrustedClassError as error:
        raise ModelFileError(f"{path}: {in_cli_words(error)}") from None
