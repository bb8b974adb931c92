"""What every allocator's state machine checks of `revert`: undo the latest operation,
or all of them, back to the first state."""

from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

UNDO_ALL_AFTER = 5
"""Operations made before undoing them all is tried."""


class UndoRules(RuleBasedStateMachine):
    """Rules for a machine that keeps `events` (newest last), `history` (the reference
    before each), `ref` and `first_state`, and says which allocator reverts
    (`reverter()`) and what its state is (`state()`)."""

    @precondition(lambda self: self.events)
    @rule()
    def undo(self):
        self.undo_latest()

    def undo_latest(self):
        self.reverter().revert(self.events.pop())
        self.ref = self.history.pop()

    @precondition(lambda self: len(self.events) >= UNDO_ALL_AFTER)
    @rule()
    def undo_everything(self):
        while self.events:
            self.undo_latest()
        assert self.state() == self.first_state
