"""Comparing heap allocators on one trace: the figures, the first difference, the specs."""

import csv
import dataclasses

import pytest

from orbita_gui.core import registry
from orbita_gui.core.errors import InvalidParameterError
from orbita_gui.traces import Replayer, parse_native
from orbita_gui.traces.compare import (
    FAILED,
    HeapSpec,
    compare,
    parse_heap_spec,
    table_lines,
    write_comparison_csv,
)

KNOWN = """# first fit (the guide) and best fit part ways at line 9
heap 0x1000 1024
malloc a 64
malloc b 10
malloc c 32
malloc d 16
free c
free a
malloc e 32
malloc big 2000
malloc g 64
malloc h 836
free nobody
"""
"""Worked by hand. Both heaps are the guide's ListNode rules (sizes padded to 8, at
least 16; no leftover of 1 to 15 bytes) and push leftovers at the front; `best` only
searches for the smallest region that fits, over the whole list.

Operations 1 to 4 cut a 0x1000 (64), b 0x1040 (16 for 10), c 0x1050 (32), d 0x1070
(16) from the one region, a search of 1 node each; 0x1080 (896) is left. Freeing c
then a leaves [0x1000 64, 0x1050 32, 0x1080 896] in both.

guide: e 32 takes the head, 0x1000 (visits 1), leftover 0x1020 (32) pushed:
[0x1020 32, 0x1050 32, 0x1080 896]. big 2000 fails (visits 3). g 64 passes two
32s, takes 0x1080 (visits 3), leftover 0x10c0 (832) pushed. h 836 (840 bytes) fails
(visits 3): 832 < 840. free nobody is an invalid free. Failures 3; searches 8,
visits 4+1+3+3+3 = 14: 1.75, largest 3. Payload peaks at 64+10+32+16 = 122 after d
(again after g, not above), with b's 6 bytes of padding: internal 6. Footprint:
g ends at 0x10c0, 192 bytes; utilization 122/192 = 63.5%. At the end, free
832+32+32 = 896, largest 832: external 1 - 832/896 = 7.1%.

best: e 32 fits 0x1050 exactly (visits 3): [0x1000 64, 0x1080 896]. big fails
(visits 2). g 64 takes 0x1000 exactly (visits 2): [0x1080 896]. h 836 takes 840 at
0x1080 (visits 1), leaving 56 at 0x13c8. Failures 2 (big, nobody); visits
4+3+2+2+1 = 12 in 8 searches: 1.5, largest 3. Payload peaks after h: 10+16+32+64+836
= 958, with 6 + 4 bytes of padding: internal 10. Footprint 0x13c8 - 0x1000 = 968;
utilization 958/968 = 99.0%. One free region at the end: external 0.0%.

The first difference is operation 7 (line 9, malloc e 32): 0x1000 against 0x1050.
"""


@pytest.fixture
def known():
    return parse_native(KNOWN, "known.trace")


def specs(*texts):
    return [parse_heap_spec(text) for text in texts]


def timed(comparison, seconds):
    """The comparison as if each pass took `seconds` (the table's widths depend on it)."""
    columns = [
        dataclasses.replace(c, report=dataclasses.replace(c.report, seconds=seconds))
        for c in comparison.columns
    ]
    return dataclasses.replace(comparison, columns=tuple(columns))


def test_the_figures_worked_by_hand(known):
    guide, best = compare(known, specs("guide", "best")).columns
    figures = [
        (c.report.failures, c.report.peak_payload, c.report.footprint, c.average_search)
        for c in (guide, best)
    ]
    assert figures == [(3, 122, 192, 1.75), (2, 958, 968, 1.5)]
    searches = [(c.largest_search, c.internal_fragmentation) for c in (guide, best)]
    assert searches == [(3, 6), (3, 10)]
    assert guide.report.fragmentation == pytest.approx(1 - 832 / 896)
    assert best.report.fragmentation == 0.0


def test_the_table_has_a_row_a_measure_and_a_column_an_allocator(known):
    lines = table_lines(timed(compare(known, specs("guide", "best")), 0.001))
    assert lines == [
        "                                       guide          best",
        "operations                                11            11",
        "failures                                   3             2",
        "peak live payload                      122 B         958 B",
        "footprint                              192 B         968 B",
        "utilization                            63.5%         99.0%",
        "search cost, average (nodes)             1.8           1.5",
        "search cost, largest (nodes)               3             3",
        "internal fragmentation at peak           6 B          10 B",
        "external fragmentation at end           7.1%          0.0%",
        "operations a second             11,000 ops/s  11,000 ops/s",
    ]


def test_the_first_difference_is_where_first_fit_and_best_fit_choose(known):
    comparison = compare(known, specs("guide", "best"))
    divergence = comparison.divergence
    assert (divergence.index, divergence.op.line, divergence.answers) == (6, 9, (0x1000, 0x1050))
    assert divergence.describe(comparison.titles) == (
        "first difference: operation 7 (line 9: malloc e 32): guide -> 0x1000; best -> 0x1050"
    )


def test_the_first_difference_of_any_two_and_what_each_answered_there(known):
    """The second differs at once (its header moves every block 8 bytes up), the third
    only at operation 7: the first difference is operation 1, where `best` still
    answered as the guide did."""
    comparison = compare(known, specs("guide", "free-list:header=8", "best"))
    assert comparison.divergence.index == 0
    assert comparison.divergence.answers == (0x1000, 0x1008, 0x1000)


def test_a_failure_against_an_address_is_a_difference():
    trace = parse_native("heap 0x1000 64\nmalloc a 16\nmalloc b 64\n", "t")
    comparison = compare(trace, specs("guide", "header=8,node_rules=no"))
    assert comparison.divergence.index == 0  # header: a at 0x1008
    comparison = compare(trace, specs("guide", "guide"))
    assert comparison.divergence is None
    # 24 bytes left after a: b fits them exactly, unless rounded up to 32
    rounded = parse_native("heap 0x1000 40\nmalloc a 16\nmalloc b 24\n", "t")
    comparison = compare(rounded, specs("guide", "round_to=16"))
    assert comparison.divergence.answers == (0x1010, FAILED)
    assert comparison.divergence.describe(comparison.titles) == (
        "first difference: operation 2 (line 3: malloc b 24): guide -> 0x1010; round_to=16 -> null"
    )


def test_alignment_padding_is_internal_fragmentation():
    """b, 16 bytes aligned to 64, starts at 0x1040: the 48 bytes from 0x1010 in front of
    it are lost to padding as long as it lives. The guide's `size_align` also pads b to
    a multiple of its alignment, 64 bytes (48 more), and c's 20 bytes to 24 (4 more):
    48 + 48 + 4 at the peak, 52 bytes of payload. OSTEP's heap takes sizes as asked."""
    heap = "heap 0x1000 1024\nmalloc a 16\nmalloc b 16 64\nmalloc c 20\nfree c\n"
    guide, ostep = compare(parse_native(heap, "t"), specs("guide", "ostep")).columns
    assert (guide.report.peak_payload, guide.internal_fragmentation) == (52, 48 + 48 + 4)
    assert (ostep.report.peak_payload, ostep.internal_fragmentation) == (52, 48)


def test_the_same_allocator_twice_does_not_differ(known):
    assert compare(known, specs("guide", "free-list")).divergence is None


def test_each_allocator_replays_the_trace_once(known, monkeypatch):
    steps = []
    run_one = Replayer._run
    monkeypatch.setattr(Replayer, "_run", lambda self, op: steps.append(1) or run_one(self, op))
    compare(known, specs("guide", "best", "ostep"))
    assert len(steps) == 3 * 11


def test_progress_counts_all_the_passes(monkeypatch):
    trace = parse_native("heap 0x1000 4096\n" + "malloc a 100\nfree a\n" * 2000, "t")
    seen = []
    compare(trace, specs("guide", "best"), lambda done, total: seen.append((done, total)))
    assert seen == [(2000, 8000), (4000, 8000), (6000, 8000), (8000, 8000)]


@pytest.mark.parametrize("count", [1, 5])
def test_two_to_four_allocators(known, count):
    with pytest.raises(InvalidParameterError, match=f"2 to 4 heap allocators, not {count}"):
        compare(known, specs(*["guide"] * count))


def test_the_csv_is_the_table_in_plain_figures(known, tmp_path):
    path = tmp_path / "table.csv"
    write_comparison_csv(
        path, timed(compare(known, specs("guide", "best,addrsort,coalesce")), 0.001)
    )
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["measure", "guide", "best,addrsort,coalesce"]
    assert rows[1] == ["operations", "11", "11"]
    assert rows[5] == ["utilization (fraction)", "0.6354", "0.9897"]
    assert [row[0] for row in rows[6:]][:2] == [
        "search cost, average (nodes)",
        "search cost, largest (nodes)",
    ]
    assert rows[-1] == ["operations a second (ops/s)", "11000", "11000"] and len(rows) == 11


def test_an_allocator_that_makes_no_search_shows_a_dash(known, tmp_path):
    comparison = timed(compare(known, specs("guide", "best")), 0.001)
    guide, best = comparison.columns
    searchless = dataclasses.replace(best, average_search=None, largest_search=None)
    comparison = dataclasses.replace(comparison, columns=(guide, searchless))
    lines = table_lines(comparison)
    assert lines[6].endswith(" 1.8             \u2014")
    assert lines[7].endswith("   3             \u2014")
    write_comparison_csv(tmp_path / "t.csv", comparison)
    assert list(csv.reader((tmp_path / "t.csv").open()))[6] == [
        "search cost, average (nodes)",
        "1.7500",
        "",
    ]


@pytest.mark.parametrize(
    ("text", "kind", "params"),
    [
        ("guide", "guide", {}),
        ("ostep", "ostep", {}),
        (
            "free-list:fit=best,order=addrsort,coalesce=yes",
            "free-list",
            {"fit": "best", "order": "addrsort", "coalesce": True},
        ),
        (
            "best,addrsort,coalesce",
            "free-list",
            {"fit": "best", "order": "addrsort", "coalesce": True},
        ),
        ("ostep,coalesce", "ostep", {"coalesce": True}),
        ("coalesce,guide", "guide", {"coalesce": True}),
        (
            "round-to=8,node-rules=no,in-place",
            "free-list",
            {"round_to": 8, "node_rules": False, "leftover": "in-place"},
        ),
        ("worst,node_rules", "free-list", {"fit": "worst", "node_rules": True}),
    ],
)
def test_heap_specs(text, kind, params):
    assert parse_heap_spec(text) == HeapSpec(text, kind, tuple(params.items()))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("adrsort", "'adrsort' is neither an allocator (guide, free-list, ostep, "),
        ("adrsort", "order insert-front, insert-back, addrsort"),
        ("guide,ostep", "2 allocators named (guide, ostep): one only"),
        ("free-list:guide", "2 allocators named (free-list, guide): one only"),
        ("bitmap", "'bitmap' is a frame allocator, not a heap allocator"),
        ("buddy:fit=best", "'buddy' is a frame allocator, not a heap allocator"),
        ("nosuch:fit=best", "no allocator is called 'nosuch'"),
        ("best,first", "'first' sets fit again (to best already)"),
        ("fit=bst", "fit 'bst' is not one of: first, next, best, worst"),
        ("best,,coalesce", "an empty word between commas"),
        ("header=4", "the header must be a multiple of 8 bytes, not 4"),
        ("guide,size=3", "guide takes no parameter 'size'"),
    ],
)
def test_heap_specs_refused(text, message):
    with pytest.raises(InvalidParameterError) as refused:
        parse_heap_spec(text)
    assert message in str(refused.value)


def test_an_unknown_word_names_every_heap_allocator_registered():
    with pytest.raises(InvalidParameterError) as refused:
        parse_heap_spec("tlsf")
    heaps = ", ".join(registry.kinds(registry.HEAP))
    assert f"'tlsf' is neither an allocator ({heaps}) nor a setting of free-list" in str(
        refused.value
    )


def test_a_word_two_parameters_could_take_is_refused_naming_both(monkeypatch):
    twin = registry.Kind(
        "twin",
        registry.HEAP,
        lambda **params: None,
        (registry.Param("left", "a", ("a", "b")), registry.Param("right", "a", ("a", "c"))),
    )
    monkeypatch.setitem(registry._KINDS, "twin", twin)
    assert parse_heap_spec("twin,c").params == (("right", "c"),)
    with pytest.raises(InvalidParameterError, match="'a' is a choice of left, right: write "):
        parse_heap_spec("twin,a")
