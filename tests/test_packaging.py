"""The layers hold, and the package finds its resources from a checkout and from a wheel."""

import subprocess
import sys
import zipfile
from pathlib import Path

from orbita_gui.resources import resource_path, resources_dir

ROOT = Path(__file__).resolve().parent.parent

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


def test_core_and_traces_import_no_qt():
    code = (
        "import sys, orbita_gui.core, orbita_gui.traces; "
        f"print([m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_resources_are_found_from_the_checkout():
    assert resources_dir() == ROOT / "resources"
    assert resource_path("icons", "orbita.svg").read_text().startswith("<svg")


def test_the_wheel_carries_the_resources_and_finds_them(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("orbita_gui-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        assert "orbita_gui/resources/icons/orbita.svg" in archive.namelist()
        archive.extractall(site)
    code = "from orbita_gui.resources import resource_path as r; print(r('icons', 'orbita.svg'))"
    found = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()) == site / "orbita_gui" / "resources" / "icons" / "orbita.svg"
