"""Checkpoint bytes kept out of memory: read back as written, and kept in memory once
the temporary file cannot be written (a full disk)."""

from orbita_gui.traces.spill import Spill


def test_bytes_come_back_as_they_went_in():
    spill = Spill()
    keys = [spill.put(bytes([n]) * (n * 1000 + 1)) for n in range(20)]
    for n, key in reversed(list(enumerate(keys))):
        assert spill.get(key) == bytes([n]) * (n * 1000 + 1)
    assert keys[0][0] >= 0  # in the file


def test_a_full_disk_keeps_the_rest_in_memory(monkeypatch):
    spill = Spill()
    first = spill.put(b"on disk")

    def full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill._file, "write", full)
    second, third = spill.put(b"in memory"), spill.put(b"and this")
    assert (spill.get(first), spill.get(second), spill.get(third)) == (
        b"on disk",
        b"in memory",
        b"and this",
    )
