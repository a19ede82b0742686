"""The API against its own description, live (issue #17): schemathesis — a tool nobody here wrote —
with a token and every check, and real answers of months with data matched to their schemas.

Not in test_api_contract.py: these need the data committed (the live server's thread reads it),
which the module-wide world of the other tests (one rolled-back transaction) is not.
"""
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import schemathesis
from rest_framework.authtoken.models import Token

from tests.fixtures.world import build_world


@pytest.fixture
def live_api(transactional_db, live_server):
    """The two-city world, committed (the live server's thread reads it), and an analyst's token."""
    world = build_world()
    token = Token.objects.create(user=world.users["analyst"]).key
    return live_server.url, token, world


def test_real_answers_of_months_with_data_match_their_schemas(live_api):
    url, token, world = live_api
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/schema/?format=json",
                                           headers={"Authorization": f"Token {token}"})
    calls = [("/api/v1/scorecard/", {"query": {"month": "2024-07"}}),
             ("/api/v1/profile/", {"query": {"month": "2024-07"}}),
             ("/api/v1/profile/", {"query": {"month": "2024-07", "unit": world.a.pk}}),
             ("/api/v1/incidents/", {"query": {"month": "2024-07"}}),
             ("/api/v1/incidents/{id}/", {"path_parameters": {"id": world.incident_a.pk}}),
             ("/api/v1/scorecard/", {"query": {"month": "2019-01"}}),
             ("/api/v1/scorecard/", {"query": {"month": "2024-13"}})]
    for path, kw in calls:
        case = schema[path]["GET"].Case(**kw)
        response = case.call(base_url=url, headers={"Authorization": f"Token {token}"})
        case.validate_response(response)  # status documented, body of its schema, content type
    # Without the token: 401 with its documented body.
    case = schema["/api/v1/scorecard/"]["GET"].Case(query={"month": "2024-07"})
    response = case.call(base_url=url)
    assert response.status_code == 401
    case.validate_response(response)


def test_schemathesis_finds_nothing_with_every_check(live_api, tmp_path):
    """`schemathesis run --checks all` (the CLI, as a client of the API would run it): bounded to 20
    examples per operation and a fixed seed, so that the suite stays quick and repeatable."""
    url, token, _world = live_api
    schema = tmp_path / "openapi.json"
    schema.write_bytes(requests.get(f"{url}/api/v1/schema/?format=json", headers={"Authorization": f"Token {token}"},
                                    timeout=30).content)
    cli = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run(
        [str(cli), "run", str(schema), "--url", url, "--checks", "all", "--max-examples", "20", "--seed", "17",
         "--header", f"Authorization: Token {token}", "--request-timeout", "30", "--workers", "1",
         "--no-color", "--warnings", "off"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested: 5" in run.stdout and "No issues found" in run.stdout, run.stdout[-3000:]
