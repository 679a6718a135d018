"""The crossing procedure: the fixed order of steps a vehicle goes through at a checkpoint.

    arrived → documents_checked → weighed → inspected → released → exited

Each step is recorded once, in this order; a step that is not due is
refused, saying which step is. The one exception is the risk channel:

======  ============================  =================================
channel verdict                        inspection
======  ============================  =================================
green   release                        may be skipped
blue    release, audit later           may be skipped
yellow  documents check                required
red     physical inspection            required, with a result and notes
======  ============================  =================================

A camera that sees the vehicle leave is a fact, not a request: the service
records that exit whatever step is due (and raises an alert when the
vehicle was not released). People, however, can only record ``exited``
after ``released``.

>>> due_steps([Step.arrived, Step.documents_checked, Step.weighed], Channel.green)
(<Step.inspected: 'inspected'>, <Step.released: 'released'>)
>>> due_steps([Step.arrived, Step.documents_checked, Step.weighed], Channel.yellow)
(<Step.inspected: 'inspected'>,)
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Step(StrEnum):
    arrived = "arrived"
    documents_checked = "documents_checked"
    weighed = "weighed"
    inspected = "inspected"
    released = "released"
    exited = "exited"


#: The steps in their order.
STEPS: tuple[Step, ...] = tuple(Step)


class Channel(StrEnum):
    """The risk verdict on a declaration."""

    green = "green"
    blue = "blue"
    yellow = "yellow"
    red = "red"


#: Channels whose vehicles may be released without the inspected step.
INSPECTION_OPTIONAL: frozenset[Channel] = frozenset({Channel.green, Channel.blue})
#: Until the risk issue supplies verdicts, every declaration is checked as yellow.
DEFAULT_CHANNEL = Channel.yellow


class InspectionResult(StrEnum):
    found = "found"  # a violation was found
    not_found = "not_found"


class StepOutOfOrder(Exception):
    """A step that is not due now; ``due`` lists the steps that are (empty once exited)."""

    def __init__(self, step: Step, due: tuple[Step, ...], message: str) -> None:
        super().__init__(message)
        self.step = step
        self.due = due
        self.message = message


class InspectionError(ValueError):
    """An inspected step without what its channel requires; names the field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def due_steps(done: Sequence[Step], channel: Channel) -> tuple[Step, ...]:
    """The steps that may be recorded next, given the steps recorded so far, in order."""
    if not done:
        return (Step.arrived,)
    last = done[-1]
    if last is Step.exited:
        return ()
    if last is Step.weighed and channel in INSPECTION_OPTIONAL:
        return (Step.inspected, Step.released)
    return (STEPS[STEPS.index(last) + 1],)


def describe_due(due: tuple[Step, ...]) -> str:
    """'weighed', 'inspected or released', or 'none'."""
    return " or ".join(due) if due else "none"


def check_step(done: Sequence[Step], step: Step, channel: Channel) -> None:
    """Raise StepOutOfOrder unless step is due after done under channel."""
    due = due_steps(done, channel)
    if step in due:
        return
    if done and done[-1] is Step.exited:
        message = f"the vehicle has exited: the crossing is closed and no step is due (tried {step})"
    elif step in done:
        message = f"step {step} is already recorded; the step due is {describe_due(due)}"
    else:
        message = f"step {step} is out of order; the step due is {describe_due(due)}"
    raise StepOutOfOrder(step, due, message)


def check_inspection(channel: Channel, result: str | None, notes: str) -> InspectionResult | None:
    """The inspection result, checked against what the channel requires.

    A red channel is a physical inspection: it needs a result (found / not
    found) and notes on what was examined. Other channels may give either.
    """
    parsed = None
    if result is not None:
        try:
            parsed = InspectionResult(result)
        except ValueError as exc:
            raise InspectionError(f"result must be 'found' or 'not_found', not {result!r}", "result") from exc
    if channel is Channel.red:
        if parsed is None:
            raise InspectionError("a red-channel inspection needs a result: 'found' or 'not_found'", "result")
        if not notes.strip():
            raise InspectionError("a red-channel inspection needs notes on what was examined", "notes")
    return parsed


def was_released(done: Sequence[Step]) -> bool:
    return Step.released in done
