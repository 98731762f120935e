"""Contract checks for building blocks: the batteries every registered block passes."""

from ._blocks import (
    CHECKS,
    check_block,
    check_parameter_object,
    check_registered,
    minimise_quadratic,
    numeric_gradient,
)

__all__ = ["CHECKS", "check_block", "check_parameter_object", "check_registered",
           "minimise_quadratic", "numeric_gradient"]
