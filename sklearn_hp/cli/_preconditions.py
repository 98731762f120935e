"""What ``tune``'s last steps need, checked before the search spends any time.

A search can run for hours; writing the model (``--out``) and the plot
(``--plot``) comes after it. Everything those steps need is checked first: the
paths are writable files, the optional packages are installed, and the model
about to be tuned can be saved and loaded back (a fit on a few rows, saved to a
temporary file), so a finished search never ends in an error that loses it.
"""

import os
import tempfile

from ._trust import in_cli_words

__all__ = ["check_output_path", "check_outputs", "check_model_saves"]

#: Optional package -> (what needs it, the extra that installs it)
_PACKAGES = {
    "skops": ("--out (saving a model)", "persist"),
    "matplotlib": ("--plot", "plot"),
}

#: Rows of the table the save check fits on (with at least one row of every class).
PROBE_ROWS = 60


def _same_file(a, b):
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.abspath(a) == os.path.abspath(b)


def check_output_path(option, path):
    """Raise a one-line ``ValueError`` unless ``path`` is a file ``option`` can write.

    The path must not be a folder, its folder must exist and accept a new file,
    and an existing file must be writable. Nothing is left behind: an absent
    file is not created (a temporary file tests the folder).

    Parameters
    ----------
    option : str
        The option's name, for the message (``"--out"``).
    path : str
        The path it was given.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        example = os.path.join(path, "model.skhp" if option == "--out" else "history.png")
        raise ValueError(f"{option} {path!r} is a folder; give a file path, e.g. "
                         f"{example!r}.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(folder):
        raise ValueError(f"{option} {path!r}: the folder {folder!r} does not exist; create it "
                         "or give a path in an existing folder.")
    if not os.path.isdir(folder):
        raise ValueError(f"{option} {path!r}: {folder!r} is a file, not a folder.")
    try:
        if os.path.exists(path):
            with open(path, "ab"):  # opens for writing without changing the file
                pass
        else:
            handle, probe = tempfile.mkstemp(prefix=".sklearn-hp-write-check-", dir=folder)
            os.close(handle)
            os.remove(probe)
    except OSError as error:
        raise ValueError(f"{option} {path!r} cannot be written ({type(error).__name__}: "
                         f"{error.strerror or error}); give a path in a folder you can "
                         "write to.") from None


def _check_package(module):
    purpose, extra = _PACKAGES[module]
    try:
        __import__(module)
    except ImportError:
        raise ValueError(f"{purpose} needs {module}, which is not installed: "
                         f"pip install 'sklearn_hp[{extra}]' (or run without it).") from None


def _check_plot_format(path):
    from matplotlib.backend_bases import FigureCanvasBase

    extension = os.path.splitext(path)[1].lower().lstrip(".")
    formats = FigureCanvasBase.get_supported_filetypes()
    if extension and extension not in formats:
        raise ValueError(f"--plot {path!r}: matplotlib cannot write .{extension} files; "
                         f"accepted extensions: {', '.join(sorted(formats))}.")


def check_outputs(args):
    """Check ``--out`` and ``--plot`` of ``tune``: paths, packages, clashes with inputs.

    Parameters
    ----------
    args : argparse.Namespace
        With ``out``, ``plot`` and optionally ``data`` and ``storage``.
    """
    outputs = [(option, value) for option, value in (("--out", args.out),
                                                      ("--plot", args.plot)) if value]
    inputs = [(option, value) for option, value in (("--data", getattr(args, "data", None)),
                                                    ("--storage", getattr(args, "storage", None)))
              if value and os.path.exists(value)]
    for option, path in outputs:
        check_output_path(option, path)
        for other, value in inputs:
            if _same_file(path, value):
                raise ValueError(f"{option} {path!r} is the {other} file; writing it would "
                                 "destroy it. Give another path.")
    if len(outputs) == 2 and _same_file(args.out, args.plot):
        raise ValueError(f"--out and --plot name the same file {args.out!r}; give two paths.")
    if args.out:
        _check_package("skops")
    if args.plot:
        _check_package("matplotlib")
        _check_plot_format(args.plot)


def _probe_rows(y, n):
    """Indices of the first ``n`` rows plus the first row of every class."""
    import numpy as np

    y = np.asarray(y)
    first = set(range(min(n, len(y))))
    if y.dtype.kind not in "f":
        first |= set(np.unique(y, return_index=True)[1].tolist())
    return np.array(sorted(first))


def check_model_saves(estimator, X, y, trusted):
    """Raise a one-line ``ValueError`` if ``estimator`` fitted would not save and load.

    A clone is fitted on a few rows and written with
    :func:`sklearn_hp.persistence.save` to a temporary file, then read back with
    :func:`~sklearn_hp.persistence.load` (both with ``trusted``). A fit that fails
    on so few rows proves nothing and is ignored: the search reports its own fits.

    Parameters
    ----------
    estimator : estimator object
        The unfitted pipeline the search will tune.
    X, y : array-like
        The table (a few rows are used).
    trusted : list
        Classes given with ``--trust``.
    """
    import warnings

    from sklearn.base import clone

    from ..persistence import ModelFileError, load, save

    rows = _probe_rows(y, PROBE_ROWS)
    X_few = X.iloc[rows] if hasattr(X, "iloc") else X[rows]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = clone(estimator).fit(X_few, y[rows])
    except Exception:  # noqa: BLE001 - the search reports what fitting gets wrong
        return
    with tempfile.TemporaryDirectory(prefix="sklearn-hp-save-check-") as folder:
        path = os.path.join(folder, "model.skhp")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                save(fitted, path, trusted=trusted)
                load(path, trusted=trusted)
        except (ModelFileError, TypeError, ValueError) as error:
            raise ValueError(f"--out: the tuned model could not be saved, so the search was "
                             f"not started: {in_cli_words(error, path)}") from None
