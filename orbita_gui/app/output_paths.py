"""Checking an output file before the work that fills it, so that a long replay or a
render is not wasted on a path that cannot be written."""

from __future__ import annotations

import os
from pathlib import Path


def unwritable(path: Path) -> str | None:
    """Why `path` could not be written, in a few words; None if it could."""
    folder = path.parent
    if not folder.exists():
        return f"no such folder {folder}"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if path.is_dir():
        return "it is a folder"
    if not os.access(path if path.exists() else folder, os.W_OK):
        return "permission denied"
    return None
