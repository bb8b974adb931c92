"""Numbered lines of a trace file, and errors that point into them."""

from __future__ import annotations

from .errors import TraceSyntaxError


class SourceLines:
    """The non-blank lines of a text, with their numbers; `#` starts a comment when asked."""

    def __init__(self, source: str, text: str, comments: bool = False) -> None:
        self.source = source
        self.rows: list[tuple[int, str]] = []
        for number, line in enumerate(text.splitlines(), 1):
            if comments and "#" in line:
                line = line[: line.index("#")]
            if line.strip():
                self.rows.append((number, line))

    @property
    def end(self) -> int:
        """The line just after the last one (where a missing thing would be)."""
        return self.rows[-1][0] + 1 if self.rows else 1

    def error(self, line: int, text: str, token: str | None, message: str) -> TraceSyntaxError:
        """An error at `token` within `line` (column 1 if no token)."""
        column = text.find(token) + 1 if token else 1
        return TraceSyntaxError(self.source, line, max(column, 1), message)


def read_text(path) -> str:
    """A trace file's text; a file that is not UTF-8 text is a `TraceSyntaxError`."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise TraceSyntaxError(str(path), 1, 1, f"not a text file: {error.reason}") from None
    except OSError as error:
        raise TraceSyntaxError(str(path), 1, 1, f"cannot read it: {error.strerror}") from None
