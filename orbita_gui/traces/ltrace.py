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

from .errors import TraceSyntaxError
from .source import read_text
from .trace import FREE, MALLOC, NULL, REALLOC, Op, Trace

FUNCTIONS = ("malloc", "calloc", "realloc", "free")
CALL = re.compile(
    r"^(?:\[pid (?P<pid>\d+)\]\s*)?(?:[\d:.]+\s+)?(?:\S+->)?"
    r"(?P<func>malloc|calloc|realloc|free)\((?P<args>[^)]*?)(?P<rest>\).*|\s*<unfinished \.\.\.>)$"
)
RESUMED = re.compile(
    r"^(?:\[pid (?P<pid>\d+)\]\s*)?(?:[\d:.]+\s+)?<\.\.\. (?P<func>\w+) resumed>\s*(?P<rest>.*)$"
)
RESULT = re.compile(r"^\)?\s*=\s*(?P<value>\S+)")
NULLS = ("0", "nil", "NULL", "(nil)", "0x0")


def _pointer(token: str) -> str | None:
    """A pointer argument or result as a name; NULL as `NULL`; None if not a pointer."""
    token = token.strip()
    if token in NULLS:
        return NULL
    return token.lower() if re.fullmatch(r"0x[0-9a-fA-F]+", token) else None


def _count(token: str) -> int | None:
    token = token.strip()
    return int(token, 0) if re.fullmatch(r"0x[0-9a-fA-F]+|\d+", token) else None


def parse_ltrace(text: str, source: str = "<trace>") -> Trace:
    ops: list[Op] = []
    pending: dict[str | None, tuple[str, str, int, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        call, resumed = CALL.match(stripped), RESUMED.match(stripped)
        if call:
            func, args, rest = call["func"], call["args"], call["rest"]
            if "<unfinished" in rest:
                pending[call["pid"]] = (func, args, number, line)
                continue
        elif resumed and resumed["func"] in FUNCTIONS:
            if resumed["pid"] not in pending:
                raise TraceSyntaxError(source, number, 1, f"{resumed['func']} resumed, never begun")
            func, args, _, _ = pending.pop(resumed["pid"])
            rest = resumed["rest"]
        else:
            if (
                re.search(r"\b(malloc|calloc|realloc|free)\(", stripped)
                and "resumed" not in stripped
            ):
                column = line.find("(") + 1
                raise TraceSyntaxError(source, number, max(column, 1), "cannot read this call")
            continue
        op = _op(func, args, rest, number, line, source)
        if op is not None:
            ops.append(op)
    if not ops:
        raise TraceSyntaxError(source, 1, 1, "no malloc, calloc, realloc or free calls found")
    return Trace(source, tuple(ops))


def _op(func: str, args: str, rest: str, number: int, line: str, source: str) -> Op | None:
    def bad(token: str, message: str) -> TraceSyntaxError:
        column = line.find(token) + 1 if token else 1
        return TraceSyntaxError(source, number, max(column, 1), message)

    parts = [a.strip() for a in args.split(",")] if args.strip() else []
    result = RESULT.match(rest.strip())
    value = result["value"] if result else None
    if func == "free":
        pointer = _pointer(parts[0]) if len(parts) == 1 else None
        if pointer is None:
            raise bad(args, f"expected free(POINTER), found free({args})")
        return Op(FREE, pointer, line=number)
    if value is None:
        raise bad(func, f"expected {func}(...) = POINTER")
    returned = _pointer(value)
    if returned is None:
        raise bad(value, f"expected a pointer after '=', found {value!r}")
    if func == "malloc" or func == "calloc":
        counts = [_count(p) for p in parts]
        if len(parts) != (1 if func == "malloc" else 2) or None in counts:
            raise bad(
                args, f"expected {func} with {'a size' if func == 'malloc' else 'two counts'}"
            )
        size = counts[0] if func == "malloc" else counts[0] * counts[1]
        return None if returned == NULL else Op(MALLOC, returned, size, 16, number)
    old, size = (_pointer(parts[0]), _count(parts[1])) if len(parts) == 2 else (None, None)
    if old is None or size is None:
        raise bad(args, "expected realloc(POINTER, SIZE)")
    if returned == NULL:
        return Op(FREE, old, line=number) if size == 0 else None  # realloc(p, 0) frees p
    return Op(REALLOC, old, size, 16, number, new_name=returned)


def read_ltrace(path: str | Path) -> Trace:
    path = Path(path)
    return parse_ltrace(read_text(path), str(path))
