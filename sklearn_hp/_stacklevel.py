"""Warnings that point at the user's line, however deep in the library they start."""

import contextlib
import os
import sys

import joblib
import sklearn

__all__ = ["user_stacklevel"]

#: Packages whose frames are never the user's: ours, and scikit-learn's and joblib's
#: (a fit called through ``cross_val_score``, a ``Pipeline`` or a search), and the
#: standard library's ``contextlib`` (our context managers run inside it).
_INTERNAL = tuple(os.path.dirname(os.path.abspath(path)) + os.sep
                  for path in (__file__, sklearn.__file__, joblib.__file__)) + (
    os.path.abspath(contextlib.__file__),)


def user_stacklevel():
    """``stacklevel`` for a ``warnings.warn`` made by the caller of this function.

    It names the first frame outside sklearn_hp, scikit-learn and joblib: the
    user's line that called ``fit`` (or ``save``...), directly or through
    scikit-learn. When every frame is internal (a worker process), the outermost.

    Returns
    -------
    stacklevel : int
    """
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _INTERNAL):
        frame, level = frame.f_back, level + 1
    return level
