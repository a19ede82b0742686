"""Beyond the status codes of the access matrix: every response a scoped user gets (pages,
exports, API) carries none of another unit's data.

The users of the world belong to city A; city B has its own complaint, customer, 台区,
incident and appeal. Each URL/case of the matrix that answers 200 to a department head or a
leader is fetched, its body read (XLSX cells included), and searched for city B's
identifiers. The published rankings (scorecard, notice rankings) name every city company
— that is public to every logged-in user — so the markers are B's *data*, not B's name.
"""
import io

import pytest
from django.test import Client
from django.urls import reverse

from .test_access_matrix import RULES, _path, url_names

pytestmark = pytest.mark.django_db

SCOPED = ("dept_head", "leader")


def other_unit_markers(world) -> dict[str, str]:
    b = world.order_b
    return {
        "order number": b.order_no, "customer number": b.customer_id, "台区": b.district_id,
        "customer name": "李四", "masked name": "李*", "phone": "13800002222", "masked phone": "*******2222",
        "appeal link": reverse("kpis:appeal", args=[world.appeal_b.pk]),
        "incident link": reverse("kpis:incident", args=[world.incident_b.pk]),
    }


def body_text(resp) -> str:
    raw = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if "spreadsheetml" in resp.get("Content-Type", ""):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return raw.decode("utf-8-sig", errors="replace")


def scoped_200_cases():
    for name, cases in sorted(RULES.items()):
        for case in cases:
            for role in SCOPED:
                if case.expect[role] == 200 and case.method == "get":
                    yield pytest.param(name, case, role, id=f"{name}[{case.label or 'page'}]-{role}")


@pytest.mark.parametrize("name,case,role", list(scoped_200_cases()))
def test_scoped_users_get_none_of_another_units_data(name, case, role, world):
    if name not in {n for n, _ in url_names()}:
        pytest.skip(f"{name} is not in this URL conf")
    client = Client()
    client.force_login(world.users[role])
    resp = client.get(_path(name, case, world))
    assert resp.status_code == 200
    text = body_text(resp)
    leaked = [f"{what} {marker!r}" for what, marker in other_unit_markers(world).items() if marker in text]
    assert not leaked, f"{role} GET {_path(name, case, world)} shows city B's data: {', '.join(leaked)}"


def test_the_markers_are_visible_to_an_analyst(world):
    # The check above can fail: the same pages show city B's data to someone entitled to it.
    client = Client()
    client.force_login(world.users["analyst"])
    text = body_text(client.get("/analysis/orders/", {"month": "2024-07"}))
    markers = other_unit_markers(world)
    assert markers["order number"] in text and markers["customer name"] in text and markers["phone"] in text
    text = body_text(client.get(reverse("kpis:incidents"), {"month": "2024-07", "export": "csv"}))
    assert markers["台区"] in text
    assert markers["incident link"] in body_text(client.get(reverse("kpis:incidents"), {"month": "2024-07"}))
    assert markers["appeal link"] in body_text(client.get(reverse("kpis:appeals")))
