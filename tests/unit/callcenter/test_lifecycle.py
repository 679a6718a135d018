from datetime import UTC, datetime, timedelta

import pytest

from chekara.domain.callcenter.lifecycle import TransitionError, check_transition, sla_state

T = datetime(2026, 12, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize("current, target, answer", [
    ("new", "in_progress", False), ("new", "answered", True), ("in_progress", "answered", True),
    ("answered", "closed", True), ("new", "new", False), ("new", "closed", True),
])
def test_allowed_moves(current, target, answer):
    check_transition(current, target, answer)


@pytest.mark.parametrize("current, target, answer, reason", [
    ("in_progress", "new", False, "back"), ("answered", "in_progress", True, "back"),
    ("closed", "answered", True, "back"), ("new", "answered", False, "answer"),
    ("new", "lost", False, "unknown"),
])
def test_refused_moves(current, target, answer, reason):
    with pytest.raises(TransitionError, match=reason):
        check_transition(current, target, answer)


def test_sla_states():
    due = T + timedelta(hours=4)
    assert sla_state("new", due, None, T + timedelta(hours=1)) == "open"
    assert sla_state("in_progress", due, None, T + timedelta(hours=5)) == "overdue"
    assert sla_state("answered", due, due, T + timedelta(hours=9)) == "met"
    assert sla_state("answered", due, due + timedelta(seconds=1), T) == "missed"
