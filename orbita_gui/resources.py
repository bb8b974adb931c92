"""Where the application's resources are: the same answer from a checkout and a wheel.

In a checkout (or an editable install) they are the top-level `resources/`
folder; the wheel carries that folder inside the package as
`orbita_gui/resources/` (see `force-include` in `pyproject.toml`).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The resources folder of this installation."""
    for candidate in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"orbita-gui's resources are missing next to {_PACKAGE}")


def resource_path(*parts: str) -> Path:
    """A file in the resources folder, such as `resource_path("icons", "orbita.svg")`."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"no resource {'/'.join(parts)} in {resources_dir()}")
    return path
