from chekara.services import audit


def test_seed_rates_are_in_force(client, auth):
    body = client.get("/api/v1/rates", headers=auth("callcenter")).json()
    rates = {r["currency"]: r["kgs_per_unit"] for r in body["rates"]}
    assert body["base"] == "KGS"
    assert float(rates["USD"]) == 84.80 and float(rates["EUR"]) == 101.16 and float(rates["RUB"]) == 1.14


def test_admin_sets_a_rate_from_a_day_and_it_is_audited(client, auth, db_session):
    auth("admin")  # issuing the token is audited too: count after it
    before = audit.count(db_session)
    response = client.put(
        "/api/v1/rates/usd", json={"kgs_per_unit": "87.50", "effective_date": "2026-06-01"}, headers=auth("admin")
    )
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "created"
    old = {r["currency"]: r["kgs_per_unit"] for r in client.get("/api/v1/rates?on=2026-05-31", headers=auth("admin")).json()["rates"]}
    new = {r["currency"]: r["kgs_per_unit"] for r in client.get("/api/v1/rates?on=2026-06-01", headers=auth("admin")).json()["rates"]}
    assert float(old["USD"]) == 84.80 and float(new["USD"]) == 87.50
    assert audit.count(db_session) == before + 1
    again = client.put("/api/v1/rates/USD", json={"kgs_per_unit": "87.5", "effective_date": "2026-06-01"}, headers=auth("admin"))
    assert again.json()["outcome"] == "unchanged"
    assert audit.count(db_session) == before + 1
    history = client.get("/api/v1/rates/USD", headers=auth("planner")).json()
    assert [h["effective_date"] for h in history] == ["2025-01-01", "2026-06-01"]


def test_bad_rates_name_the_field(client, auth):
    cases = [
        ("USD", {"kgs_per_unit": "-1"}, "kgs_per_unit"),
        ("USD", {"kgs_per_unit": "abc"}, "kgs_per_unit"),
        ("USD", {}, "kgs_per_unit"),
        ("DOLLARS", {"kgs_per_unit": "1"}, "currency"),
        ("KGS", {"kgs_per_unit": "1"}, "currency"),
        ("USD", {"kgs_per_unit": "1", "effective_date": "yesterday"}, "effective_date"),
    ]
    for currency, body, field in cases:
        response = client.put(f"/api/v1/rates/{currency}", json=body, headers=auth("admin"))
        assert response.status_code == 422, (currency, body, response.text)
        assert response.json()["error"]["field"] == field, (currency, body, response.text)


def test_malformed_json_is_422_not_500(client, auth):
    response = client.put(
        "/api/v1/rates/USD", content=b"{not json", headers={**auth("admin"), "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
