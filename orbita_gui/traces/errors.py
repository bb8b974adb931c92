"""Errors of trace files: where the first bad line is, and what was expected there."""

from ..core.errors import OrbitaError


class TraceSyntaxError(OrbitaError):
    """A trace file that cannot be read; `str()` is `file:line:column: message`."""

    def __init__(self, source: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{source}:{line}:{column}: {message}")
        self.source, self.line, self.column, self.message = source, line, column, message


def trace_warning(source: str, line: int, column: int, message: str) -> str:
    """Something a reader accepted but the user should know, located as an error is:
    `file:line:column: warning: message`."""
    return f"{source}:{line}:{column}: warning: {message}"
