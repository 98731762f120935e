"""Metadata-routing requests (``set_fit_request(...)``) saved as plain data and restored.

An estimator on which ``set_{method}_request`` was called keeps a ``MetadataRequest``
in ``_metadata_request``; it refers back to its estimator, which skops cannot write
(it recurses). ``save`` writes it as ``{method: {parameter: alias}}`` (aliases are
``True``, ``False``, ``None`` or a string), and ``load`` turns that back into requests
through the estimator's own public ``set_{method}_request`` methods, so a loaded model
routes metadata as the saved one did, and a file can only make requests those methods
accept.
"""

from sklearn import config_context
from sklearn.utils.metadata_routing import MetadataRequest

from ._archive import ModelFileError
from ._checks import reachable_estimators

__all__ = ["plain_requests", "restore_requests", "REQUESTS"]

#: The attribute scikit-learn keeps an estimator's routing requests in.
REQUESTS = "_metadata_request"


def _methods():
    """The methods a request may be for (``fit``, ``score``, ``split``, ...)."""
    return sorted(name for name, value in vars(MetadataRequest(owner=None)).items()
                  if name != "owner" and hasattr(value, "requests"))


def plain_requests(request):
    """``{method: {parameter: alias}}`` of a ``MetadataRequest``, empty methods left out."""
    plain = {}
    for method in _methods():
        requests = dict(getattr(request, method).requests)
        if requests:
            plain[method] = requests
    return plain


def _alias_ok(alias):
    return alias is None or isinstance(alias, (bool, str))


def restore_requests(obj, where, max_depth):
    """Rebuild the routing requests of every estimator reachable from ``obj`` that a
    file gave as plain data, through its ``set_{method}_request`` methods.

    Raises
    ------
    ModelFileError
        If the data is not ``{method: {parameter: alias}}`` or the estimator's method
        refuses it (a parameter its method does not take, an invalid alias).
    """
    methods = None
    for estimator in list(reachable_estimators(obj, where, max_depth)):
        plain = vars(estimator).get(REQUESTS)
        if plain is None or isinstance(plain, MetadataRequest):
            continue
        here = f"{where}: {type(estimator).__name__}.{REQUESTS}"
        methods = methods or _methods()
        if not (isinstance(plain, dict) and all(
                method in methods and isinstance(requests, dict)
                and all(isinstance(p, str) and _alias_ok(a) for p, a in requests.items())
                for method, requests in plain.items())):
            raise ModelFileError(
                f"{here} is not routing requests: accepted is {{method: {{parameter: "
                f"alias}}}} with methods among {methods} and aliases True, False, None or "
                "a string.")
        del vars(estimator)[REQUESTS]
        with config_context(enable_metadata_routing=True):
            for method, requests in plain.items():
                setter = getattr(estimator, f"set_{method}_request", None)
                try:
                    if setter is None:
                        raise TypeError(f"{type(estimator).__name__} has no "
                                        f"set_{method}_request")
                    setter(**requests)
                except (TypeError, ValueError) as error:
                    raise ModelFileError(f"{here}: the {method} requests {requests!r} are "
                                         f"refused ({error}).") from None
