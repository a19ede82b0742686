"""The API's contract (issue #17): the OpenAPI description lists every status code each endpoint
answers with and every field it returns; JSON 404 for unknown paths, 405 for methods an endpoint
does not take, and a month without data answering 404 «该月没有数据» on the API and the pages alike.
schemathesis against the live API: test_api_schemathesis.py.
"""
import json
import re

import pytest
from django.test import Client
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from scorecard.core.months import parse_month
from scorecard.portal.api.schema import MONTH_PARAMETER_PATTERN, MONTH_PATTERN

OPERATIONS = {("/api/v1/scorecard/", "get"), ("/api/v1/profile/", "get"), ("/api/v1/incidents/", "get"),
              ("/api/v1/incidents/{id}/", "get"), ("/api/v1/", "get")}


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


@pytest.fixture
def schema_json(world):
    resp = token_client(world.users["analyst"]).get("/api/v1/schema/", {"format": "json"})
    assert resp.status_code == 200
    return json.loads(resp.content)


# --- the description ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_schema_is_valid_and_lists_every_status_each_endpoint_answers(schema_json):
    validate_schema(schema_json)
    found = {(path, method) for path, ops in schema_json["paths"].items() for method in ops}
    assert found == OPERATIONS  # a new endpoint: describe its statuses here
    codes = {(path, method): set(schema_json["paths"][path][method]["responses"]) for path, method in OPERATIONS}
    assert codes[("/api/v1/scorecard/", "get")] == {"200", "400", "401", "403", "404"}
    assert codes[("/api/v1/profile/", "get")] == {"200", "400", "401", "403", "404"}
    assert codes[("/api/v1/incidents/", "get")] == {"200", "400", "401", "403"}
    assert codes[("/api/v1/incidents/{id}/", "get")] == {"200", "401", "403", "404"}
    assert codes[("/api/v1/", "get")] == {"200", "401", "403"}
    for (path, method), statuses in codes.items():
        for status in statuses - {"200"}:
            body = schema_json["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            assert body["$ref"].rsplit("/", 1)[1] in ("Error", "ParameterError"), (path, status)


@pytest.mark.django_db
def test_the_month_parameter_has_its_pattern_and_range(schema_json):
    month = next(p for p in schema_json["paths"]["/api/v1/scorecard/"]["get"]["parameters"] if p["name"] == "month")
    assert month["schema"]["pattern"] == MONTH_PARAMETER_PATTERN and "1900 至 2100" in month["description"]
    assert re.match(MONTH_PARAMETER_PATTERN, "")  # ?month= : the default month, as on the pages
    # The pattern accepts exactly what core.months.parse_month accepts (the 400's rule).
    for value in ("1900-01", "2024-7", "2024-07", "2100-12", "1899-12", "2101-01", "2024-13", "2024-00", "24-07",
                  "2024-007", "2024/07", "abcd-ef"):
        try:
            parse_month(value)
            accepted = True
        except ValueError:
            accepted = False
        assert bool(re.match(MONTH_PATTERN, value)) == accepted, value
        assert bool(re.match(MONTH_PARAMETER_PATTERN, value)) == accepted, value


@pytest.mark.django_db
def test_every_field_the_endpoints_return_is_described(world, schema_json):
    components = schema_json["components"]["schemas"]
    client = token_client(world.users["analyst"])
    answers = {
        "Scorecard": client.get("/api/v1/scorecard/", {"month": "2024-07"}).json(),
        "Profile": client.get("/api/v1/profile/", {"month": "2024-07"}).json(),
        "IncidentList": client.get("/api/v1/incidents/", {"month": "2024-07"}).json(),
    }

    def undescribed(value, schema, where):
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        if isinstance(value, dict) and "properties" in schema:
            for key, item in value.items():
                if key not in schema["properties"]:
                    yield f"{where}.{key}"
                else:
                    yield from undescribed(item, schema["properties"][key], f"{where}.{key}")
        elif isinstance(value, list) and "items" in schema:
            for item in value[:3]:
                yield from undescribed(item, schema["items"], f"{where}[]")

    missing = [m for name, body in answers.items() for m in undescribed(body, components[name], name)]
    assert not missing, missing
    profile = components["Profile"]["properties"]
    assert {"previous_month_total", "mom_change_pct", "last_year_total", "yoy_change_pct"} <= set(profile)


# --- what the API answers ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_unknown_api_paths_answer_a_json_404(world):
    client = token_client(world.users["analyst"])
    for path in ("/api/v1/nope/", "/api/v1/incidents/abc/", "/api/v2/scorecard/", "/api/"):
        resp = client.get(path)
        assert resp.status_code == 404 and resp["Content-Type"] == "application/json", path
        assert "接口不存在" in resp.json()["detail"], path
    # Anonymous too, and whatever the method.
    assert Client().post("/api/v1/nope/").status_code == 404


@pytest.mark.django_db
def test_methods_an_endpoint_does_not_take_answer_405_with_allow(world):
    client = token_client(world.users["analyst"])
    for method in ("post", "put", "patch", "delete"):
        resp = getattr(client, method)("/api/v1/scorecard/")
        assert resp.status_code == 405, method
        assert "GET" in resp["Allow"] and "POST" not in resp["Allow"] and "detail" in resp.json()
    assert Client().post("/api/v1/scorecard/").status_code == 401  # anonymous: who are you, first


@pytest.mark.django_db
def test_a_month_without_data_is_a_404_saying_so_never_a_ranking_of_perfect_scores(world):
    client = token_client(world.users["analyst"])
    for path in ("/api/v1/scorecard/", "/api/v1/profile/"):
        resp = client.get(path, {"month": "2019-01"})
        assert resp.status_code == 404, path
        assert "该月没有数据" in resp.json()["detail"] and "2019-01" in resp.json()["detail"]
    # Incidents are a list: a month without any is an empty one (hazards need no complaint).
    assert client.get("/api/v1/incidents/", {"month": "2019-01"}).json() == {"month": "2019-01", "incidents": []}
    # A month with data still ranks.
    assert client.get("/api/v1/scorecard/", {"month": "2024-07"}).json()["units"]


@pytest.mark.django_db
def test_bad_parameters_are_a_400_naming_them(world):
    client = token_client(world.users["analyst"])
    resp = client.get("/api/v1/scorecard/", {"month": "2101-01"})
    assert resp.status_code == 400 and "month" in resp.json()
    resp = client.get("/api/v1/profile/", {"month": "2024-07", "unit": "abc"})
    assert resp.status_code == 400 and "unit" in resp.json()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/scorecard/", "/analysis/", "unit"])
def test_the_pages_say_the_same_for_a_month_without_data(world, path):
    client = Client()
    client.force_login(world.users["analyst"])
    if path == "unit":
        path = f"/scorecard/unit/{world.a.pk}/{world.yj.code}/"
    resp = client.get(path, {"month": "2019-01"})
    text = resp.content.decode()
    assert resp.status_code == 404 and "该月没有数据" in text and 'id="no-data"' in text
    assert "?month=2024-07" in text  # the way to the latest month with data
    assert client.get(path, {"month": "2024-07"}).status_code == 200
