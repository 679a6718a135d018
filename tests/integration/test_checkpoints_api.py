from chekara.api.geojson import GEOJSON_MEDIA_TYPE

REQUIRED_KINDS = {
    "AK-JOL": ("eaeu", "KZ"),
    "AK-TILEK": ("eaeu", "KZ"),
    "CHALDYBAR": ("eaeu", "KZ"),
    "TOKMOK": ("eaeu", "KZ"),
    "TORUGART": ("external", "CN"),
    "IRKESHTAM": ("external", "CN"),
    "DOSTUK": ("external", "UZ"),
    "KARAMYK": ("external", "TJ"),
    "BISHKEK": ("inland", None),
    "OSH": ("inland", None),
}


def test_checkpoints_are_a_geojson_feature_collection_with_the_border_kinds(client, auth):
    response = client.get("/api/v1/checkpoints", headers=auth("operator"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GEOJSON_MEDIA_TYPE)
    body = response.json()
    assert body["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    for code, (kind, country) in REQUIRED_KINDS.items():
        assert by_code[code]["properties"]["border_kind"] == kind, code
        assert by_code[code]["properties"]["country"] == country, code
    border = [f for f in body["features"] if f["properties"]["border_kind"] != "inland"]
    assert len(border) >= 12
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 69 < lon < 81 and 39 < lat < 44, "RFC 7946: longitude first"
        assert f["geometry"]["type"] == "Point"


def test_filters(client, auth):
    eaeu = client.get("/api/v1/checkpoints?border_kind=eaeu", headers=auth("operator")).json()["features"]
    assert eaeu and all(f["properties"]["country"] == "KZ" for f in eaeu)
    china = client.get("/api/v1/checkpoints?country=cn", headers=auth("operator")).json()["features"]
    assert {"TORUGART", "IRKESHTAM"} <= {f["properties"]["code"] for f in china}
    fences = client.get("/api/v1/checkpoints?geometry=geofence", headers=auth("operator")).json()["features"]
    assert all(f["geometry"]["type"] == "Polygon" for f in fences)


def test_one_checkpoint_with_its_geofence(client, auth):
    body = client.get("/api/v1/checkpoints/torugart", headers=auth("planner")).json()
    assert body["type"] == "Feature" and body["id"] == "TORUGART"
    assert body["properties"]["geofence"]["type"] == "Polygon"
    assert body["properties"]["name_ru"]


def test_unknown_checkpoint_is_404_naming_the_field(client, auth):
    response = client.get("/api/v1/checkpoints/NOWHERE", headers=auth("operator"))
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "no checkpoint with code 'NOWHERE'", "field": "code"}


def test_bad_filter_is_422_naming_the_parameter(client, auth):
    response = client.get("/api/v1/checkpoints?border_kind=sea", headers=auth("operator"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "border_kind"
