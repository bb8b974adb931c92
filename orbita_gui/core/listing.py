"""Source listings the code panel shows, with the line each step of an event runs.

A listing is a text file in `resources/listings/`: the guide's own Rust for the
guide's allocators, pseudo-code for the policies. A line that a step can point
at ends in a tag comment, `//@function` or `//@function:detail` (several tags,
space-separated, when several cases run that line); a step's `code_line` names
that tag. The tags are cut off before the text is shown.
An unknown detail falls back to its function's first line, so a new kind of
step still lights the function it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from orbita_gui.resources import resource_path

TAG = "//@"


@dataclass(frozen=True)
class Listing:
    """A listing's lines (tags removed, trailing spaces kept off) and its tags' lines."""

    name: str
    lines: tuple[str, ...]
    tags: dict[str, int]

    def line_of(self, code_line: str | None) -> int | None:
        """The line (0-based) a step's `code_line` points at, or None if none here."""
        if not code_line:
            return None
        if code_line in self.tags:
            return self.tags[code_line]
        return self.tags.get(code_line.split(":", 1)[0])

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse_listing(name: str, text: str) -> Listing:
    """A listing from its text; `ValueError` if a tag is given twice."""
    lines, tags = [], {}
    for number, line in enumerate(text.splitlines()):
        body, _, tagged = line.partition(TAG)
        for tag in tagged.split():
            if tag in tags:
                raise ValueError(f"{name}:{number + 1}: the tag {tag!r} is given twice")
            tags[tag] = number
        lines.append(body.rstrip())
    return Listing(name, tuple(lines), tags)


@cache
def listing(name: str) -> Listing:
    """The listing `name` (a file name in resources/listings), read once."""
    path = resource_path("listings", name)
    return parse_listing(name, path.read_text(encoding="utf-8"))
