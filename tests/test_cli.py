"""`orbita-gui replay`: the headless summary, CSV, report, and bad traces."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orbita_gui.core import registry

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


NO_COALESCING = os.path.join(
    os.path.dirname(__file__), "..", "resources", "traces", "2-no-coalescing.trace"
)


def test_replay_on_a_heap_named_by_options_uses_its_policy(tmp_path):
    guide = orbita("replay", NO_COALESCING, tmp_path=tmp_path)
    merged = orbita(
        "replay",
        NO_COALESCING,
        "--heap",
        "free-list",
        "--order",
        "addrsort",
        "--coalesce",
        tmp_path=tmp_path,
    )
    assert guide.returncode == merged.returncode == 0, merged.stderr
    assert "guide (first fit, insert-front, no coalescing" in guide.stdout
    assert "free-list (first fit, addrsort, coalescing" in merged.stdout
    # The sample's point: without merging, 200 bytes find no room; with it, they do.
    assert "failures            1 " in guide.stdout
    assert "failures            0 " in merged.stdout


def test_a_trace_names_its_allocator_and_an_option_overrides_one_parameter(tmp_path):
    path = tmp_path / "best.trace"
    path.write_text("heap 0x1000 1024\nallocator free-list fit=best\nmalloc a 24\n")
    named = orbita("replay", path, tmp_path=tmp_path)
    overridden = orbita("replay", path, "--fit", "worst", tmp_path=tmp_path)
    assert "free-list (best fit, insert-front" in named.stdout
    assert "free-list (worst fit, insert-front" in overridden.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--header", "3"], "header must be a multiple of 8"),
        (["--heap", "nope"], "invalid choice: 'nope'"),
    ],
)
def test_heap_options_that_do_not_go_together_are_one_line(small, tmp_path, options, message):
    result = orbita("replay", small, *options, tmp_path=tmp_path)
    assert result.returncode in (1, 2) and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_replay_narrates_a_sample_lesson_step_by_step(tmp_path):
    sample = Path(__file__).parents[1] / "resources" / "traces" / "2-no-coalescing.trace"
    result = orbita("replay", sample, "--narrate", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    told = result.stdout.splitlines()
    assert told[0] == "# Fragmentation grows: freed neighbours are never merged."
    at = told.index("line 23: malloc big 200")
    assert told[at + 1 : at + 3] == [
        "  # null: no single region holds 200 bytes",
        "  1. 128 B at 0x444444440300 is too small for 200 B.",
    ]
    assert "  6. No region holds 200 B: allocate returns null." in told


def test_narrate_and_report_do_not_go_together(small, tmp_path):
    result = orbita("replay", small, "--narrate", "--report", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


@pytest.mark.parametrize("heap", list(registry.kinds(registry.HEAP)))
def test_replay_runs_on_every_heap_allocator_and_names_its_rules(small, tmp_path, heap):
    result = orbita("replay", small, "--heap", heap, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    allocator = registry.create(heap)
    assert f", {heap} ({registry.rules_in_words(allocator)})" in result.stdout.splitlines()[0]
