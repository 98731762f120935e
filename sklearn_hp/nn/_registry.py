"""Name -> object look-up with errors that list what is accepted."""

__all__ = ["resolve"]


def resolve(registry, value, kind, base=None):
    """Return ``registry[value]`` for a name, or ``value`` itself for an object.

    Parameters
    ----------
    registry : dict
        Accepted names.
    value : str or object
        A name or an instance of ``base``.
    kind : str
        The hyperparameter's name, used in the error message.
    base : type, optional
        Objects of this type are returned as they are.
    """
    if isinstance(value, str):
        try:
            return registry[value]
        except KeyError:
            raise ValueError(
                f"Unknown {kind} {value!r}; accepted names are {sorted(registry)}."
            ) from None
    if base is not None and isinstance(value, base):
        return value
    raise TypeError(f"{kind} must be one of {sorted(registry)}, got {value!r}.")
