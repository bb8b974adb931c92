"""Every allocator of the family by name: what exists, what it takes, and making one.

>>> from orbita_gui.core.registry import create
>>> create("free-list", fit="best", order="addrsort", coalesce=True).rules.fit
'best'

A new allocator is one module and one `register` call below; the machine, the
command line, the New-machine dialog and the views find it here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from .allocators.bitmap_frames import FrameAllocator
from .allocators.buddy_frames import BuddyFrames
from .allocators.fixed_blocks import LARGEST_BLOCK, LARGEST_BLOCK_LIMIT, FixedBlockHeap
from .allocators.free_list_heap import FreeListHeap
from .allocators.heap_rules import FITS, GUIDE, LEFTOVERS, ORDERS, OSTEP, HeapRules
from .allocators.segregated import DEFAULT_CLASSES, MAX_CLASSES, SegregatedHeap
from .allocators.slab import KMALLOC_SIZES, MIN_OBJECTS, SlabHeap
from .errors import InvalidParameterError
from .protocols import Allocator

FRAMES, HEAP = "frames", "heap"
"""The two layers of a machine."""


@dataclass(frozen=True)
class Param:
    """One parameter an allocator takes: its default and, if it is a choice, the choices."""

    name: str
    default: object
    choices: tuple | None = None
    help: str = ""

    def parse(self, text: str) -> object:
        """A value of this parameter from its text: yes/no for a flag, a whole number,
        or one of the choices."""
        if isinstance(self.default, bool):
            flag = _FLAGS.get(text.lower())
            if flag is None:
                raise InvalidParameterError(f"{self.name} is yes or no, not {text!r}")
            return flag
        if isinstance(self.default, int):
            try:
                return int(text, 0)
            except ValueError:
                raise InvalidParameterError(
                    f"{self.name} is a whole number, not {text!r}"
                ) from None
        if self.choices is not None and text not in self.choices:
            raise InvalidParameterError(
                f"{self.name} {text!r} is not one of: {', '.join(map(str, self.choices))}"
            )
        return text

    def format(self, value: object) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)


_FLAGS = {"yes": True, "on": True, "true": True, "no": False, "off": False, "false": False}


@dataclass(frozen=True)
class Kind:
    """A registered allocator: its layer, how to make it, and what it takes."""

    name: str
    layer: str
    factory: Callable[..., Allocator]
    params: tuple[Param, ...] = ()
    help: str = ""
    view: str = field(default="")
    """Which kind of picture shows it (the views' table is keyed by this)."""
    listing: str = ""
    """Its source listing for the code panel, a file of resources/listings (see
    `core.listing`): the guide's code for the guide's pair, pseudo-code otherwise."""
    blocks: bool = False
    """A frame allocator that also hands out blocks of contiguous frames
    (`protocols.BlockFrameAllocator`)."""
    grows: bool = False
    """A heap that takes pages from the frame allocator as it needs them
    (`protocols.GrowingHeap`), rather than all at boot."""

    def parse_params(self, words: list[str]) -> dict[str, object]:
        """`key=value` words (as a trace header or the command line writes them) as
        parameters; `InvalidParameterError` names the word at fault."""
        params = {}
        for word in words:
            key, equals, text = word.partition("=")
            if not equals:
                raise InvalidParameterError(f"expected key=value, found {word!r}")
            params[key] = self.param(key).parse(text)
        return params

    def format_params(self, params: dict[str, object]) -> list[str]:
        """The parameters that differ from this kind's defaults, as `key=value` words."""
        return [
            f"{p.name}={p.format(params[p.name])}"
            for p in self.params
            if p.name in params and params[p.name] != p.default
        ]

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise InvalidParameterError(f"{self.name} takes no parameter {name!r} (it takes: {known})")


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add an allocator to the family (a name may be registered once)."""
    if kind.name in _KINDS:
        raise ValueError(f"an allocator named {kind.name!r} is registered already")
    _KINDS[kind.name] = kind
    return kind


def block_allocators() -> list[str]:
    """The frame allocators that hand out blocks of contiguous frames."""
    return [name for name, kind in kinds(FRAMES).items() if kind.blocks]


def rules_in_words(allocator) -> str:
    """An allocator's rules as a teacher checks them: a free-list heap's policy, else
    its parameters, else its kind's help."""
    rules = getattr(allocator, "rules", None)
    if rules is not None:
        return rules.describe()
    kind = _KINDS[allocator.kind]
    values = allocator.params
    settings = [f"{p.name}={p.format(values[p.name])}" for p in kind.params if values[p.name] != ""]
    return ", ".join(settings) or kind.help


def kinds(layer: str | None = None) -> Mapping[str, Kind]:
    """The registered allocators (of one layer, if given), by name, in registration order."""
    if layer is None:
        return MappingProxyType(_KINDS)
    return MappingProxyType({n: k for n, k in _KINDS.items() if k.layer == layer})


def kind(name: str) -> Kind:
    """The registered allocator called `name`; `InvalidParameterError` naming those that exist."""
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(_KINDS)
        raise InvalidParameterError(
            f"no allocator is called {name!r} (there are: {known})"
        ) from None


def create(name: str, **params) -> Allocator:
    """A new allocator of the kind `name` with `params` (the rest at their defaults)."""
    entry = kind(name)
    for key in params:
        entry.param(key)  # refuses what it does not take, naming what it does
    return entry.factory(**params)


# The family


def _heap_params(preset: HeapRules) -> tuple[Param, ...]:
    choices = {
        "fit": FITS,
        "order": ORDERS,
        "leftover": LEFTOVERS,
        "coalesce": (False, True),
        "node_rules": (False, True),
    }
    helps = {
        "fit": "how a region is chosen: first from the head, next from where the last "
        "search ended, best (the smallest that fits), worst (the largest)",
        "order": "where a freed region goes in the free list",
        "coalesce": "join free regions that are neighbours in the list and in memory "
        "after each free (OSTEP's pass)",
        "header": "bytes of header in front of each block (malloc.py -H)",
        "round_to": "sizes rounded up to a multiple of this (malloc.py -a)",
        "node_rules": "the guide's ListNode rules: 8-byte alignment, blocks of at least "
        "16 bytes, no leftover of 1 to 15 bytes",
        "leftover": "where the rest of a split region goes: back where the order says "
        "(push) or in the chosen node's place (in-place)",
    }
    return tuple(
        Param(f.name, getattr(preset, f.name), choices.get(f.name), helps[f.name])
        for f in fields(HeapRules)
        if f.init
    )


def _preset(rules: HeapRules) -> Callable[..., FreeListHeap]:
    def make(**params) -> FreeListHeap:
        base = {p.name: p.default for p in _heap_params(rules)}
        return FreeListHeap(HeapRules(**{**base, **params}))

    return make


register(
    Kind(
        "bitmap",
        FRAMES,
        FrameAllocator,
        (Param("memory_size", 1 << 30),),
        "the guide's bitmap frame allocator: first free frame from next_free",
        view="bitmap",
        listing="guide_frames.rs",
    )
)
register(
    Kind(
        "guide",
        HEAP,
        _preset(GUIDE),
        _heap_params(GUIDE),
        "the guide's linked-list heap: first fit, insert-front, no merging, ListNode rules",
        view="free-list",
        listing="guide_heap.rs",
    )
)
register(
    Kind(
        "free-list",
        HEAP,
        _preset(GUIDE),
        _heap_params(GUIDE),
        "a free-list heap with OSTEP's policies: fit, list order, coalescing, headers",
        view="free-list",
        listing="free_list.txt",
    )
)
register(
    Kind(
        "ostep",
        HEAP,
        _preset(OSTEP),
        _heap_params(OSTEP),
        "OSTEP malloc.py's defaults: best fit, address order, no coalescing",
        view="free-list",
        listing="free_list.txt",
    )
)
register(
    Kind(
        "buddy",
        FRAMES,
        BuddyFrames,
        (Param("memory_size", 1 << 30),),
        "a buddy frame allocator: blocks of 2**k frames, the lowest free block of the "
        "smallest order that holds a request, split in halves; freed blocks merge "
        "with their free buddies",
        view="buddy",
        listing="buddy.txt",
        blocks=True,
    )
)
register(
    Kind(
        "segregated",
        HEAP,
        SegregatedHeap,
        (
            Param(
                "classes",
                DEFAULT_CLASSES,
                help=f"size classes, 1 to {MAX_CLASSES}: 16-31 B, 32-63 B, ... and a last "
                "class of every larger size (1 class is the guide's heap)",
            ),
            Param(
                "coalesce",
                False,
                (False, True),
                "join a freed block with the free regions next to it in memory, each "
                "unlinked from its own class",
            ),
        ),
        "segregated free lists: one list per power-of-two size class, first fit in the "
        "request's class then the larger ones, leftovers to their own class, push-front, "
        "the guide's ListNode rules",
        view="size-classes",
        listing="segregated.txt",
    )
)
register(
    Kind(
        "fixed-blocks",
        HEAP,
        FixedBlockHeap,
        (
            Param(
                "largest_block",
                LARGEST_BLOCK,
                help=f"the largest block size, a power of two from 8 to {LARGEST_BLOCK_LIMIT:,}: "
                "blocks of 8, 16, ... up to it; larger requests go to the fallback",
            ),
        ),
        "blog_os's fixed-size blocks: a list per block size (8 to 2,048 B), a request "
        "takes the smallest block that holds its size and alignment, an empty list takes "
        "a new block from the guide's heap (the fallback), a freed block goes to the "
        "front of its list; larger requests go to the fallback",
        view="size-classes",
        listing="fixed_blocks.rs",
    )
)
register(
    Kind(
        "slab",
        HEAP,
        SlabHeap,
        (
            Param(
                "caches",
                "",
                help="named caches besides kmalloc's, NAME:SIZE separated by commas "
                "(caches=task_struct:1856,inode:600): a request of exactly that size is "
                "that cache's object",
            ),
            Param(
                "keep_empty",
                False,
                (False, True),
                "keep a slab whose objects are all free for the cache's next new slab, "
                "rather than give its pages back to the frame allocator",
            ),
        ),
        f"Bonwick's slab allocator: a cache per object size (kmalloc's {KMALLOC_SIZES[0]} to "
        f"{KMALLOC_SIZES[-1]:,} B, and named caches), each owning slabs of pages taken from "
        f"the frame allocator as needed (at least {MIN_OBJECTS} objects a slab); objects come "
        "from a partial slab first, then an empty one, then a new slab; an empty slab gives "
        "its pages back",
        view="slab",
        listing="slab.txt",
        grows=True,
    )
)
