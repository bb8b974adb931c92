"""Physical addresses and frames, as the guide's `memory.rs` defines them.

Addresses are 64-bit (`u64`): arithmetic that would leave 0..2**64-1 raises
`AddressOverflowError` where Rust would panic in a debug build.
"""

from __future__ import annotations

from .errors import AddressOverflowError

FRAME_SIZE = 4096
"""Size of a memory frame (4 KiB)."""

U64_LIMIT = 1 << 64
"""One past the largest 64-bit address."""


def _check_u64(value: int, what: str) -> int:
    if not 0 <= value < U64_LIMIT:
        raise AddressOverflowError(f"{what} {value:#x} does not fit in 64 bits")
    return value


def align_up(addr: int, align: int) -> int:
    """Align `addr` upwards to `align`, a power of two (the guide's `allocator.rs` helper)."""
    return (addr + align - 1) & ~(align - 1)


class PhysAddr:
    """A physical address: the guide's `PhysAddr(u64)`, ordered and hashable."""

    __slots__ = ("_value",)

    def __init__(self, addr: int) -> None:
        self._value = _check_u64(addr, "physical address")

    @classmethod
    def new(cls, addr: int) -> PhysAddr:
        """Create a new physical address."""
        return cls(addr)

    def as_u64(self) -> int:
        """The raw address value."""
        return self._value

    def align_down(self) -> PhysAddr:
        """Align the address down to the nearest frame boundary."""
        return PhysAddr(self._value & ~(FRAME_SIZE - 1))

    def align_up(self) -> PhysAddr:
        """Align the address up to the nearest frame boundary."""
        return PhysAddr(align_up(self._value, FRAME_SIZE))

    def as_frame_number(self) -> int:
        """The number of the frame this address lies in."""
        return self._value // FRAME_SIZE

    def __add__(self, offset: int) -> PhysAddr:
        if not isinstance(offset, int):
            return NotImplemented
        return PhysAddr(self._value + offset)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhysAddr) and other._value == self._value

    def __lt__(self, other: PhysAddr) -> bool:
        return self._value < other._value

    def __le__(self, other: PhysAddr) -> bool:
        return self._value <= other._value

    def __gt__(self, other: PhysAddr) -> bool:
        return self._value > other._value

    def __ge__(self, other: PhysAddr) -> bool:
        return self._value >= other._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"PhysAddr({self._value:#x})"


class Frame:
    """A 4 KiB physical frame, named by its start address (the guide's `Frame`)."""

    __slots__ = ("start_address",)

    def __init__(self, start_address: PhysAddr) -> None:
        self.start_address = start_address

    @classmethod
    def containing_address(cls, addr: PhysAddr) -> Frame:
        """The frame containing `addr`."""
        return cls(addr.align_down())

    @classmethod
    def from_number(cls, frame_number: int) -> Frame:
        """The frame with the given number (frame 3 starts at 0x3000)."""
        return cls(PhysAddr(frame_number * FRAME_SIZE))

    @property
    def number(self) -> int:
        """This frame's number: its start address divided by `FRAME_SIZE`."""
        return self.start_address.as_frame_number()

    def contains(self, addr: PhysAddr) -> bool:
        """Whether `addr` lies in `[start_address, start_address + FRAME_SIZE)`.

        Compared as plain integers: the guide's `start_address + FRAME_SIZE`
        would overflow for the last frame of the 64-bit space.
        """
        start = self.start_address.as_u64()
        return start <= addr.as_u64() < start + FRAME_SIZE

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frame) and other.start_address == self.start_address

    def __hash__(self) -> int:
        return hash(self.start_address)

    def __repr__(self) -> str:
        return f"Frame({self.start_address.as_u64():#x})"
