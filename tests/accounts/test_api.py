"""The read-only JSON API: token or session authentication, the pages' scoping, OpenAPI."""
import json

import pytest
from django.test import Client
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from scorecard.accounts.models import AuditLog

pytestmark = pytest.mark.django_db


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def test_token_authentication_and_anonymous_refusal(world):
    anonymous = Client().get("/api/v1/scorecard/", {"month": "2024-07"})
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    bad = Client(HTTP_AUTHORIZATION="Token not-a-token").get("/api/v1/scorecard/")
    assert bad.status_code == 401
    resp = token_client(world.users["analyst"]).get("/api/v1/scorecard/", {"month": "2024-07"})
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    body = resp.json()
    assert body["month"] == "2024-07" and body["published"] is False
    assert {u["unit"] for u in body["units"]} == {"国网长沙供电公司", "国网株洲供电公司"}


def test_the_api_only_reads(world):
    client = token_client(world.users["analyst"])
    for method in ("post", "put", "patch", "delete"):  # no handler but get: 405 (tests/portal/test_api_contract.py)
        assert getattr(client, method)("/api/v1/scorecard/").status_code == 405, method


def test_session_authentication_works_for_the_browser(world):
    client = Client()
    client.force_login(world.users["leader"])
    assert client.get("/api/v1/incidents/", {"month": "2024-07"}).status_code == 200


def test_scoping_applies_as_on_the_pages(world):
    head = token_client(world.users["dept_head"])  # 国网长沙供电公司·运检
    card = head.get("/api/v1/scorecard/", {"month": "2024-07"}).json()
    # A draft month: only their own rows.
    assert {u["unit"] for u in card["units"]} == {"国网长沙供电公司"}
    assert {(d["unit"], d["department"]) for d in card["departments"]} == {("国网长沙供电公司", "运检")}
    # The profile defaults to their city; another city is a 404 (and audited), as a missing unit is.
    profile = head.get("/api/v1/profile/", {"month": "2024-07"}).json()
    assert profile["unit"] == "国网长沙供电公司" and profile["total"] == 2
    assert head.get("/api/v1/profile/", {"month": "2024-07", "unit": world.b.pk}).status_code == 404
    assert head.get("/api/v1/profile/", {"month": "2024-07", "unit": 987654321}).status_code == 404
    assert AuditLog.objects.filter(action="access_denied", user=world.users["dept_head"],
                                   summary__contains="/api/v1/profile/").count() == 1
    incidents = head.get("/api/v1/incidents/", {"month": "2024-07"}).json()["incidents"]
    assert [(i["district"], i["kind"], i["department"]) for i in incidents] == [("TQA01", "low_voltage", "运检")]
    assert incidents[0]["complaints"] == ["O-A-YJ"]
    assert (incidents[0]["accountable"], incidents[0]["category"]) == (True, "accountability")
    detail = head.get(f"/api/v1/incidents/{world.incident_a.pk}/").json()
    assert detail["district"] == "TQA01" and detail["evidence"] == world.incident_a.evidence
    assert head.get(f"/api/v1/incidents/{world.incident_b.pk}/").status_code == 404
    # The analyst sees both cities.
    analyst = token_client(world.users["analyst"])
    everything = analyst.get("/api/v1/incidents/", {"month": "2024-07"}).json()["incidents"]
    assert {i["district"] for i in everything} == {"TQA01", "TQB01"}
    assert analyst.get("/api/v1/profile/", {"month": "2024-07"}).json()["total"] == 3


def test_bad_month_is_named(world):
    resp = token_client(world.users["analyst"]).get("/api/v1/scorecard/", {"month": "2024-13"})
    assert resp.status_code == 400 and "month" in resp.json()


def test_openapi_schema_and_docs(world):
    client = token_client(world.users["auditor"])
    resp = client.get("/api/v1/schema/", {"format": "json"})
    assert resp.status_code == 200
    schema = json.loads(resp.content)
    validate_schema(schema)  # raises on an invalid OpenAPI document
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/v1/", "/api/v1/scorecard/", "/api/v1/profile/", "/api/v1/incidents/",
                                    "/api/v1/incidents/{id}/"}
    assert all(set(ops) <= {"get", "parameters"} for ops in schema["paths"].values())  # read-only
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    docs = Client()
    docs.force_login(world.users["auditor"])
    page = docs.get("/api/v1/docs/").content.decode()
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN at runtime.
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page and "cdn" not in page.lower()


def test_the_index_lists_every_endpoint_of_the_schema(world):
    assert Client().get("/api/v1/").status_code == 401
    resp = token_client(world.users["dept_head"]).get("/api/v1/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    body = resp.json()
    assert (body["version"], body["schema"], body["docs"]) == ("v1", "/api/v1/schema/", "/api/v1/docs/")
    listed = {(e["method"], e["path"]) for e in body["endpoints"]}
    assert listed == {("GET", "/api/v1/"), ("GET", "/api/v1/scorecard/"), ("GET", "/api/v1/profile/"),
                      ("GET", "/api/v1/incidents/"), ("GET", "/api/v1/incidents/{id}/")}
    by_path = {e["path"]: e for e in body["endpoints"]}
    assert by_path["/api/v1/scorecard/"]["summary"] == "考核排名（地市公司与责任单位）"
    assert "month" in by_path["/api/v1/scorecard/"]["parameters"]
