"""What every allocator's tests check of an event's explanation: that it meets the
protocol, and that every step names a line of the allocator's listing."""

from orbita_gui.core.listing import Listing
from orbita_gui.core.protocols import Event, Step


def reasons(event, listing: Listing) -> list[str]:
    """The event's reasons, after those checks."""
    assert isinstance(event, Event) and event.describe()
    for step in event.steps:
        assert isinstance(step, Step) and step.kind and step.reason, step
        assert step.code_line in listing.tags, step
    return [step.reason for step in event.steps]
