"""Narration: the trace's comments kept by the line they explain, and each operation
told in sentences, as the panel shows and `replay --narrate` prints them."""

from orbita_gui.traces import Replayer, machine_for, parse_native
from orbita_gui.traces.narration import author_note, intro, narrate, sentence
from orbita_gui.traces.trace import INTRO

LESSON = """# Leftovers under a ListNode.
#
# Watch the head.
heap 0x1000 1024
malloc a 24
# this one is
# explained on two lines
malloc b 40   # and at its end
free a
malloc c 8    # a 24-byte region would leave 8: passed over
# after the last
"""


def test_comments_go_with_the_operation_they_explain():
    trace = parse_native(LESSON)
    assert trace.comments[INTRO] == "Leftovers under a ListNode.\nWatch the head."
    assert trace.comments[8] == "this one is explained on two lines and at its end"
    assert trace.comments[10] == "a 24-byte region would leave 8: passed over\nafter the last"
    assert 5 not in trace.comments and 9 not in trace.comments


def narrated(text):
    trace = parse_native(text)
    replayer = Replayer(trace, machine_for(trace), keep_history=False)
    return [
        narrate(op, outcome.event, outcome.failure, author_note(trace, op))
        for op, outcome in ((op, replayer.step(op)) for op in trace.ops)
    ]


def test_a_leftover_under_a_list_node_is_told_with_its_reason():
    told = narrated(LESSON)
    assert told[3][0] == "line 10: malloc c 8"
    assert told[3][1:3] == ["  # a 24-byte region would leave 8: passed over", "  # after the last"]
    assert told[3][3].startswith("  1. A request of 8 B takes a 16-byte block")
    assert told[3][4] == (
        "  2. 24 B at 0x1000 is enough for 16 B, but the 8 B left over is smaller than "
        "a ListNode (16 B), so it is passed over."
    )
    assert told[3][-1].startswith("  -> allocate(Layout { size: 8, align: 8 }) -> 0x1040")


def test_a_failure_is_told_once():
    told = narrated("heap 0x1000 64\nmalloc a 48\nmalloc b 32\nfree nobody\n")
    assert told[1][-2:] == [
        "  2. No region holds 32 B: allocate returns null.",
        "  -> allocate(Layout { size: 32, align: 8 }) -> null: out of memory, passed over 1 region",
    ]
    assert told[2] == [
        "line 4: free nobody",
        "  -> line 4: free nobody: no block is allocated under that name (double or wild free)",
    ]


def test_sentences_and_intro():
    assert sentence("frame 3 is marked free") == "Frame 3 is marked free."
    assert sentence("done!") == "Done!"
    assert intro(parse_native("malloc a 8\n")) is None
