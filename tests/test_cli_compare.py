"""`orbita-gui compare`: the table, the first difference, the CSV, and what it refuses."""

import csv
import dataclasses

import pytest

from orbita_gui.app import compare_cli
from orbita_gui.app.main import main
from orbita_gui.traces import Replayer

from .test_cli import NO_COALESCING, orbita
from .traces.test_compare import KNOWN


@pytest.fixture
def known(tmp_path):
    path = tmp_path / "known.trace"
    path.write_text(KNOWN)
    return path


@pytest.fixture
def steady(monkeypatch):
    """Every pass as if it took a millisecond: the table's widths depend on the speed."""
    compare = compare_cli.compare

    def timed(*args, **kwargs):
        comparison = compare(*args, **kwargs)
        columns = [
            dataclasses.replace(c, report=dataclasses.replace(c.report, seconds=0.001))
            for c in comparison.columns
        ]
        return dataclasses.replace(comparison, columns=tuple(columns))

    monkeypatch.setattr(compare_cli, "compare", timed)


def run(capsys, *argv):
    """`orbita-gui compare ARGV` in this process: `(status, stdout, stderr)`."""
    try:
        status = main(["compare", *map(str, argv)])
    except SystemExit as exiting:
        status = exiting.code
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line(err: str, *parts: str) -> None:
    assert err.count("\n") == 1 and err.startswith("orbita-gui: "), err
    assert "Traceback" not in err
    for part in parts:
        assert part in err


def test_the_table_and_the_first_difference(capsys, known, steady):
    """The figures worked by hand in `tests/traces/test_compare.py`."""
    status, out, err = run(capsys, known, "--heap", "guide", "--heap", "best")
    assert status == 0 and err == ""
    assert out.splitlines() == [
        f"{known}: 11 operations, 1,024-byte heap at 0x1000",
        "                                       guide          best",
        "operations                                11            11",
        "failures                                   3             2",
        "peak live payload                      122 B         958 B",
        "footprint                              192 B         968 B",
        "utilization                            63.5%         99.0%",
        "search cost, average (nodes)             1.8           1.5",
        "search cost, largest (nodes)               3             3",
        "internal fragmentation at peak           6 B          10 B",
        "external fragmentation at end           7.1%          0.0%",
        "operations a second             11,000 ops/s  11,000 ops/s",
        "first difference: operation 7 (line 9: malloc e 32): guide -> 0x1000; best -> 0x1050",
    ]


def test_columns_are_titled_by_the_specs_as_written(capsys, known):
    specs = ("guide", "best,addrsort,coalesce", "free-list:fit=worst", "ostep,header=8")
    status, out, _ = run(capsys, known, *(word for spec in specs for word in ("--heap", spec)))
    assert status == 0
    assert out.splitlines()[1].split() == list(specs)


def test_the_sample_without_coalescing_differs_where_200_bytes_find_room(capsys):
    status, out, _ = run(
        capsys, NO_COALESCING, "--heap", "guide", "--heap", "best,addrsort,coalesce"
    )
    assert status == 0
    assert out.splitlines()[-1] == (
        "first difference: operation 15 (line 23: malloc big 200): "
        "guide -> null; best,addrsort,coalesce -> 0x444444440080"
    )


def test_allocators_that_agree_say_so(capsys, known):
    status, out, _ = run(capsys, known, "--heap", "guide", "--heap", "free-list")
    assert status == 0
    assert out.splitlines()[-1] == (
        "no difference: every allocator gave the same answer to every operation"
    )


def test_csv_writes_the_table_and_says_where(capsys, known, tmp_path):
    path = tmp_path / "table.csv"
    status, out, _ = run(capsys, known, "--heap", "guide", "--heap", "best", "--csv", path)
    assert status == 0 and out.splitlines()[-1] == f"table as CSV: {path}"
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["measure", "guide", "best"]
    assert rows[2:5] == [
        ["failures", "3", "2"],
        ["peak live payload (B)", "122", "958"],
        ["footprint (B)", "192", "968"],
    ]


def test_each_allocator_replays_the_trace_once(capsys, monkeypatch, known, tmp_path):
    steps = []
    run_one = Replayer._run
    monkeypatch.setattr(Replayer, "_run", lambda self, op: steps.append(1) or run_one(self, op))
    heaps = ("--heap", "guide", "--heap", "best", "--heap", "ostep")
    status, _, _ = run(capsys, known, *heaps, "--csv", tmp_path / "t.csv")
    assert status == 0 and len(steps) == 3 * 11


@pytest.mark.parametrize("count", [1, 5])
def test_two_to_four_heaps(capsys, known, count):
    status, out, err = run(capsys, known, *["--heap", "guide"] * count)
    assert status == 2 and out == ""
    assert_one_line(err, f"give 2 to 4 --heap options, not {count}")


def test_no_heap_at_all_is_one_line(capsys, known):
    status, _, err = run(capsys, known)
    assert status == 2
    assert_one_line(err, "the following arguments are required: --heap")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("adrsort", "--heap: 'adrsort': 'adrsort' is neither an allocator"),
        ("best,first", "'best,first': 'first' sets fit again (to best already)"),
        ("header=3", "'header=3': with the ListNode rules the header must be a multiple of 8"),
    ],
)
def test_a_heap_spec_refused_is_one_line_naming_the_word(capsys, known, spec, message):
    status, out, err = run(capsys, known, "--heap", "guide", "--heap", spec)
    assert status == 2 and out == ""
    assert_one_line(err, message, "(see: orbita-gui compare --help)")


def test_a_bad_trace_is_one_line_with_its_location(capsys, tmp_path):
    bad = tmp_path / "bad.trace"
    bad.write_text("malloc a 24\nmalloc b lots\n")
    status, out, err = run(capsys, bad, "--heap", "guide", "--heap", "best")
    assert status == 1 and out == ""
    assert_one_line(err, f"{bad}:2:10: expected a size in bytes, found 'lots'")


def test_a_heap_size_the_machine_refuses_is_one_line(capsys, known):
    status, out, err = run(capsys, known, "--heap", "guide", "--heap", "best", "--heap-size", "1T")
    assert status == 1 and out == ""
    assert_one_line(err, "heap")


def test_a_rep_runs_in_the_heap_size_given(capsys, tmp_path):
    path = tmp_path / "t.rep"
    path.write_text("20\n2\n4\n1\na 0 8\na 1 8\nf 0\nf 1\n")
    status, out, _ = run(capsys, path, "--heap", "guide", "--heap", "best", "--heap-size", "64KiB")
    assert status == 0 and "4 operations, 65,536-byte heap at " in out.splitlines()[0]


def test_an_unwritable_csv_is_refused_before_replaying(capsys, monkeypatch, known, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(compare_cli, "compare", None)  # replaying would fail loudly
    status, out, err = run(capsys, known, "--heap", "guide", "--heap", "best", "--csv", "out/t.csv")
    assert status == 1 and out == ""
    assert_one_line(err, "cannot write out/t.csv: no such folder out")


def test_a_failed_csv_write_is_one_line(capsys, monkeypatch, known, tmp_path):
    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(compare_cli, "write_comparison_csv", disk_full)
    status, out, err = run(
        capsys, known, "--heap", "guide", "--heap", "best", "--csv", tmp_path / "t"
    )
    assert status == 1 and "first difference" in out
    assert_one_line(err, "t: No space left on device")


def test_the_command_runs_as_a_program(known, tmp_path):
    result = orbita("compare", known, "--heap", "guide", "--heap", "best", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "first difference: operation 7 (line 9: malloc e 32)" in result.stdout
