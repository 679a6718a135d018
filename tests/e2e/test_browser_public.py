"""The public page in a real browser: no sign-in and no token, the road checkpoints' queues and a declaration's
status in Russian (the default), Kyrgyz and English, and a friendly word when the rate limit answers 429.

The public routes allow 60 requests a minute per address, and every test here runs from 127.0.0.1: each page
asks for the checkpoints once, so the whole module stays far below the limit.
"""

from __future__ import annotations

import json

from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    browser, file_declaration, open_page, unique_number, unique_plate,
)

LOADED = "window.chekaraPublic && window.chekaraPublic.loaded === true"
TITLES = {
    "ru": "Автомобильные пункты пропуска Кыргызстана",
    "ky": "Кыргызстандын автомобиль өткөрүү пункттары",
    "en": "Road checkpoints of Kyrgyzstan",
}
AK_JOL = {"ru": "Ак-Жол", "ky": "Ак-Жол", "en": "Ak-Jol"}
OPEN = {"ru": "открыт", "ky": "ачык", "en": "open"}
#: Chromium logs every answer of 400 or more; these are the ones a look-up may draw.
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"
TOO_MANY = "Failed to load resource: the server responded with a status of 429 (Too Many Requests)"
PHONE = {"width": 390, "height": 844}


def _assert_public(visit) -> None:
    page = visit.page
    assert page.query_selector(".topbar, #sign-in-panel, #who, nav") is None
    assert not [u for u in visit.requests if "/api/v1/" in u and "/api/v1/public/" not in u]


def test_the_checkpoints_in_each_language_without_a_token(open_page):
    for lang in ("ru", "ky", "en"):
        visit = open_page("/public", lang=lang)
        page = visit.page
        page.wait_for_function(LOADED)
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.inner_text("h1") == TITLES[lang]
        cards = page.locator("#checkpoints article")
        assert cards.count() == page.evaluate("window.chekaraPublic.checkpoints") >= 10
        ak_jol = page.locator("#checkpoints article[data-code='AK-JOL']")
        assert AK_JOL[lang] in ak_jol.locator("h3").inner_text()
        assert ak_jol.locator(".chip").inner_text() == OPEN[lang]
        assert ak_jol.locator(".direction").count() == 2  # into and out of Kyrgyzstan
        # Asked once; the next time only after a minute.
        assert page.evaluate("window.chekaraPublic.loads") == 1
        assert page.is_disabled("#refresh")
        if lang == "ru":
            visit.screenshot("public")
        _assert_public(visit)
        visit.assert_clean()


def test_russian_by_default_switchable_and_remembered_and_no_token_sent(open_page):
    # A staff token in this browser: the public page neither needs nor sends it.
    visit = open_page("/public", role="operator", lang="", viewport=PHONE)
    page = visit.page
    page.wait_for_function(LOADED)
    assert page.inner_text("h1") == TITLES["ru"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("#language", "ky")
    page.wait_for_function("document.documentElement.lang === 'ky'")
    assert page.inner_text("h1") == TITLES["ky"]
    assert page.evaluate("window.chekaraPublic.loads") == 1  # redrawn without asking again
    with page.expect_request("**/api/v1/public/checkpoints") as asked:
        page.reload()
    assert "authorization" not in asked.value.headers
    page.wait_for_function(LOADED)
    assert page.inner_text("h1") == TITLES["ky"]
    assert page.evaluate("localStorage.getItem('chekara.lang')") == "ky"
    _assert_public(visit)
    visit.assert_clean()


def test_a_declaration_status_look_up_says_only_the_status(open_page, live_server):
    number, plate = unique_number("PUB"), unique_plate()
    file_declaration(live_server, number, plate, entry="AK-JOL")
    visit = open_page("/public", lang="ru")
    page = visit.page
    page.wait_for_function(LOADED)

    page.fill("#declaration-number", number.lower())
    page.click("#declaration-form button")
    page.wait_for_function("window.chekaraPublic.lookups === 1")
    assert page.inner_text("#declaration-result") == f"Декларация {number}: зарегистрирована"
    assert plate not in page.inner_text("body") and "Kashgar" not in page.inner_text("body")

    unknown = unique_number("NOPE")
    page.fill("#declaration-number", unknown)
    page.click("#declaration-form button")
    page.wait_for_function("window.chekaraPublic.lookups === 2")
    assert page.inner_text("#declaration-result").startswith(f"Декларация {unknown} не найдена.")

    page.fill("#declaration-number", "a b")  # refused before it is asked
    page.click("#declaration-form button")
    page.wait_for_function("window.chekaraPublic.answer === 'invalid'")
    assert page.evaluate("window.chekaraPublic.lookups") == 2

    page.select_option("#language", "en")  # the answer shown follows the language
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text("#declaration-result") == "A declaration number has 3 to 40 Latin letters, digits and dashes."

    # Over the limit, the server answers 429: the page asks the visitor to wait a minute.
    page.route("**/api/v1/public/declarations/**", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "60"}, content_type="application/json",
        body=json.dumps({"error": {"code": "rate_limited", "message": "wait a minute", "field": None}}),
    ))
    page.fill("#declaration-number", number)
    page.click("#declaration-form button")
    page.wait_for_function("window.chekaraPublic.answer === 'too_many'")
    assert page.is_visible("#public-message")
    assert page.inner_text("#public-message") == "Too many requests. Please wait a minute and try again."
    _assert_public(visit)
    assert visit.errors == [NOT_FOUND, TOO_MANY]
    visit.errors.clear()
    visit.assert_clean()
