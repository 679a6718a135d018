"""The crossing procedure: the fixed order, what each channel allows, the inspection a red channel needs."""

from __future__ import annotations

import pytest

from chekara.domain.crossing_procedure import (
    STEPS,
    Channel,
    InspectionError,
    InspectionResult,
    Step,
    StepOutOfOrder,
    check_inspection,
    check_step,
    due_steps,
    was_released,
)

A, D, W, I, R, X = STEPS


def test_the_steps_in_their_order():
    assert [s.value for s in STEPS] == ["arrived", "documents_checked", "weighed", "inspected", "released", "exited"]


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_walks_the_same_first_steps(channel):
    assert due_steps([], channel) == (A,)
    assert due_steps([A], channel) == (D,)
    assert due_steps([A, D], channel) == (W,)
    assert due_steps([A, D, W, I], channel) == (R,)
    assert due_steps([A, D, W, I, R], channel) == (X,)
    assert due_steps([A, D, W, I, R, X], channel) == ()


@pytest.mark.parametrize("channel, due", [
    (Channel.green, (I, R)), (Channel.blue, (I, R)), (Channel.yellow, (I,)), (Channel.red, (I,)),
])
def test_only_green_and_blue_may_skip_the_inspection(channel, due):
    assert due_steps([A, D, W], channel) == due
    assert due_steps([A, D, W, R], channel) == (X,)


def test_a_step_out_of_order_says_which_is_due():
    with pytest.raises(StepOutOfOrder) as caught:
        check_step([A], R, Channel.yellow)
    assert caught.value.due == (D,) and "the step due is documents_checked" in caught.value.message
    with pytest.raises(StepOutOfOrder, match="the step due is inspected$"):
        check_step([A, D, W], R, Channel.yellow)
    with pytest.raises(StepOutOfOrder, match="already recorded; the step due is weighed"):
        check_step([A, D], D, Channel.yellow)
    with pytest.raises(StepOutOfOrder, match="exited: the crossing is closed"):
        check_step([A, D, W, I, R, X], X, Channel.yellow)
    with pytest.raises(StepOutOfOrder, match="the step due is inspected or released"):
        check_step([A, D, W], X, Channel.green)


def test_due_steps_are_accepted():
    check_step([A, D, W], R, Channel.blue)
    check_step([A, D, W], I, Channel.blue)
    check_step([], A, Channel.red)


@pytest.mark.parametrize("channel", [Channel.green, Channel.blue, Channel.yellow])
def test_outside_red_the_inspection_result_is_optional(channel):
    assert check_inspection(channel, None, "") is None
    assert check_inspection(channel, "found", "") is InspectionResult.found


def test_red_needs_a_result_and_notes():
    with pytest.raises(InspectionError) as caught:
        check_inspection(Channel.red, None, "looked at it")
    assert caught.value.field == "result"
    with pytest.raises(InspectionError) as caught:
        check_inspection(Channel.red, "not_found", "  ")
    assert caught.value.field == "notes"
    assert check_inspection(Channel.red, "not_found", "opened 3 pallets") is InspectionResult.not_found
    with pytest.raises(InspectionError, match="'found' or 'not_found'"):
        check_inspection(Channel.yellow, "maybe", "")


def test_released_or_not():
    assert was_released([A, D, W, I, R]) and not was_released([A, D])
    assert Step("weighed") is W
