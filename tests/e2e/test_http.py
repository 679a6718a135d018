import httpx


def test_health_and_checkpoints_over_http(live_server):
    assert httpx.get(f"{live_server.url}/healthz").json()["database"] == "ok"
    response = httpx.get(f"{live_server.url}/api/v1/checkpoints", headers=live_server.headers("operator"))
    assert response.status_code == 200
    kinds = {f["properties"]["code"]: f["properties"]["border_kind"] for f in response.json()["features"]}
    assert kinds["AK-JOL"] == "eaeu" and kinds["TORUGART"] == "external" and kinds["OSH"] == "inland"


def test_openapi_docs_are_served(live_server):
    assert "swagger" in httpx.get(f"{live_server.url}/docs").text.lower()
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    assert "/api/v1/corridors" in spec["paths"]
    assert "multipart/form-data" in spec["paths"]["/api/v1/corridors"]["post"]["requestBody"]["content"]


def test_unknown_path_is_a_json_404(live_server):
    response = httpx.get(f"{live_server.url}/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
