"""The call-center console in a real browser: an agent records a caller's inquiry with the caller's vehicle, declaration,
the checkpoint queues and the matching answers beside the form, answers it, and sees it answered in the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from chekara.db.models import Inquiry
from chekara.domain.roles import STAFF
from chekara.web.pages import PAGE_NEEDS
from chekara.web.permissions import route_roles
from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    TABLET_PORTRAIT, api, browser, file_declaration, open_page, unique_number, unique_plate,
)

LOADED = "window.chekaraCallcenter && window.chekaraCallcenter.ready === true"
STAFF_ROLES = sorted(r.value for r in STAFF)
#: The roles the console is for: those who may read inquiries (the page's PAGE_NEEDS);
#: of them, only those who may record one get the form.
AGENTS = set(route_roles()[PAGE_NEEDS["callcenter"]])


def _truck_inside_ak_jol(live_server) -> tuple[str, str]:
    """A declaration (import through Ak-Jol) whose truck has just entered Ak-Jol: (number, plate)."""
    number, plate = unique_number("CALL"), unique_plate()
    file_declaration(live_server, number, plate, entry="AK-JOL")
    read = api(live_server).call("POST", "/api/v1/plate-reads", role="officer", json={
        "checkpoint": "AK-JOL", "camera_id": "AKJ-CAM-1", "lane": 1, "direction": "entry", "plate": plate,
        "confidence": 0.97, "time": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    })
    assert read.status_code == 201, read.text
    return number, plate


def _inquiry(live_server, **over) -> dict:
    body = {"channel": "phone", "caller_name": "Nurlan", "caller_phone": "+996 555 100 200", "language": "ru",
            "topic": "declaration_status", "text": "Где моя декларация?"} | over
    created = api(live_server).call("POST", "/api/v1/inquiries", role="callcenter", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def test_an_agent_records_an_inquiry_with_the_answers_at_hand_and_answers_it(open_page, live_server):
    number, plate = _truck_inside_ak_jol(live_server)
    visit = open_page("/callcenter", role="callcenter")
    page = visit.page
    page.wait_for_function(LOADED)
    assert page.is_hidden("#sign-in-panel")
    assert page.is_visible("#inquiry-form")
    # The queues: Ak-Jol has our truck inside, inbound.
    ak_jol = page.locator("#queues tr[data-checkpoint='AK-JOL']")
    assert int(ak_jol.locator("td").nth(1).locator("strong").inner_text()) >= 1

    page.select_option("[name=channel]", "phone")
    page.select_option("[name=language]", "ru")
    page.fill("[name=caller_name]", "Айбек Осмонов")
    page.fill("[name=caller_phone]", "0555 123 456")
    page.select_option("[name=topic]", "queue_wait")
    page.fill("[name=text]", "Какая сейчас очередь на Ак-Жол?")
    page.fill("[name=plate]", plate)
    page.fill("[name=declaration_number]", number.lower())
    page.select_option("[name=checkpoint]", "AK-JOL")

    # Beside the form, as the agent types: the answers in Russian, the truck's crossing, the declaration's status.
    page.wait_for_function("window.chekaraCallcenter.answers.length > 0")
    answers = page.eval_on_selector_all("#answers li", "items => items.map(i => [i.dataset.topic, i.dataset.language])")
    assert answers[0] == ["queue_wait", "ru"] and {lang for _, lang in answers} == {"ru"}
    assert "Очереди" in page.inner_text("#answers li:first-child summary")
    page.wait_for_function(
        "(s => s.plate && s.plate.crossings >= 1 && s.declaration && s.declaration.status)(window.chekaraCallcenter)"
    )
    assert "AK-JOL" in page.inner_text("#plate-lookup")
    assert page.evaluate("window.chekaraCallcenter.declaration.status") == "at_checkpoint"
    assert "at a checkpoint" in page.inner_text("#declaration-lookup")
    assert page.locator("#queues tr.selected").get_attribute("data-checkpoint") == "AK-JOL"

    page.click("#inquiry-form button[type=submit]")
    page.wait_for_function("window.chekaraCallcenter.selected !== null")
    inquiry_id = page.evaluate("window.chekaraCallcenter.selected.id")
    assert page.inner_text("#form-result") == f"Inquiry No. {inquiry_id} recorded."
    row = page.locator(f"#inquiries tr[data-inquiry='{inquiry_id}']")
    assert row.get_attribute("data-status") == "new"
    facts = page.inner_text("#inquiry-facts")
    assert "+996555123456" in facts and plate.replace(" ", "") in facts.replace(" ", "")

    page.click("#assign-me")
    page.wait_for_function("window.chekaraCallcenter.selected.status === 'in_progress'")
    assert page.evaluate("window.chekaraCallcenter.selected.assigned_to") == "e2e-callcenter"
    page.click("#answers li:first-child .use-answer")
    assert "очередь" in page.input_value("#answer-form textarea")
    page.click("#answer-form button[type=submit]")
    page.wait_for_function("window.chekaraCallcenter.selected.status === 'answered'")
    page.wait_for_selector(f"#inquiries tr[data-inquiry='{inquiry_id}'][data-status='answered']")
    assert row.locator(".chip.inquiry-answered").inner_text() == "answered"
    page.fill("#note-form input", "Called back: the caller is on the way.")
    page.click("#note-form button")
    page.wait_for_function("window.chekaraCallcenter.selected.notes === 1")
    assert "Called back" in page.inner_text("#inquiry-notes")

    stored = api(live_server).call("GET", f"/api/v1/inquiries/{inquiry_id}", role="callcenter").json()
    assert stored["status"] == "answered" and stored["checkpoint"] == "AK-JOL" and stored["language"] == "ru"
    assert stored["declaration_number"] == number and "очередь" in stored["answer"]
    # The whole console, list and selected inquiry included, for the screenshot.
    tall = page.evaluate("document.querySelector('.topbar').offsetHeight + document.getElementById('page').scrollHeight")
    page.set_viewport_size({"width": 1366, "height": min(tall + 10, 2000)})
    page.evaluate("document.getElementById('page').scrollTo(0, 0)")
    visit.screenshot("callcenter")
    visit.assert_clean()


def test_the_list_puts_open_inquiries_first_flags_overdue_ones_and_searches(open_page, live_server, seeded):
    word = unique_number("Zzq").replace("-", "")
    late = _inquiry(live_server, text=f"Где декларация {word}?")
    answered = _inquiry(live_server, text=f"Вопрос {word} о транзите", topic="transit_rules")
    closed = _inquiry(live_server, text=f"Платежи {word}", topic="payments")
    client = api(live_server)
    for inquiry, status in ((answered, "answered"), (closed, "closed")):
        change = {"answer": "Ответ дан.", "status": status}
        assert client.call("PATCH", f"/api/v1/inquiries/{inquiry['id']}", role="callcenter", json=change).status_code == 200
    with Session(seeded) as session:  # the deadline passed an hour ago
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        session.execute(update(Inquiry).where(Inquiry.id == late["id"]).values(due_at=an_hour_ago))
        session.commit()

    visit = open_page("/callcenter", role="admin")
    page = visit.page
    page.wait_for_function(LOADED)
    assert page.evaluate("window.chekaraCallcenter.overdue") >= 1
    assert page.is_visible("#cc-overdue")
    page.fill("#inquiry-search", word)
    page.wait_for_function("window.chekaraCallcenter.inquiries === 3")
    rows = page.eval_on_selector_all(
        "#inquiries tr", "rows => rows.map(r => [Number(r.dataset.inquiry), r.dataset.status, r.classList.contains('overdue')])"
    )
    assert rows == [[late["id"], "new", True], [closed["id"], "closed", False], [answered["id"], "answered", False]]
    assert page.locator(f"#inquiries tr[data-inquiry='{late['id']}'] .chip.overdue").inner_text() == "overdue"

    # A closed inquiry can no longer change; an answered one can be closed.
    page.click(f"#inquiries tr[data-inquiry='{closed['id']}']")
    page.wait_for_function(f"(window.chekaraCallcenter.selected || {{}}).id === {closed['id']}")
    assert page.is_hidden("#answer-form") and page.is_hidden("#note-form") and page.is_hidden("#close-inquiry")
    page.click(f"#inquiries tr[data-inquiry='{answered['id']}']")
    page.wait_for_function(f"window.chekaraCallcenter.selected.id === {answered['id']}")
    page.click("#close-inquiry")
    page.wait_for_selector(f"#inquiries tr[data-inquiry='{answered['id']}'][data-status='closed']")
    visit.assert_clean()


def test_markup_from_a_caller_is_shown_as_text(open_page, live_server):
    markup = "<img src=/xss onerror=window.pwned=1><b>Bold</b>"
    inquiry = _inquiry(live_server, caller_name=markup, text=f"{markup} очередь?")
    visit = open_page("/callcenter", role="callcenter")
    page = visit.page
    page.wait_for_function(LOADED)
    page.click(f"#inquiries tr[data-inquiry='{inquiry['id']}']")
    page.wait_for_function(f"(window.chekaraCallcenter.selected || {{}}).id === {inquiry['id']}")
    assert markup in page.inner_text("#inquiry-facts") and markup in page.inner_text("#inquiry-text")
    assert page.query_selector("#page img, #page b") is None
    assert page.evaluate("window.pwned") is None
    assert not [u for u in visit.requests if u.endswith("/xss")]
    visit.assert_clean()


def test_the_console_is_for_those_who_record_inquiries(open_page):
    for role in STAFF_ROLES:
        visit = open_page("/callcenter", role=role)
        page = visit.page
        if role in AGENTS:
            page.wait_for_function(LOADED)
            assert page.is_visible(".nav a[href='/callcenter']")
        else:
            page.wait_for_selector("#status.error >> text=This page is not for")
            assert page.is_hidden(".nav a[href='/callcenter']")
            assert not [u for u in visit.requests if "/api/v1/inquir" in u or "/api/v1/public" in u]
        visit.assert_clean()


def test_a_tablet_gets_the_console_in_one_column_without_sideways_scrolling(open_page, live_server):
    inquiry = _inquiry(live_server, caller_name="Gulnara Asanova", text="Какая очередь на Торугарте?", topic="queue_wait")
    visit = open_page("/callcenter", role="callcenter", viewport=TABLET_PORTRAIT)
    page = visit.page
    page.wait_for_function(LOADED)
    page.click(f"#inquiries tr[data-inquiry='{inquiry['id']}']")
    page.wait_for_function("window.chekaraCallcenter.answers.length > 0")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET_PORTRAIT["width"], f"the console is {width} px wide"
    visit.assert_clean()
