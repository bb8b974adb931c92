"""`orbita-gui replay` refuses in one line, replays once, and stays quiet where it should."""

import io
import os
import subprocess
import sys

import pytest

from orbita_gui.app import cli
from orbita_gui.app.main import main
from orbita_gui.traces import Replayer

from .test_cli import SMALL


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.trace"
    path.write_text(SMALL)
    return path


def run(capsys, *argv):
    """`orbita-gui replay ARGV` in this process: `(status, stdout, stderr)`."""
    try:
        status = cli.replay_command([str(arg) for arg in argv])
    except SystemExit as exiting:
        status = exiting.code
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line(err: str, *parts: str) -> None:
    assert err.count("\n") == 1 and err.startswith("orbita-gui: "), err
    assert "Traceback" not in err
    for part in parts:
        assert part in err


def test_orbita_gui_replay_runs_the_replay_command(capsys, small):
    status = main(["replay", str(small)])
    assert status == 0 and "operations          6" in capsys.readouterr().out


@pytest.mark.parametrize("size", ["1", "0", "1T", "64G"])
def test_a_heap_size_the_machine_refuses_is_one_line_and_status_1(capsys, small, size):
    status, out, err = run(capsys, small, "--heap-size", size)
    assert status == 1 and out == ""  # refused at once: a 64 GiB machine is never built
    assert_one_line(err, "heap")  # the machine's own message says what it accepts


def test_an_option_the_parser_refuses_is_one_line_and_status_2(capsys, small):
    status, out, err = run(capsys, small, "--heap-size", "lots")
    assert status == 2 and out == ""
    assert_one_line(err, "--heap-size", "'lots' is not a size")


@pytest.mark.parametrize("option", ["--csv", "--screenshot"])
def test_an_output_in_a_missing_folder_is_refused_before_replaying(
    capsys, monkeypatch, small, tmp_path, option
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "replay", None)  # replaying would fail loudly
    status, out, err = run(capsys, small, option, "out/stats.csv")
    assert status == 1 and out == ""
    assert_one_line(err, "cannot write out/stats.csv: no such folder out")


def test_an_output_that_is_a_folder_is_refused(capsys, small, tmp_path):
    status, _, err = run(capsys, small, "--csv", tmp_path)
    assert status == 1
    assert_one_line(err, f"cannot write {tmp_path}: it is a folder")


def test_a_failed_csv_write_is_one_line(capsys, monkeypatch, small, tmp_path):
    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "write_stats_csv", disk_full)
    status, out, err = run(capsys, small, "--csv", tmp_path / "stats.csv")
    assert status == 1 and "operations          6" in out
    assert_one_line(err, "stats.csv: No space left on device")


def test_a_closed_pipe_ends_quietly(small, tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-m", "orbita_gui", "replay", str(small), "--report"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    child.stdout.close()  # as `| head -0` would, before the first line comes
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    assert err == ""


def test_report_replays_the_trace_once(capsys, monkeypatch, small):
    steps = []  # every path of the replayer, headless included, runs an operation here
    run_one = Replayer._run
    monkeypatch.setattr(Replayer, "_run", lambda self, op: steps.append(1) or run_one(self, op))
    status, out, _ = run(capsys, small, "--report")
    assert status == 0 and len(steps) == 6
    assert "failed: line 7: free nobody: no block is allocated" in out
    assert "failed: line 8: allocate(Layout { size: 5000, align: 8 }) -> null" in out


def test_the_traces_warnings_go_to_stderr_one_a_line(capsys, tmp_path):
    path = tmp_path / "long.rep"
    path.write_text("2\n3\n" + "a 0 8\nf 0\na 1 8\n" + "f 1\n" * 30)  # 30 lines unread
    status, out, err = run(capsys, path)
    assert status == 0 and "operations          3" in out
    assert err.startswith(f"{path}:6:1: warning: the header announces 3 operations")
    assert err.count("\n") == 1


def test_warnings_beyond_20_are_counted(capsys, monkeypatch):
    warnings = tuple(f"t:{n}:1: warning: w" for n in range(1, 26))
    cli._print_warnings(warnings)
    err = capsys.readouterr().err.splitlines()
    assert err[:20] == list(warnings[:20]) and err[20:] == ["... and 5 more warnings"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_in_place_and_is_cleared(capsys, monkeypatch, tmp_path):
    path = tmp_path / "long.trace"
    path.write_text("heap 0x1000 4096\n" + "malloc a 100\nfree a\n" * 5000)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli, "PROGRESS_SECONDS", 0)
    status, out, _ = run(capsys, path)
    shown = terminal.getvalue()
    assert status == 0 and "operations          10,000" in out
    assert "\rreplaying: 20% of 10,000 operations" in shown and "a second" in shown
    assert "\n" not in shown and shown.endswith("\r") and shown.split("\r")[-2].strip() == ""


def test_no_progress_when_stderr_is_not_a_terminal(capsys, monkeypatch, tmp_path):
    path = tmp_path / "long.trace"
    path.write_text("heap 0x1000 4096\n" + "malloc a 100\nfree a\n" * 5000)
    monkeypatch.setattr(cli, "PROGRESS_SECONDS", 0)
    status, _, err = run(capsys, path)
    assert status == 0 and err == ""


def test_progress_is_shown_a_few_times_a_second_at_most():
    ticks = iter([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    terminal = FakeTerminal()
    progress = cli.TerminalProgress(terminal, clock=lambda: next(ticks))
    for done in range(1, 7):
        progress(done * 1000, 6000)
    assert terminal.getvalue().count("\r") == 2  # at 0.3 s and at 0.6 s
    width = len(terminal.getvalue().split("\r")[-1])
    progress.clear()
    assert terminal.getvalue().endswith("\r" + " " * width + "\r")


def test_huge_allocations_in_a_rep_are_failed_allocations(capsys, tmp_path):
    path = tmp_path / "big.rep"
    path.write_text("2\n4\na 0 18446744073709551616\nf 0\na 1 8\nf 1\n")
    status, out, _ = run(capsys, path)
    assert status == 0
    assert "failures            1 (1 failed allocation" in out and "0 invalid frees" in out
