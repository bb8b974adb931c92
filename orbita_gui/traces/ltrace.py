"""`ltrace` output of a real program's malloc, calloc, realloc and free calls.

Lines such as `malloc(24) = 0x55d0c8e4a2a0`, with or without a `[pid N]`
prefix, a timestamp or a `lib->` prefix, and split `<unfinished ...>` /
`<... malloc resumed>` pairs. Blocks are named by the program's own pointers,
so that the simulated heap replays the same requests by size and identity.
Other calls are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from ..core.errors import cut
from ..core.units import whole_number
from .errors import TraceSyntaxError
from .source import ascii_hint, numbered_lines, quoted, read_text
from .trace import FREE, MALLOC, NULL, REALLOC, Ops, Trace

FUNCTIONS = ("malloc", "calloc", "realloc", "free")
_PREFIX = r"(?:\[pid (?P<pid>[0-9]+)\]\s*)?(?:[0-9:.]+\s+)?"
CALL = re.compile(
    _PREFIX + r"(?:\S+->)?(?P<func>malloc|calloc|realloc|free)\((?P<args>[^)]*)(?P<rest>\).*)?$"
)
"""A call; without `rest` (no closing parenthesis) it must end `<unfinished ...>`.
Nothing in it can backtrack: a hostile line costs its length, not its square."""
UNFINISHED = "<unfinished ...>"
RESUMED = re.compile(_PREFIX + r"<\.\.\. (?P<func>\w+) resumed>\s*(?P<rest>.*)$")
LINE = re.compile(_PREFIX + r"(?:\S+->)?(?:[A-Za-z_]\w*\(|<\.\.\. |\+\+\+ |--- )", re.ASCII)
"""A line of ltrace output: a call, a resumed call, an exit or a signal."""
MENTION = re.compile(_PREFIX + r"(?:\S+->)?(?:malloc|calloc|realloc|free)\(")
"""A line calling one of them, readable or not (not one that only quotes `malloc(`)."""
RESULT = re.compile(r"\s*(?:\)\s*)?=\s*(?P<value>\S+)")
NULLS = ("0", "nil", "NULL", "(nil)", "0x0")


class _Call(NamedTuple):
    """A whole call, perhaps from two lines: where its arguments and its result are."""

    func: str
    args: str
    args_line: int
    args_column: int
    rest: str
    rest_column: int
    line: int


LEADING_ZERO = re.compile(r"0[0-9]+")


def _pointer(token: str) -> str | None:
    """A pointer argument or result as a name; NULL as `NULL`; None if not a pointer."""
    if token in NULLS:
        return NULL
    return token.lower() if re.fullmatch(r"0x[0-9a-fA-F]+", token) else None


def _arguments(args: str, column: int) -> list[tuple[str, int]]:
    """Each comma-separated argument, stripped, with its column."""
    if not args.strip():
        return []
    found, offset = [], 0
    for part in args.split(","):
        found.append((part.strip(), column + offset + len(part) - len(part.lstrip())))
        offset += len(part) + 1
    return found


def parse_ltrace(text: str, source: str = "<trace>") -> Trace:
    """Read a whole ltrace log; the first call that cannot be read raises `TraceSyntaxError`."""
    ops = Ops()
    append = ops.appender()
    pending: dict[str | None, tuple[str, str, int, int]] = {}
    for number, line in numbered_lines(text):
        call = _call(source, number, line, pending)
        op = _op(source, call) if call else None
        if op:
            append(*op)
    if not ops:
        raise TraceSyntaxError(source, 1, 1, "no malloc, calloc, realloc or free calls found")
    return Trace(source, ops)


def _call(
    source: str, number: int, line: str, pending: dict[str | None, tuple[str, str, int, int]]
) -> _Call | None:
    """The malloc-family call this line completes, if any; one it begins but does not
    finish (`<unfinished ...>`) waits in `pending` for its `<... resumed>` line."""
    start, end = len(line) - len(line.lstrip()), len(line.rstrip())
    call = CALL.match(line, start, end)
    if call and (call["rest"] or call["args"].endswith(UNFINISHED)):
        begun = (
            call["func"],
            call["args"].removesuffix(UNFINISHED),
            number,
            call.start("args") + 1,
        )
        if call["rest"]:
            return _Call(*begun, call["rest"], call.start("rest") + 1, number)
        pending[call["pid"]] = begun
        return None
    resumed = RESUMED.match(line, start, end)
    if resumed and resumed["func"] in FUNCTIONS:
        begun = pending.pop(resumed["pid"], None)
        if begun is None:
            message = f"{resumed['func']} resumed, never begun"
            raise TraceSyntaxError(source, number, start + 1, message)
        return _Call(*begun, resumed["rest"], resumed.start("rest") + 1, number)
    mention = MENTION.match(line, start, end)
    if mention:
        message = "cannot read this call: expected e.g. malloc(24) = 0x55d0c8e4a2a0"
        raise TraceSyntaxError(source, number, mention.end(), message)
    return None


def _count(token: str) -> int | None:
    """A size or count as ltrace prints it: decimal without leading zeros, or 0x hex.
    ltrace never prints `010`; in a hand-made file it is ambiguous, so it is refused."""
    return None if LEADING_ZERO.fullmatch(token) else whole_number(token, hexadecimal=True)


def _leading_zero_hint(args: list[tuple[str, int]]) -> str:
    if any(LEADING_ZERO.fullmatch(arg) for arg, _ in args):
        return " (no leading zero: C reads 010 as 8, a person as 10)"
    return ""


def _op(source: str, call: _Call) -> tuple | None:
    """`(kind, name, size, align, line[, new_name])` for the call; None if there is
    nothing to replay (an allocation that returned NULL)."""
    func, args = call.func, _arguments(call.args, call.args_column)

    def bad(column: int, message: str) -> TraceSyntaxError:
        return TraceSyntaxError(source, call.args_line, column, message)

    if func == "free":
        pointer = _pointer(args[0][0]) if len(args) == 1 else None
        if pointer is None:
            raise bad(call.args_column, f"expected free(POINTER), found free({cut(call.args)})")
        return FREE, pointer, 0, 8, call.line
    result = RESULT.match(call.rest)
    if result is None:
        message = f"expected {func}(...) = POINTER"
        raise TraceSyntaxError(source, call.line, call.rest_column, message)
    returned = _pointer(result["value"])
    if returned is None:
        column = call.rest_column + result.start("value")
        message = f"expected a pointer after '=', found {quoted(result['value'])}"
        raise TraceSyntaxError(source, call.line, column, message)
    counts = [_count(arg) for arg, _ in args]
    if func == "realloc":
        old = _pointer(args[0][0]) if len(args) == 2 else None
        if old is None or counts[1] is None:
            column = args[1][1] if old is not None else call.args_column
            found = f"expected realloc(POINTER, SIZE), found realloc({cut(call.args)})"
            raise bad(column, found + _leading_zero_hint(args))
        if returned == NULL:  # realloc(p, 0) frees p; a failed realloc changes nothing
            return (FREE, old, 0, 8, call.line) if counts[1] == 0 else None
        return REALLOC, old, counts[1], 16, call.line, returned
    if len(args) != (1 if func == "malloc" else 2) or None in counts:
        column = next(
            (c for (_, c), n in zip(args, counts, strict=True) if n is None), call.args_column
        )
        wanted = "a size" if func == "malloc" else "two counts"
        message = f"expected {func} with {wanted} in decimal or 0x hex digits"
        raise bad(column, message + _leading_zero_hint(args) + ascii_hint(call.args))
    size = counts[0] if func == "malloc" else counts[0] * counts[1]
    return None if returned == NULL else (MALLOC, returned, size, 16, call.line)


def read_ltrace(path: str | Path) -> Trace:
    path = Path(path)
    return parse_ltrace(read_text(path), str(path))
