"""Contract checks for building blocks: the batteries every registered block passes,
and the list of every registry (with the README's table generated from it)."""

from ._blocks import (
    CHECKS,
    check_block,
    check_parameter_object,
    check_registered,
    minimise_quadratic,
    numeric_gradient,
)
from ._registries import all_registries, building_blocks_table

__all__ = ["CHECKS", "all_registries", "building_blocks_table", "check_block",
           "check_parameter_object", "check_registered", "minimise_quadratic",
           "numeric_gradient"]
