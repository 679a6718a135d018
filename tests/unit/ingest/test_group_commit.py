"""The group commit's gathering: a lone request goes at once; under load a group waits briefly for company.

The pipeline is replaced by a recorder of group sizes: what is tested here is which requests
travel together, not what the pipeline does with them (tests/integration covers that)."""

from __future__ import annotations

import asyncio
import time
from contextlib import nullcontext
from datetime import timedelta

import pytest

from chekara.domain.detection import DetectionThresholds
from chekara.ingest import group_commit
from chekara.ingest.batch import IngestResult, Submission
from chekara.ingest.group_commit import IngestQueue, IngestSettings


class _Session:
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


@pytest.fixture
def groups(monkeypatch) -> list[int]:
    sizes: list[int] = []

    def pipeline(submissions, ctx):
        sizes.append(len(submissions))
        return [IngestResult(accepted=len(s.raw), duplicates=0, rejected=[], alerts_raised=0) for s in submissions]

    monkeypatch.setattr(group_commit, "ingest_submissions", pipeline)
    return sizes


def _queue(gather_s: float) -> IngestQueue:
    settings = IngestSettings(DetectionThresholds(), timedelta(seconds=60), timedelta(days=7))
    return IngestQueue(lambda: nullcontext(_Session()), settings, gather_s=gather_s)


def _submission() -> Submission:
    return Submission([{"device_id": "T-1"}], actor=None)


def test_a_lone_request_is_not_kept_waiting(groups):
    queue = _queue(gather_s=0.5)
    queue.start()

    async def one_after_another() -> float:
        started = time.monotonic()
        for _ in range(3):
            await queue.ingest(_submission())
        return time.monotonic() - started

    try:
        took_s = asyncio.run(one_after_another())
    finally:
        queue.stop()
    assert groups == [1, 1, 1]
    assert took_s < 0.45  # waiting for company even once would take 0.5 s


def _company_then_a_late_pair(queue: IngestQueue) -> None:
    """Two requests at once (a group with company), then one, and a second 250 ms after it (time enough
    for a worker that does not wait to commit the first alone, on a busy machine too)."""

    async def traffic() -> None:
        first = [asyncio.ensure_future(queue.ingest(_submission())) for _ in range(2)]
        await asyncio.sleep(0)
        queue.start()
        await asyncio.gather(*first)
        second = asyncio.ensure_future(queue.ingest(_submission()))
        await asyncio.sleep(0.25)
        await asyncio.gather(second, queue.ingest(_submission()))

    try:
        asyncio.run(traffic())
    finally:
        queue.stop()


def test_under_load_a_group_waits_for_the_requests_the_last_commit_answered(groups):
    _company_then_a_late_pair(_queue(gather_s=1.0))
    assert groups == [2, 2]


def test_without_a_gathering_window_the_late_request_goes_in_a_group_of_its_own(groups):
    _company_then_a_late_pair(_queue(gather_s=0.0))
    assert groups == [2, 1, 1]
