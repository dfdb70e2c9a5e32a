"""Parameter checks shared by the public functions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import InvalidParameterError


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
