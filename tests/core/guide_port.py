"""The guide's code ported line by line, slow on purpose: the oracle for the fast core.

Bit-per-frame bitmap with Python loops; a real chain of `ListNode` objects.
`find_region` comes twice: `find_region` with the two defects mended as the
core mends them, and `find_region_as_written`, which keeps them so that tests
can show what they would do.
"""

from __future__ import annotations

FRAME_SIZE = 4096
NODE_SIZE = 16
NODE_ALIGN = 8


class GuideLoopsForever(Exception):
    """`find_region_as_written` looked at the same node more times than any list has."""


def align_up(addr: int, align: int) -> int:
    return (addr + align - 1) & ~(align - 1)


class GuideFrameAllocator:
    def __init__(self, memory_size: int) -> None:
        self.total_frames = memory_size // FRAME_SIZE
        self.bitmap = bytearray((self.total_frames + 7) // 8)
        self.next_free = 0
        self.used_frames = 0

    def mark_frame_used(self, frame_num: int) -> None:
        self.bitmap[frame_num // 8] |= 1 << (frame_num % 8)

    def mark_frame_free(self, frame_num: int) -> None:
        self.bitmap[frame_num // 8] &= ~(1 << (frame_num % 8)) & 0xFF

    def is_frame_used(self, frame_num: int) -> bool:
        return (self.bitmap[frame_num // 8] & (1 << (frame_num % 8))) != 0

    def allocate_frame(self) -> int | None:
        """The start address of the frame found, or None."""
        for frame_num in range(self.next_free, self.total_frames):
            if not self.is_frame_used(frame_num):
                self.mark_frame_used(frame_num)
                self.used_frames += 1
                self.next_free = frame_num + 1
                return frame_num * FRAME_SIZE
        for frame_num in range(0, self.next_free):
            if not self.is_frame_used(frame_num):
                self.mark_frame_used(frame_num)
                self.used_frames += 1
                self.next_free = frame_num + 1
                return frame_num * FRAME_SIZE
        return None

    def free_frame(self, start_address: int) -> None:
        frame_num = start_address // FRAME_SIZE
        if self.is_frame_used(frame_num):
            self.mark_frame_free(frame_num)
            self.used_frames -= 1
            if frame_num < self.next_free:
                self.next_free = frame_num


class ListNode:
    def __init__(self, addr: int, size: int) -> None:
        self.addr = addr
        self.size = size
        self.next: ListNode | None = None

    def end_addr(self) -> int:
        return self.addr + self.size


class GuideLinkedListAllocator:
    def __init__(self) -> None:
        self.head = ListNode(0, 0)

    def init(self, heap_start: int, heap_size: int) -> None:
        self.add_free_region(heap_start, heap_size)

    def add_free_region(self, addr: int, size: int) -> None:
        assert align_up(addr, NODE_ALIGN) == addr
        assert size >= NODE_SIZE
        node = ListNode(addr, size)
        node.next = self.head.next
        self.head.next = node

    def find_region(self, size: int, align: int) -> tuple[ListNode, int] | None:
        """The guide's loop with its evident intent: pass over a node, unlink only it."""
        current = self.head
        while current.next is not None:
            region = current.next
            alloc_start = align_up(region.addr, align)
            alloc_end = alloc_start + size
            if alloc_end >= 1 << 64:  # checked_add(size)?
                return None
            if alloc_end <= region.end_addr():
                excess_size = region.end_addr() - alloc_end
                if 0 < excess_size < NODE_SIZE:
                    current = region  # defect 1 mended: move on
                    continue
                current.next = region.next  # defect 2 mended: keep the rest linked
                return region, alloc_start
            current = region
        return None

    def find_region_as_written(self, size: int, align: int) -> tuple[ListNode, int] | None:
        """The guide's loop exactly: `continue` without advancing, `take()` of the rest."""
        current = self.head
        looks = 0
        while current.next is not None:
            looks += 1
            if looks > 10_000:
                raise GuideLoopsForever
            region = current.next
            alloc_start = align_up(region.addr, align)
            alloc_end = alloc_start + size
            if alloc_end <= region.end_addr():
                excess_size = region.end_addr() - alloc_end
                if 0 < excess_size < NODE_SIZE:
                    continue
                current.next = None  # current.next.take()
                return region, alloc_start
            current = region
        return None

    @staticmethod
    def size_align(size: int, align: int) -> tuple[int, int]:
        align = max(align, NODE_ALIGN)
        size = align_up(size, align)
        return max(size, NODE_SIZE), align

    def allocate(self, size: int, align: int, *, as_written: bool = False) -> int | None:
        size, align = self.size_align(size, align)
        find = self.find_region_as_written if as_written else self.find_region
        found = find(size, align)
        if found is None:
            return None
        region, alloc_start = found
        alloc_end = alloc_start + size
        excess_size = region.end_addr() - alloc_end
        if excess_size >= NODE_SIZE:
            self.add_free_region(alloc_end, excess_size)
        return alloc_start

    def deallocate(self, ptr: int, size: int, align: int) -> None:
        size, _ = self.size_align(size, align)
        self.add_free_region(ptr, size)

    def regions(self) -> list[tuple[int, int]]:
        out, node = [], self.head.next
        while node is not None:
            out.append((node.addr, node.size))
            node = node.next
        return out
