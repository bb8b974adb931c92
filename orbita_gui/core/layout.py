"""`Layout`: a size and a power-of-two alignment, as Rust's `core::alloc::Layout`."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LayoutError

ISIZE_MAX = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Layout:
    """A request's size and alignment; construction validates like `from_size_align`."""

    size: int
    align: int

    def __post_init__(self) -> None:
        size, align = self.size, self.align
        if type(size) is not int or type(align) is not int:
            raise LayoutError(f"size and alignment must be integers, not {size!r} and {align!r}")
        if size < 0:
            raise LayoutError(f"size {size} is negative")
        if align <= 0 or align & (align - 1):
            raise LayoutError(f"alignment {align} is not a power of two")
        if size > ISIZE_MAX - (align - 1):
            raise LayoutError(
                f"size {size} rounded up to alignment {align} overflows the address space"
            )

    @classmethod
    def from_size_align(cls, size: int, align: int) -> Layout:
        """Rust's constructor name; raises `LayoutError` where Rust returns `Err`."""
        return cls(size, align)

    def align_to(self, align: int) -> Layout:
        """This layout with at least the given alignment."""
        return Layout(self.size, max(self.align, align))

    def pad_to_align(self) -> Layout:
        """This layout with its size rounded up to a multiple of its alignment."""
        return Layout((self.size + self.align - 1) & ~(self.align - 1), self.align)

    def __str__(self) -> str:
        return f"Layout {{ size: {self.size}, align: {self.align} }}"
