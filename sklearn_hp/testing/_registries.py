"""Every registry of building blocks, and the README's table generated from them.

The registries live beside their blocks (``nn``, ``optim``, ``search``); this list
sits above them all, so :mod:`sklearn_hp._registry` imports none of them.
"""

from .._registry import public_path
from ..nn import ACTIVATIONS, INITIALIZERS, LAYERS, LOSSES, PENALTIES
from ..optim import OPTIMIZERS, SCHEDULES
from ..search._samplers import SAMPLER_NAMES

__all__ = ["all_registries", "building_blocks_table"]


def all_registries():
    """Every registry, in the order of the README's table.

    Returns
    -------
    list of Registry
    """
    return [ACTIVATIONS, INITIALIZERS, LAYERS, LOSSES, PENALTIES, OPTIMIZERS, SCHEDULES,
            SAMPLER_NAMES]


def building_blocks_table():
    """The README's table of building blocks, generated from the registries.

    Returns
    -------
    str
        A Markdown table: the hyperparameter, the accepted names, the classes and
        the base class of one's own blocks.
    """
    rows = [
        "| building block | given as | names | classes | base class of your own |",
        "|---|---|---|---|---|",
    ]
    for registry in all_registries():
        given = f"`{registry.kind}=`" if registry.hyperparameter else "built by the networks"
        names = ", ".join(f"`{n}`" for n in registry)
        classes = ", ".join(f"`{c.__name__}`" for c in registry.classes())
        rows.append(
            f"| {registry.description} | {given} | {names} | {classes} | "
            f"`{public_path(registry.base)}` |"
        )
    return "\n".join(rows)
