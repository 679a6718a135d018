"""The pages read which roles may call a route from the routes' own guards."""

from __future__ import annotations

from chekara.web.pages import PAGE_NEEDS
from chekara.web.permissions import route_roles


def test_the_table_names_the_guards_of_the_routes():
    table = route_roles()
    assert table["POST /api/v1/alerts/{alert_id}/ack"] == ["admin", "operator", "supervisor"]
    assert table["POST /api/v1/crossings/{crossing_id}/steps/{step}"] == ["admin", "officer"]
    assert "device" not in table["GET /api/v1/live/convoys"]
    # /me needs only a token: every role.
    assert "device" in table["GET /api/v1/me"]


def test_every_page_needs_a_route_that_exists():
    table = route_roles()
    assert [needs for needs in PAGE_NEEDS.values() if needs not in table] == []


def test_every_route_the_pages_ask_about_exists():
    import re
    from pathlib import Path

    web = Path(__file__).resolve().parents[3] / "backend" / "chekara" / "web"
    routes = {key.split(" ", 1)[1] for key in route_roles()}
    asked: set[str] = set()
    for template in (web / "templates").glob("*.html"):
        asked |= {n.split(" ", 1)[1] for n in re.findall(r'data-needs="([A-Z]+ /api/[^"{]*(?:\{[^}]+\}[^"{]*)*)"', template.read_text())}
    for script in (web / "static").glob("*.js"):
        # The route templates the scripts pass to Chekara.may: "/api/v1/…" constants.
        asked |= set(re.findall(r'_ROUTE = "(/api/v1/[^"]+)"', script.read_text()))
        asked |= set(re.findall(r'(?:ACK|RESOLVE) = "(/api/v1/[^"]+)"', script.read_text()))
    assert len(asked) >= 7
    assert sorted(asked - routes) == []
