"""Bytes kept in an unnamed temporary file rather than in the process's memory.

A long trace's checkpoints take tens of megabytes, read back one at a time and
rarely; on disk (in the page cache, most likely) they cost the window none of its
memory, as time-travel debuggers keep their snapshots. Where no temporary file can
be written, the bytes stay in memory: slower to nothing, only larger.
"""

from __future__ import annotations

import tempfile


class Spill:
    """Stores byte strings; each `put` returns the key to `get` it back with."""

    def __init__(self) -> None:
        self._file = _temporary_file()
        self._writable = self._file is not None
        self._in_memory: list[bytes] = []

    def put(self, data: bytes) -> tuple[int, int]:
        """Keep `data`: `(offset, length)` in the file, or `(-1 - index, length)` in
        memory once the file cannot be written."""
        if self._writable:
            try:
                offset = self._file.seek(0, 2)
                self._file.write(data)
                return offset, len(data)
            except OSError:  # the disk is full: memory from now on (what is in it stays)
                self._writable = False
        self._in_memory.append(data)
        return -len(self._in_memory), len(data)

    def get(self, key: tuple[int, int]) -> bytes:
        offset, length = key
        if offset < 0:
            return self._in_memory[-1 - offset]
        self._file.seek(offset)
        return self._file.read(length)


def _temporary_file():
    try:
        return tempfile.TemporaryFile()  # unnamed: gone with the process, whatever happens
    except OSError:
        return None
