"""The call center: the inquiry lifecycle, SLA flags, search, the report, answers at hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chekara.domain.roles import Actor
from chekara.services import audit, inquiries

CALL = {
    "channel": "phone", "caller_name": "Айбек Садыков", "caller_phone": "0555 123 456", "language": "ru",
    "topic": "queue_wait", "text": "Какая очередь на Ак-Жол в сторону Казахстана?", "checkpoint": "ak-jol",
    "plate": "01 123 АВС",
}


def _create(client, auth, **change):
    response = client.post("/api/v1/inquiries", json={**CALL, **change}, headers=auth("callcenter"))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_inquiry_is_recorded_normalised_and_audited(client, auth, db_session):
    auth("callcenter")
    before = audit.count(db_session)
    inquiry = _create(client, auth)
    assert inquiry["caller_phone"] == "+996555123456"
    assert inquiry["plate"] == "01123ABC" and inquiry["checkpoint"] == "AK-JOL"
    assert inquiry["status"] == "new" and inquiry["sla"] == "open"
    assert datetime.fromisoformat(inquiry["due_at"]) > datetime.fromisoformat(inquiry["created_at"])
    assert audit.count(db_session) == before + 1


def test_the_lifecycle_new_in_progress_answered_closed(client, auth, db_session):
    inquiry = _create(client, auth)
    url = f"/api/v1/inquiries/{inquiry['id']}"
    r = client.patch(url, json={"status": "in_progress", "note": "перезвоню через 10 минут"}, headers=auth("callcenter"))
    assert r.json()["status"] == "in_progress" and r.json()["assigned_to"] == "test-callcenter"
    assert client.patch(url, json={"status": "answered"}, headers=auth("callcenter")).status_code == 409
    r = client.patch(url, json={"answer": "Ожидание около 40 минут, 12 машин в очереди."}, headers=auth("callcenter"))
    assert r.json()["status"] == "answered" and r.json()["sla"] == "met"
    assert client.patch(url, json={"status": "in_progress"}, headers=auth("callcenter")).status_code == 409
    r = client.patch(url, json={"status": "closed"}, headers=auth("callcenter"))
    assert r.json()["status"] == "closed" and r.json()["closed_at"]
    assert client.patch(url, json={"note": "late"}, headers=auth("callcenter")).status_code == 409
    assert [n["text"] for n in r.json()["notes"]] == ["перезвоню через 10 минут"]
    changes = [e for e in client.get(f"/api/v1/audit?entity_type=inquiry&entity_id={inquiry['id']}", headers=auth("admin")).json()]
    assert len(changes) == 4


def test_assignment_to_an_agent(client, auth):
    inquiry = _create(client, auth)
    auth("supervisor")
    url = f"/api/v1/inquiries/{inquiry['id']}"
    r = client.patch(url, json={"assigned_to": "test-supervisor"}, headers=auth("callcenter"))
    assert r.status_code == 200 and r.json()["assigned_to"] == "test-supervisor"
    r = client.patch(url, json={"assigned_to": "nobody-here"}, headers=auth("callcenter"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "assigned_to"


def test_overdue_inquiries_are_flagged_and_counted(client, auth, db_session):
    agent = Actor("test-callcenter", "callcenter")
    long_ago = datetime.now(UTC) - timedelta(days=10)
    late = inquiries.create_inquiry(db_session, inquiries.InquiryDraft(**{**CALL, "checkpoint": None}), agent, now=long_ago)
    db_session.commit()
    fresh = _create(client, auth)
    page = client.get("/api/v1/inquiries?overdue=true", headers=auth("supervisor")).json()
    ids = [i["id"] for i in page["items"]]
    assert late.id in ids and fresh["id"] not in ids
    assert page["overdue_total"] >= 1
    (flagged,) = [i for i in page["items"] if i["id"] == late.id]
    assert flagged["overdue"] is True and flagged["sla"] == "overdue"
    answered = client.patch(f"/api/v1/inquiries/{late.id}", json={"answer": "Ответ дан с опозданием"}, headers=auth("callcenter"))
    assert answered.json()["sla"] == "missed"


def test_full_text_search_and_filters(client, auth):
    a = _create(client, auth, text="Где моя декларация TR-2026-777?", topic="declaration_status")
    b = _create(client, auth, text="Сколько стоит НДС при импорте?", topic="payments")
    found = client.get("/api/v1/inquiries", params={"q": "декларация"}, headers=auth("callcenter")).json()["items"]
    assert [i["id"] for i in found] == [a["id"]]
    assert b["id"] in [i["id"] for i in client.get("/api/v1/inquiries?topic=payments", headers=auth("callcenter")).json()["items"]]
    assert client.get("/api/v1/inquiries?status=lost", headers=auth("callcenter")).status_code == 422


@pytest.mark.parametrize("change, field", [
    ({"caller_phone": "12"}, "caller_phone"),
    ({"caller_phone": None}, "caller_phone"),
    ({"topic": "weather"}, "topic"),
    ({"language": "de"}, "language"),
    ({"channel": "fax"}, "channel"),
    ({"text": ""}, "text"),
    ({"text": "x" * 4001}, "text"),
    ({"caller_name": "A\x07B"}, "caller_name"),
    ({"checkpoint": "NOWHERE"}, "checkpoint"),
    ({"plate": "   "}, "plate"),
])
def test_bad_inquiries_name_the_field(client, auth, change, field):
    r = client.post("/api/v1/inquiries", json={**CALL, **change}, headers=auth("callcenter"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_notes_cannot_be_changed_in_the_database(client, auth, db_session):
    inquiry = _create(client, auth)
    client.patch(f"/api/v1/inquiries/{inquiry['id']}", json={"note": "first"}, headers=auth("callcenter"))
    with pytest.raises(DBAPIError, match="append-only"):
        with db_session.begin_nested():
            db_session.execute(text("UPDATE inquiry_notes SET text = 'rewritten'"))


def test_report_counts_by_topic_channel_status_sla_and_day(client, auth):
    _create(client, auth)
    _create(client, auth, channel="web", topic="payments", caller_phone=None)
    report = client.get("/api/v1/reports/inquiries", headers=auth("supervisor")).json()
    assert report["total"] >= 2
    assert report["by_channel"]["web"] >= 1 and report["by_topic"]["payments"] >= 1
    assert sum(report["by_status"].values()) == report["total"] == sum(d["total"] for d in report["per_day"])
    assert sum(report["by_sla"].values()) == report["total"]


def test_answers_at_hand(client, auth):
    topics = client.get("/api/v1/inquiry-topics", headers=auth("callcenter")).json()
    assert {t["key"] for t in topics} >= {"queue_wait", "declaration_status", "payments", "complaint"}
    found = client.get("/api/v1/answers", params={"q": "очередь", "language": "ru"}, headers=auth("callcenter")).json()
    assert found and found[0]["language"] == "ru" and found[0]["title"]
    assert client.get("/api/v1/answers?language=de", headers=auth("callcenter")).status_code == 422
