"""The fixed-size-block heap's events: an allocation, a free and a reallocation.

Like the other events (see `events`), they store only what an operation produced:
the block size the request took (None: larger than every block), the block, and
the fallback's own event when the fallback was asked, whose steps are told here as
the fallback's, pointed at the lines of `fixed_blocks.rs` that call it. `serial`
is the heap's count of operations once this one was made: revert checks that the
event it is given is the latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .events import (
    Allocates,
    Allocation,
    Frees,
    HeapAllocation,
    HeapReallocation,
    HeapRelease,
    Note,
)
from .layout import Layout
from .protocols import Step

_event = dataclass(slots=True, eq=False)


def a_block(size: int) -> str:
    """ "a 32-byte block", "an 8-byte block": a block size spoken with its article (a
    power of two is spoken "an" only when its digits begin with 8)."""
    text = f"{size:,}-byte block"
    return ("an " if text.startswith("8") else "a ") + text


def asked(layout: Layout) -> str:
    return f"{layout.size:,} B aligned to {layout.align:,}"


def class_step(layout: Layout, block_size: int, verb: str) -> Note:
    """`list_index` finding the class: the smallest block size at least the size and
    the alignment (a block is aligned to its size)."""
    reason = f"{asked(layout)} {verb} {a_block(block_size)}: the smallest size that holds both"
    return Note("class", reason, None, "list_index:found")


def larger_step(layout: Layout, largest: int, code_line: str) -> Note:
    """`list_index` finding no class: the request goes to the fallback."""
    if layout.size > largest:
        why = f"{layout.size:,} B is larger than {largest:,}"
    else:
        why = f"an alignment of {layout.align:,} is larger than {largest:,}"
    return Note("larger", f"{why}: the fallback allocates it", None, code_line)


class FromFallback(NamedTuple):
    """A step of the fallback's own, told as the fallback's, at the line of this
    listing that called it (the fallback's own listing is not the one shown)."""

    step: Step
    code_line: str

    @property
    def kind(self) -> str:
        return self.step.kind

    @property
    def reason(self) -> str:
        return "fallback: " + self.step.reason

    @property
    def where(self) -> tuple[int, int] | None:
        return self.step.where


def fallback_steps(event: HeapAllocation | HeapRelease) -> tuple[FromFallback, ...]:
    """The fallback's steps: an allocation's at `fallback_alloc` (its null at the
    `Err` arm), a free's at the `deallocate` call."""
    if type(event) is HeapRelease:
        return tuple(FromFallback(step, "dealloc:fallback") for step in event.steps)
    return tuple(
        FromFallback(
            step,
            "fallback_alloc:null" if step.code_line == "allocate:null" else "fallback_alloc:search",
        )
        for step in event.steps
    )


@_event
class BlockAllocation(Allocates):
    """`alloc(layout)`: `block_size` is the class (None: larger than `largest`); the
    block handed out (None: null); `fallback` the fallback's allocation if it was
    asked (an empty list's new block, or a larger request), else None: popped."""

    layout: Layout
    block_size: int | None
    block: Allocation | None
    fallback: HeapAllocation | None
    largest: int
    serial: int

    @property
    def search(self) -> HeapAllocation | None:
        """The fallback's search, when it searched (a pop searches nothing)."""
        return self.fallback

    @property
    def steps(self) -> tuple:
        """The class (or none); then the pop, or the fallback's search and the new block."""
        layout, size = self.layout, self.block_size
        if size is None:
            return (larger_step(layout, self.largest, "alloc:larger"), *self._fallback_steps())
        first = class_step(layout, size, "takes")
        ptr = self.ptr
        if self.fallback is None:
            reason = f"pop the head of the {size:,}-byte list: {ptr:#x}; its next is the new head"
            return first, Note("pop", reason, (ptr, ptr + size), "alloc:pop")
        empty = (
            f"the {size:,}-byte list is empty: take {a_block(size)} aligned to {size:,} "
            "from the fallback"
        )
        steps = (first, Note("empty", empty, None, "alloc:empty"), *self._fallback_steps())
        return steps if ptr is None else (*steps, self._new_block_step())

    def _fallback_steps(self) -> tuple[FromFallback, ...]:
        return fallback_steps(self.fallback)

    def _new_block_step(self) -> Note:
        size, ptr = self.block_size, self.ptr
        reason = (
            f"the fallback's block at {ptr:#x} is handed out as {a_block(size)}; "
            "freed, it will wait in its list, never going back to the fallback"
        )
        taken = self.fallback.block.size
        if taken > size:
            reason += (
                f"; the fallback took {taken:,} B for it (at least a ListNode), "
                f"so the {taken - size:,} B after it are lost"
            )
        return Note("new-block", reason, (ptr, ptr + size), "alloc:new-block")

    def describe(self) -> str:
        result = "null" if self.block is None else f"{self.ptr:#x}"
        head = f"allocate({self.layout}) -> {result}"
        size = self.block_size
        if size is None:
            return f"{head}: larger than {self.largest:,} B; fallback {self.fallback.describe()}"
        if self.fallback is None:
            return f"{head}: popped the head of the {size:,}-byte list"
        return f"{head}: the {size:,}-byte list was empty; fallback {self.fallback.describe()}"


@_event
class BlockRelease(Frees):
    """`dealloc(ptr, layout)`: the block freed; `block_size` its class (None: larger,
    given back to the fallback, whose free is `fallback`)."""

    allocation: Allocation
    block_size: int | None
    fallback: HeapRelease | None
    largest: int
    serial: int

    @property
    def steps(self) -> tuple:
        layout, size = self.layout, self.block_size
        if size is None:
            larger = larger_step(layout, self.largest, "dealloc:larger")
            return larger, *fallback_steps(self.fallback)
        ptr = self.ptr
        reason = (
            f"push the block at the front of the {size:,}-byte list: the next "
            f"{size:,}-byte request takes it back; it never returns to the fallback"
        )
        push = Note("push", reason, (ptr, ptr + size), "dealloc:push")
        return class_step(layout, size, "came in"), push

    def describe(self) -> str:
        head = f"deallocate({self.ptr:#x}, {self.layout})"
        if self.block_size is None:
            return f"{head}: larger than {self.largest:,} B; fallback {self.fallback.describe()}"
        return f"{head}: pushed at the front of the {self.block_size:,}-byte list"


class BlockReallocation(HeapReallocation):
    """`realloc(ptr, layout, new_size)` as `GlobalAlloc`'s default, which blog_os keeps:
    allocate anew (`allocation`, a `BlockAllocation`), copy, free the old block
    (`release`, a `BlockRelease`). It always moves, even when the old block's class
    holds the new size: that is what the blog's allocator runs."""

    __slots__ = ()

    @property
    def search(self) -> HeapAllocation | None:
        """The fallback's search, when the new block came from it."""
        return self.allocation.search

    @property
    def steps(self) -> tuple:
        """Why it allocates anew; the allocation; then the copy and the free, or the null."""
        steps = (self._anew_step(), *self.allocation.steps)
        if self.release is None:
            reason = "realloc returns null: the old block stays where it is"
            return (*steps, Note("null", reason, None, "realloc:null"))
        new, count = self.new_ptr, min(self.old.layout.size, self.new_size)
        copy = f"copy {count:,} B from {self.ptr:#x} to {new:#x}, then free the old block"
        return (*steps, Note("copy", copy, (new, new + count), "realloc:copy"), *self.release.steps)

    def _anew_step(self) -> Note:
        size, new_size = self.allocation.block_size, self.new_size
        if size is not None and size == self.old.size:
            reason = (
                f"realloc allocates anew for {new_size:,} B: the old {size:,}-byte block "
                "would hold it, but GlobalAlloc's default realloc, which blog_os keeps, "
                "always moves"
            )
        else:
            reason = (
                f"realloc allocates a new block for {new_size:,} B, then copies and frees "
                "the old one (GlobalAlloc's default)"
            )
        return Note("realloc", reason, None, "realloc:alloc")

    def describe(self) -> str:
        head = f"realloc({self.ptr:#x}, {self.layout}, {self.new_size:,})"
        if self.release is None:
            return f"{head} -> null: the old block stays; {self.allocation.describe()}"
        return f"{head} -> {self.new_ptr:#x}: {self.allocation.describe()}; then freed the old"
