"""Progress bars that show only when someone is watching."""

from __future__ import annotations

import sys

from tqdm.auto import tqdm


def progress_bar(total: int, description: str, progress: bool | None, unit: str = "it") -> tqdm:
    """A tqdm bar; ``progress=None`` shows it only on an interactive terminal or notebook."""
    if progress is None:
        progress = sys.stderr.isatty() or "ipykernel" in sys.modules
    return tqdm(total=total, desc=description, disable=not progress, unit=unit, leave=False)
