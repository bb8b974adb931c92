"""`orbita-gui replay`: the headless summary, CSV, report, and bad traces."""

import csv
import os
import subprocess
import sys

import pytest

SMALL = """# known figures: peak payload 150, footprint 160
heap 0x1000 1024
malloc a 100
malloc b 50
free a
malloc c 16 64
free nobody
malloc huge 5000
"""


def orbita(*args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "orbita_gui", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.trace"
    path.write_text(SMALL)
    return path


def test_replay_prints_the_summary(small, tmp_path):
    result = orbita("replay", small, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "operations          6" in out
    assert (
        "failures            2 (1 failed allocation: out of memory or too large; "
        "1 invalid free)" in out
    )
    assert "peak live payload   150 bytes" in out
    assert "heap footprint      160 bytes" in out
    assert "utilization         93.8%" in out
    assert "free-list length    2 at the end" in out
    assert "operations a second" in out


def test_replay_report_lists_failures_with_their_lines(small, tmp_path):
    out = orbita("replay", small, "--report", tmp_path=tmp_path).stdout
    assert "operations by kind  free 2, malloc 4" in out
    assert "failed: line 7: free nobody: no block is allocated" in out
    assert "failed: line 8: allocate(Layout { size: 5000, align: 8 }) -> null" in out


def test_replay_writes_statistics_per_operation(small, tmp_path):
    path = tmp_path / "stats.csv"
    assert orbita("replay", small, "--csv", path, tmp_path=tmp_path).returncode == 0
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 6
    assert rows[0]["kind"] == "malloc" and rows[0]["heap_allocated"] == "104"
    assert [row["free_list_length"] for row in rows] == ["1", "1", "2", "2", "2", "2"]


def test_replay_heap_size_option(small, tmp_path):
    out = orbita("replay", small, "--heap-size", "8KiB", tmp_path=tmp_path).stdout
    assert "8,192-byte heap at 0x1000" in out
    assert "0 failed allocations" in out


def test_a_bad_trace_exits_with_its_location(tmp_path):
    bad = tmp_path / "bad.trace"
    bad.write_text("malloc a 24\nmalloc b lots\n")
    result = orbita("replay", bad, tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{bad}:2:10: expected a size in bytes, found 'lots'" in result.stderr
    assert "Traceback" not in result.stderr


def test_replay_screenshot(small, tmp_path):
    path = tmp_path / "end.png"
    result = orbita("replay", small, "--screenshot", path, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes()[:4] == b"\x89PNG"
