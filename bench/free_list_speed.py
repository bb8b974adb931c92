"""The free-list heap's speed, policy by policy (issue 9: "the core, ten times faster").

    python -m bench.free_list_speed [--malloc-py PATH] [--policy NAME]... [--trace TEXT]...
                                    [--repeat N] [--no-scaling]

For each malloc-lab trace in /work/shared/traces/malloclab (or `--traces DIR`) and each
policy: operations a second applied to the heap directly (`core`: `allocate`,
`deallocate`, `realloc`; `events`: their `*_event` forms, as the replay calls them),
through `orbita_gui.traces.replay` (the whole headless replay), the longest the free
list grew, and OSTEP's malloc.py on the same operation list with the ratio.

Each measurement applies a trace's whole operation list again and again, to a fresh
heap (or machine, or malloc.py object) each time, made outside the timing, until at
least 0.2 s was measured (`MIN_SECONDS`); the rate is over all those runs. A 9-operation
trace is otherwise timed once, in microseconds, which is noise. `--repeat N` takes the
best of N such measurements (malloc.py's: one).

malloc.py is not part of this repository: give its path with `--malloc-py` or the
environment variable `ORBITA_MALLOC_PY` (the file of
remzi-arpacidusseau/ostep-homework, vm-freespace/malloc.py; its main program is
not run, only its class `malloc` is taken). Without it that column is left out.
It has no next fit and no ListNode rules: it runs the nearest policy (first fit for
next fit, sizes rounded to 8 where the heap keeps the ListNode rules).

Then the scaling test: the same operations after free lists of 500 and of 80,000
regions were built (16-byte holes, each allocation after them searching past all of
them): the cost of an operation must not grow with the list.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orbita_gui.core.layout import Layout
from orbita_gui.core.machine import Machine, machine_sizes
from orbita_gui.core.registry import create
from orbita_gui.traces import Trace, parse_trace, read_trace, replay
from orbita_gui.traces.collector import collector_resting
from orbita_gui.traces.trace import FREE, MALLOC, NULL, REALLOC

from .heap_traces import TRACES

MALLOC_PY_ENV = "ORBITA_MALLOC_PY"

ALLOC, FREE_OP, REALLOC_OP = 0, 1, 2


@dataclass(frozen=True)
class Policy:
    """A heap to measure: the registry's name and parameters, its target in operations a
    second, and malloc.py's nearest options `(policy, order, coalesce, align)`."""

    name: str
    kind: str
    params: dict = field(default_factory=dict)
    target: int | None = 100_000
    malloc_py: tuple[str, str, bool, int] | None = None


POLICIES = (
    Policy("guide", "guide", {}, 150_000, ("FIRST", "INSERT-FRONT", False, 8)),
    Policy("next", "free-list", {"fit": "next"}, 100_000, ("FIRST", "INSERT-FRONT", False, 8)),
    Policy("best", "free-list", {"fit": "best"}, 100_000, ("BEST", "INSERT-FRONT", False, 8)),
    Policy("worst", "free-list", {"fit": "worst"}, 100_000, ("WORST", "INSERT-FRONT", False, 8)),
    Policy(
        "addrsort", "free-list", {"order": "addrsort"}, 100_000, ("FIRST", "ADDRSORT", False, 8)
    ),
    Policy(
        "insert-back",
        "free-list",
        {"order": "insert-back"},
        100_000,
        ("FIRST", "INSERT-BACK", False, 8),
    ),
    Policy(
        "sizesort+", "free-list", {"order": "sizesort+"}, 100_000, ("FIRST", "SIZESORT+", False, 8)
    ),
    Policy(
        "sizesort-", "free-list", {"order": "sizesort-"}, 100_000, ("FIRST", "SIZESORT-", False, 8)
    ),
    Policy(
        "addr+coal",
        "free-list",
        {"order": "addrsort", "coalesce": True},
        100_000,
        ("FIRST", "ADDRSORT", True, 8),
    ),
    Policy("ostep", "ostep", {}, 100_000, ("BEST", "ADDRSORT", False, -1)),
    Policy("ostep+coal", "ostep", {"coalesce": True}, 100_000, ("BEST", "ADDRSORT", True, -1)),
    Policy(
        "front+coal",
        "free-list",
        {"coalesce": True},
        None,
        ("FIRST", "INSERT-FRONT", True, 8),
    ),
    Policy(
        "size+inplace",
        "ostep",
        {"order": "sizesort+"},
        None,
        ("BEST", "SIZESORT+", False, -1),
    ),
)
"""One policy changed from the guide's at a time, OSTEP's preset, and two that fall
back to the plain store (no target: coalescing without address order; a size-sorted
list with leftovers left in place, which unsorts it)."""


# Operation lists


@dataclass
class OpList:
    """A trace's heap operations as `(code, id, layout)`: ids are small ints."""

    name: str
    trace: Trace
    ops: list[tuple[int, int, Layout | None]]
    ids: int


def op_list(trace: Trace, name: str) -> OpList:
    numbers: dict[str, int] = {}
    layouts: dict[tuple[int, int], Layout] = {}
    ops = []
    for op in trace.ops:
        if op.kind == FREE and op.name == NULL:
            continue  # free(NULL) does nothing
        if op.kind not in (MALLOC, FREE, REALLOC) or op.name == NULL or op.new_name:
            raise ValueError(f"{name}: only malloc, free and realloc of named blocks")
        ident = numbers.setdefault(op.name, len(numbers))
        if op.kind == FREE:
            ops.append((FREE_OP, ident, None))
            continue
        key = (op.size, op.align)
        layout = layouts.get(key)
        if layout is None:
            layout = layouts[key] = Layout(*key)
        ops.append((ALLOC if op.kind == MALLOC else REALLOC_OP, ident, layout))
    return OpList(name, trace, ops, len(numbers))


def new_heap(policy: Policy, trace: Trace):
    _, heap_start, heap_size = machine_sizes(trace.memory_size, trace.heap_start, trace.heap_size)
    heap = create(policy.kind, **policy.params)
    heap.init(heap_start, heap_size)
    return heap


def run_core(heap, ops: Sequence, ids: int, events: bool = False) -> None:
    """Apply the operations to the heap: the plain calls, or their `*_event` forms."""
    ptrs: list = [None] * ids
    layouts: list = [None] * ids
    if events:
        allocate_event, deallocate_event = heap.allocate_event, heap.deallocate_event
        realloc_event = heap.realloc_event
        for code, ident, layout in ops:
            if code == FREE_OP:
                ptr = ptrs[ident]
                if ptr is not None:
                    deallocate_event(ptr, layouts[ident])
                    ptrs[ident] = None
            elif code == ALLOC or ptrs[ident] is None:
                ptrs[ident] = allocate_event(layout).ptr
                layouts[ident] = layout
            else:
                ptr = realloc_event(ptrs[ident], layouts[ident], layout.size).new_ptr
                if ptr is not None:
                    ptrs[ident], layouts[ident] = ptr, layout
        return
    allocate, deallocate, realloc = heap.allocate, heap.deallocate, heap.realloc
    for code, ident, layout in ops:
        if code == FREE_OP:
            ptr = ptrs[ident]
            if ptr is not None:
                deallocate(ptr, layouts[ident])
                ptrs[ident] = None
        elif code == ALLOC or ptrs[ident] is None:
            ptrs[ident] = allocate(layout)
            layouts[ident] = layout
        else:
            ptr = realloc(ptrs[ident], layouts[ident], layout.size)
            if ptr is not None:
                ptrs[ident], layouts[ident] = ptr, layout


def longest_list(policy: Policy, ops: OpList) -> tuple[int, list]:
    """The longest the free list grew over the operations, and the list at the end."""
    heap = new_heap(policy, ops.trace)
    longest = 0
    ptrs: list = [None] * ops.ids
    layouts: list = [None] * ops.ids
    for code, ident, layout in ops.ops:
        if code == FREE_OP:
            if ptrs[ident] is not None:
                heap.deallocate(ptrs[ident], layouts[ident])
                ptrs[ident] = None
        elif code == ALLOC or ptrs[ident] is None:
            ptrs[ident], layouts[ident] = heap.allocate(layout), layout
        else:
            ptr = heap.realloc(ptrs[ident], layouts[ident], layout.size)
            if ptr is not None:
                ptrs[ident], layouts[ident] = ptr, layout
        longest = max(longest, heap.free_list_length)
    return longest, heap.free_regions()


CLOCK = time.process_time
"""What the rates are measured with: this process's CPU time, not the wall clock, so
that other processes on a busy machine do not count (`--wall`: the wall clock)."""


MIN_SECONDS = 0.2
"""How long one measurement runs at least: a trace's operations are applied again, to
a fresh heap each time, until this much time was measured (short traces are otherwise
a few microseconds of noise)."""


def best_of(repeat: int, make: Callable[[], object], run: Callable[[object], object]) -> float:
    """Seconds one run takes: the best of `repeat` measurements, each the mean over as
    many runs as fill `MIN_SECONDS`. `make` (not timed) prepares each run. The cycle
    collector rests while it runs, as in a replay (`collector_resting`)."""
    best = float("inf")
    for _ in range(repeat):
        runs, seconds = 0, 0.0
        while seconds < MIN_SECONDS:
            subject = make()
            with collector_resting():
                start = CLOCK()
                run(subject)
                seconds += CLOCK() - start
            runs += 1
        best = min(best, seconds / runs)
    return best


# malloc.py


def load_malloc_py(path: str | None) -> type | None:
    """OSTEP's class `malloc` from malloc.py, its main program left out; None if no path."""
    path = path or os.environ.get(MALLOC_PY_ENV)
    if not path:
        return None
    source = Path(path).read_text(encoding="utf-8")
    tree = ast.parse(source, path)
    tree.body = [
        node for node in tree.body if isinstance(node, ast.ClassDef | ast.Import | ast.ImportFrom)
    ]
    namespace: dict = {}
    exec(compile(tree, path, "exec"), namespace)
    return namespace["malloc"]


def run_malloc_py(malloc_class: type, policy: Policy, ops: OpList) -> float | None:
    """Seconds malloc.py takes on the operation list, measured as `best_of` does once (a
    realloc is a malloc, then a free of the old block if it succeeded); None if it fails
    on it."""
    fit, order, coalesce, align = policy.malloc_py
    _, heap_start, heap_size = machine_sizes(
        ops.trace.memory_size, ops.trace.heap_start, ops.trace.heap_size
    )

    def apply(m) -> None:
        ptrs: list = [None] * ops.ids
        for code, ident, layout in ops.ops:
            ptr = ptrs[ident]
            if code == FREE_OP:
                if ptr is not None:
                    m.free(ptr)
                    ptrs[ident] = None
                continue
            addr = m.malloc(layout.size)[0]
            if code == REALLOC_OP and ptr is not None:
                if addr != -1:
                    m.free(ptr)
                    ptrs[ident] = addr
            else:
                ptrs[ident] = None if addr == -1 else addr

    try:
        return best_of(
            1, lambda: malloc_class(heap_size, heap_start, 0, fit, order, coalesce, align), apply
        )
    except Exception:  # malloc.py's own asserts (a zero-byte block at a live address)
        return None


# Synthetic traces for the scaling test


def scaling_trace(holes: int, steady: int = 20_000, pool: int = 400, seed: int = 7) -> str:
    """A `.rep`: `2 * holes` 16-byte blocks, every other one freed (a list of `holes`
    16-byte regions before the rest of the heap), then `steady` random allocations
    (24 to 256 bytes) and frees over `pool` other ids: most allocations search past
    all the holes."""
    rng = random.Random(seed)
    lines = []
    for i in range(2 * holes):
        lines.append(f"a {i} 16")
    for i in range(1, 2 * holes, 2):
        lines.append(f"f {i}")
    base = 2 * holes
    live: list[int] = []
    idle = list(range(base, base + pool))
    for _ in range(steady):
        if idle and (not live or rng.random() < 0.5):
            ident = idle.pop(rng.randrange(len(idle)))
            lines.append(f"a {ident} {rng.randrange(3, 33) * 8}")
            live.append(ident)
        else:
            ident = live.pop(rng.randrange(len(live)))
            lines.append(f"f {ident}")
            idle.append(ident)
    header = [f"{64 << 20}", f"{base + pool}", f"{len(lines)}", "1"]
    return "\n".join(header + lines) + "\n"


# The tables


def _rate(count: int, seconds: float | None) -> str:
    return "-" if seconds is None else f"{count / seconds:,.0f}" if seconds else "inf"


def measure(
    policies: Sequence[Policy],
    lists: Sequence[OpList],
    repeat: int,
    malloc_class: type | None,
    with_replay: bool = True,
) -> list[dict]:
    rows = []
    header = (
        f"  {'trace':<24}{'policy':<13}{'ops':>7}{'core':>10}{'events':>10}{'replay':>10}"
        f"{'list':>8}{'malloc.py':>11}{'ratio':>8}"
    )
    print(header)
    for ops in lists:
        count = len(ops.ops)
        for policy in policies:
            core = best_of(
                repeat,
                lambda p=policy, o=ops: new_heap(p, o.trace),
                lambda heap, o=ops: run_core(heap, o.ops, o.ids),
            )
            events = best_of(
                repeat,
                lambda p=policy, o=ops: new_heap(p, o.trace),
                lambda heap, o=ops: run_core(heap, o.ops, o.ids, events=True),
            )
            replayed = None
            if with_replay:
                replayed = best_of(
                    repeat,
                    lambda p=policy, o=ops: Machine(
                        *machine_sizes(o.trace.memory_size, o.trace.heap_start, o.trace.heap_size),
                        heap=p.kind,
                        heap_params=p.params,
                    ),
                    lambda machine, o=ops: replay(o.trace, machine),
                )
            longest, _ = longest_list(policy, ops)
            theirs = None
            if malloc_class is not None and policy.malloc_py is not None:
                theirs = run_malloc_py(malloc_class, policy, ops)
            ratio = "-" if theirs is None or not core else f"{theirs / core:,.1f}x"
            flag = ""
            if policy.target and core and count / core < policy.target:
                flag = "  < target"
            print(
                f"  {ops.name:<24}{policy.name:<13}{count:>7,}{_rate(count, core):>10}"
                f"{_rate(count, events):>10}{_rate(count, replayed):>10}{longest:>8,}"
                f"{_rate(count, theirs):>11}{ratio:>8}{flag}",
                flush=True,
            )
            rows.append(
                dict(
                    trace=ops.name,
                    policy=policy.name,
                    ops=count,
                    core=count / core if core else None,
                    events=count / events if events else None,
                    replay=count / replayed if replayed else None,
                    longest=longest,
                    malloc_py=count / theirs if theirs else None,
                )
            )
    return rows


def scaling(policies: Sequence[Policy], sizes: Sequence[int] = (500, 80_000)) -> None:
    print("Scaling: the same steady operations after a free list of N holes (core, events)")
    print(f"  {'policy':<13}" + "".join(f"{f'N={n:,}':>24}" for n in sizes) + f"{'list':>9}")
    traces = {n: parse_trace(scaling_trace(n), f"holes-{n}", "malloclab") for n in sizes}
    lists = {n: op_list(trace, f"holes-{n}") for n, trace in traces.items()}
    for policy in policies:
        cells, longest = [], 0
        for n in sizes:
            ops = lists[n]
            build = 3 * n
            rates = []
            for events in (False, True):
                heap = new_heap(policy, ops.trace)
                run_core(heap, ops.ops[:build], ops.ids, events)
                with collector_resting():
                    start = CLOCK()  # the steady phase uses other ids than the build's
                    run_core(heap, ops.ops[build:], ops.ids, events)
                    seconds = CLOCK() - start
                rates.append((len(ops.ops) - build) / seconds)
            longest = max(longest, heap.free_list_length)
            cells.append(f"{rates[0]:>12,.0f}{rates[1]:>12,.0f}")
        print(f"  {policy.name:<13}" + "".join(cells) + f"{longest:>9,}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.free_list_speed")
    parser.add_argument("--malloc-py", help=f"OSTEP's malloc.py (or ${MALLOC_PY_ENV})")
    parser.add_argument("--traces", type=Path, default=TRACES)
    parser.add_argument("--trace", action="append", help="only traces whose name holds this")
    parser.add_argument("--policy", action="append", help="only these policies")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-replay", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--scaling-only", action="store_true")
    parser.add_argument("--wall", action="store_true", help="time by the wall clock")
    args = parser.parse_args(argv)
    run(args)


def run(args: argparse.Namespace | None = None) -> None:
    if args is None:
        args = argparse.Namespace(
            malloc_py=None,
            traces=TRACES,
            trace=None,
            policy=None,
            repeat=3,
            no_replay=False,
            no_scaling=False,
            scaling_only=False,
            wall=False,
        )
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    clock = "wall clock" if args.wall else "CPU time of this process"
    print(f"(timed by {clock}; load average {load:.1f} on {os.cpu_count()} CPUs)")
    policies = [p for p in POLICIES if not args.policy or p.name in args.policy]
    malloc_class = load_malloc_py(args.malloc_py)
    if not args.scaling_only:
        paths = sorted(args.traces.glob("*.rep"))
        if args.trace:
            paths = [p for p in paths if any(t in p.name for t in args.trace)]
        lists = [op_list(read_trace(path), path.name) for path in paths]
        print(f"Free-list heap: operations a second by policy (best of {args.repeat})")
        if malloc_class is None:
            print(f"  (malloc.py not given: --malloc-py PATH or ${MALLOC_PY_ENV})")
        measure(policies, lists, args.repeat, malloc_class, not args.no_replay)
        print(
            "  core: allocate/deallocate/realloc on the heap; events: their *_event forms; "
            "replay: traces.replay, headless;\n  list: longest free list; ratio: "
            "core over malloc.py on the same operations"
        )
    if not args.no_scaling:
        print()
        # the plain store's policies (no target) take minutes at 80,000: only if named
        scaling([p for p in policies if p.target or args.policy])


if __name__ == "__main__":
    main()
