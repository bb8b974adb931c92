"""A trace long enough to play over many screen frames, for the comparison's tests."""


def churn(operations: int) -> str:
    """A native trace of `operations` mallocs and frees of assorted sizes, at most
    sixteen blocks live: a few hundred bytes at a time on a 64 KiB heap."""
    lines, live = ["frames 1MiB", "heap 0x444444440000 64KiB"], []
    for number in range(operations):
        if len(live) < 16 and number % 3 != 2:
            live.append(f"b{number}")
            lines.append(f"malloc {live[-1]} {16 + number * 37 % 200}")
        else:
            lines.append(f"free {live.pop(number * 7 % len(live))}")
    return "\n".join(lines) + "\n"
