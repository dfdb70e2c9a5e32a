"""Compressed sparse rows: the ``offsets`` of entries grouped by row, and back."""

from __future__ import annotations

import numpy as np


def rows_of(offsets: np.ndarray) -> np.ndarray:
    """The row of every entry of a CSR."""
    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def offsets_of(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """CSR offsets of entries sorted by ``rows``."""
    return np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_rows)))).astype(np.int64)
