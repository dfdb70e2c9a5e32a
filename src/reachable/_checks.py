"""Parameter checks shared by the public functions, so that they accept and refuse alike."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InvalidParameterError

EXAMPLES = 5
"""Values listed in an error message before "and N more"."""


def examples(values) -> str:
    """A few of ``values`` for an error message: ``'a', 'b' and 3 more``."""
    values = list(values)
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:EXAMPLES])
    return shown + (f" and {len(values) - EXAMPLES} more" if len(values) > EXAMPLES else "")


def finite_number(value: Any, name: str) -> float:
    """A finite real number, or InvalidParameterError naming the parameter."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InvalidParameterError(f"{name} must be finite, got {value!r}")
    return number


def positive(name: str, value: Any, *, unit: str, allow_zero: bool = False) -> float:
    """``value`` as a float if it is a positive (or zero) finite number, else a clear error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise InvalidParameterError(f"{name} must be a number of {unit}, got {value!r}")
    if not (np.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
        sign = "zero or positive" if allow_zero else "positive"
        raise InvalidParameterError(f"{name} must be a {sign} number of {unit}, got {value!r}")
    return float(value)


def whole_number(name: str, value: Any, *, minimum: int) -> int:
    """``value`` as an int if it is a whole number >= ``minimum``, else a clear error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidParameterError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def numbers(values: Any, name: str) -> list[float]:
    """One number or a sequence of distinct numbers (NumPy scalars and arrays too), as a list."""
    if isinstance(values, (str, bytes)):
        raise InvalidParameterError(f"{name} must be a number or a sequence of numbers, got {values!r}")
    try:
        items = [values] if np.ndim(values) == 0 else list(values)
    except TypeError:
        raise InvalidParameterError(
            f"{name} must be a number or a sequence of numbers, got {values!r}"
        ) from None
    if not items:
        raise InvalidParameterError(f"{name} is empty")
    result = [finite_number(v, name) for v in items]
    if len(set(result)) != len(result):
        raise InvalidParameterError(f"{name} has repeated values: {result}")
    return result


def cutoff_minutes(cutoffs: Any) -> list[float]:
    """Cutoffs in minutes: one positive number or a sequence of distinct ones."""
    values = numbers(cutoffs, "cutoffs")
    if any(v <= 0 for v in values):
        raise InvalidParameterError(f"cutoffs must be positive numbers of minutes, got {values}")
    return values


def names(values: Any, name: str, *, what: str = "name") -> list[str]:
    """One string or a sequence of distinct strings, as a list."""
    items = [values] if isinstance(values, str) else values
    try:
        items = list(items)
    except TypeError:
        raise InvalidParameterError(f"{name} must be a {what} or a list of them, got {values!r}") from None
    if not items:
        raise InvalidParameterError(f"{name} is empty")
    not_str = [v for v in items if not isinstance(v, str)]
    if not_str:
        raise InvalidParameterError(f"{name} must be strings, got {examples(not_str)}")
    if len(set(items)) != len(items):
        raise InvalidParameterError(f"{name} has repeated values: {items}")
    return items


def column_names(columns: Any, reserved: Sequence[str] = ()) -> list[str]:
    """Opportunity count columns, none of them named like a column of the output."""
    result = names(columns, "columns", what="column name")
    clash = [c for c in result if c in ("id", *reserved)]
    if clash:
        raise InvalidParameterError(
            f"columns cannot include {examples(clash)}: the name is taken by the output; "
            "rename the column first"
        )
    return result
