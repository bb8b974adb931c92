"""A plain buddy allocator, slow on purpose: the oracle for `BuddyFrames`.

Written from issue 11's rules, not from the fast allocator: a Python set of
first frames per order, `min` for the lowest, loops for everything else; the
live blocks in a dict; the bitmap and the counts recomputed from the live
blocks each time they are read. Memory that is not a power of two is covered
block by block from frame 0, each the largest that is aligned and fits.
"""

from __future__ import annotations


def smallest_order(count: int) -> int:
    order = 0
    while 2**order < count:
        order += 1
    return order


class ReferenceBuddy:
    def __init__(self, total_frames: int) -> None:
        self.total = total_frames
        self.top = 0
        while 2 ** (self.top + 1) <= total_frames:
            self.top += 1
        self.free: dict[int, set[int]] = {order: set() for order in range(self.top + 1)}
        self.live: dict[int, tuple[int, int]] = {}  # first frame -> (order, frames asked)
        start = 0
        while start < total_frames:
            order = self.top
            while start % 2**order or start + 2**order > total_frames:
                order -= 1
            self.free[order].add(start)
            start += 2**order

    def allocate(self, count: int) -> int | None:
        """The first frame of the block handed out, or None."""
        order = smallest_order(count)
        source = order
        while source <= self.top and not self.free[source]:
            source += 1
        if source > self.top:
            return None
        start = min(self.free[source])
        self.free[source].remove(start)
        while source > order:
            source -= 1
            self.free[source].add(start + 2**source)  # the upper half; the lower goes on
        self.live[start] = (order, count)
        return start

    def free_block(self, start: int) -> int:
        """Free the live block at `start`; the number of merges."""
        order, _ = self.live.pop(start)
        merges = 0
        while order < self.top:
            buddy = start + 2**order if start % 2 ** (order + 1) == 0 else start - 2**order
            if buddy not in self.free[order]:
                break
            self.free[order].remove(buddy)
            start = min(start, buddy)
            order += 1
            merges += 1
        self.free[order].add(start)
        return merges

    def take_first_frames(self, count: int) -> None:
        """The heap's pages at boot: frames 0 to count - 1 in address order, each split off
        the free block that holds it down to order 0."""
        for frame in range(count):
            start, order = self.free_block_holding(frame)
            self.free[order].remove(start)
            while order > 0:
                order -= 1
                lower, upper = start, start + 2**order
                if frame >= upper:
                    lower, upper = upper, lower
                self.free[order].add(upper)  # the half without the frame
                start = lower
            self.live[frame] = (0, 1)

    def free_block_holding(self, frame: int) -> tuple[int, int]:
        for order, starts in self.free.items():
            for start in starts:
                if start <= frame < start + 2**order:
                    return start, order
        raise AssertionError(f"frame {frame} is in no free block")

    # Reading

    def free_sets(self) -> list[list[int]]:
        return [sorted(self.free[order]) for order in range(self.top + 1)]

    def bitmap(self) -> list[int]:
        used = [0] * self.total
        for start, (order, _) in self.live.items():
            for frame in range(start, start + 2**order):
                used[frame] = 1
        return used

    def used_frames(self) -> int:
        return sum(2**order for order, _ in self.live.values())

    def requested_frames(self) -> int:
        return sum(count for _, count in self.live.values())
