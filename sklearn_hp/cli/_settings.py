"""``tune --set NAME=VALUE`` against the model and its search space.

A value given with ``--set`` is checked by the model's own constraints (an
unparsable ``alpha=abc`` is an error naming the value and what is accepted). A
hyperparameter the space searches and ``--set`` also fixes is taken out of the
space, with a line saying so: the value given explicitly wins.
"""

from numbers import Number

__all__ = ["apply_settings", "fixed_settings_text"]


def _is_number(value):
    return isinstance(value, Number) and not isinstance(value, bool)


def _check_against_space(name, value, dimension):
    """A numeric dimension takes a number: name the value and what is accepted."""
    from ..search import Integer, Real

    if isinstance(dimension, (Real, Integer)) and not _is_number(value):
        kind = "an integer" if isinstance(dimension, Integer) else "a number"
        raise ValueError(f"--set {name}={value!r}: {name} is {kind} (the space searches "
                         f"{dimension!r}); accepted: {kind}, e.g. --set "
                         f"{name}={dimension.low!r}.")


def apply_settings(estimator, fixed, space):
    """Set ``fixed`` on ``estimator`` and take those names out of ``space``.

    Parameters
    ----------
    estimator : estimator object
        The model, unfitted; changed in place.
    fixed : dict
        ``--set`` values by hyperparameter name.
    space : dict
        The search space ``{name: dimension}``.

    Returns
    -------
    space : dict
        ``space`` without the names ``fixed`` sets.
    notes : list of str
        One line per hyperparameter taken out of the space.

    Raises
    ------
    ValueError
        For an unknown name, a value the model's constraints refuse, a non-number
        for a numeric dimension, or when nothing is left to search.
    """
    from .._compat import InvalidParameterError, validate_estimator_settings

    accepted = estimator.get_params()
    unknown = sorted(set(fixed) - set(accepted))
    if unknown:
        raise ValueError(f"--set {unknown[0]}: {type(estimator).__name__} has no such "
                         f"hyperparameter; accepted: {sorted(accepted)}.")
    for name, value in fixed.items():
        if name in space:
            _check_against_space(name, value, space[name])
    before = {name: accepted[name] for name in fixed}
    for name, value in fixed.items():  # one at a time, so an error names its setting
        estimator.set_params(**{name: value})
        try:
            validate_estimator_settings(estimator)
        except (InvalidParameterError, ValueError, TypeError) as error:
            estimator.set_params(**before)
            raise ValueError(f"--set {name}={value!r}: {error}") from None
    taken = [name for name in fixed if name in space]
    if taken and len(taken) == len(space):
        raise ValueError(f"--set fixes every hyperparameter the space searches "
                         f"({', '.join(taken)}); nothing is left to search. Drop one of "
                         "those --set, or give a --space with others.")
    notes = [f"--set {name}={fixed[name]!r} fixes {name}: it is not searched (the space "
             f"had {space[name]!r})." for name in taken]
    return {k: v for k, v in space.items() if k not in fixed}, notes


def fixed_settings_text(fixed_by_model):
    """``--help`` words for the settings ``tune`` fixes on each named model.

    Parameters
    ----------
    fixed_by_model : dict
        ``{model name: {hyperparameter: value}}``.
    """
    parts = []
    for model, settings in fixed_by_model.items():
        values = ", ".join(f"{k}={v!r}" for k, v in settings.items())
        parts.append(f"{model} {values}")
    return "; ".join(parts)
