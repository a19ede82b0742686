"""A small two-city world for the access-control tests: one object of every kind in
city A (the users' unit) and the same in city B (another unit, for IDOR checks).

Built once per module inside a transaction that is rolled back at the end; each
test runs in a savepoint of it (tests must request ``db``)."""
import datetime as dt
import hashlib
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from scorecard.accounts.models import User
from scorecard.complaints.models import Customer
from scorecard.imports.models import ImportJob
from scorecard.kpis import services as kpi_services
from scorecard.kpis.models import Appeal, Incident
from scorecard.notices.models import Notice
from tests.fixtures.factories import city, dept, district, order, reading

MONTH = dt.date(2024, 7, 1)
PASSWORD = "Scorecard-test-9x!"  # passes Django's validators
ROLES = ("analyst", "dept_head", "leader", "auditor", "admin", "anonymous")


def _notice(month: dt.date, status: str, name: str) -> Notice:
    body = f"%PDF-1.4 test {name}".encode()
    return Notice.objects.create(month=month, version=1, number=f"〔2024〕第{month.month}期", status=status,
                                 file=f"notices/{name}.pdf", size=len(body),
                                 sha256=hashlib.sha256(body).hexdigest(), progress=100,
                                 generated_at=timezone.now(), snapshot={"month": month.isoformat(), "name": name},
                                 published_at=timezone.now() if status == Notice.Status.PUBLISHED else None), body


def build_world() -> SimpleNamespace:
    a, b = city("国网长沙供电公司"), city("国网株洲供电公司")
    yj, yx, tk = dept("运检"), dept("营销"), dept("调控")
    da, db_ = district("TQA01", a, customers=1000), district("TQB01", b, customers=1000)
    # Low voltage without load problems → a 运检 incident in each city.
    reading(da, "2024-07", vmin=190)
    reading(db_, "2024-07", vmin=190)
    order_a = order(accepted="2024-07-05 10:00", city_unit=a, district_obj=da, category="供电质量",
                    subcategory="电压质量长时间异常", detail="低电压", customer="CA1", order_no="O-A-YJ")
    order_a.customer_name, order_a.phone = "张三丰", "13900001111"
    order_a.save()
    Customer.objects.filter(customer_no="CA1").update(name="张三丰", phone="13900001111")
    order_a_yx = order(accepted="2024-07-06 11:00", city_unit=a, category="服务", subcategory="服务态度",
                       customer="CA2", order_no="O-A-YX")
    order_b = order(accepted="2024-07-07 12:00", city_unit=b, district_obj=db_, category="供电质量",
                    subcategory="电压质量长时间异常", detail="低电压", customer="CB1", order_no="O-B-YJ")
    order_b.customer_name, order_b.phone = "李四", "13800002222"
    order_b.save()
    kpi_services.trace_month(month=MONTH)
    users = {
        "analyst": User.objects.create_user("m-analyst", password=PASSWORD, role="analyst"),
        "dept_head": User.objects.create_user("m-head", password=PASSWORD, role="dept_head", org_unit=a,
                                              department=yj),
        "leader": User.objects.create_user("m-leader", password=PASSWORD, role="leader", org_unit=a),
        "auditor": User.objects.create_user("m-auditor", password=PASSWORD, role="auditor"),
        # A role-admin who is not a superuser: the role alone must open the admin site.
        "admin": User.objects.create_user("m-admin", password=PASSWORD, role="admin"),
    }
    head_b = User.objects.create_user("m-head-b", password=PASSWORD, role="dept_head", org_unit=b, department=yj)
    appeal_a = Appeal.objects.create(work_order=order_a, month=MONTH, city=a, from_department=yj,
                                     to_department=tk, reason="属于调控", filed_by=users["dept_head"])
    appeal_b = Appeal.objects.create(work_order=order_b, month=MONTH, city=b, from_department=yj,
                                     to_department=tk, reason="属于调控", filed_by=head_b)
    job = ImportJob.objects.create(kind="workorders", file="imports/x.csv", original_name="x.csv",
                                   created_by=users["analyst"])
    published, published_body = _notice(dt.date(2024, 6, 1), Notice.Status.PUBLISHED, "published")
    draft, draft_body = _notice(MONTH, Notice.Status.DRAFT, "draft")
    return SimpleNamespace(
        a=a, b=b, yj=yj, yx=yx, order_a=order_a, order_a_yx=order_a_yx, order_b=order_b,
        incident_a=Incident.objects.get(district_id="TQA01", kind="low_voltage"),
        incident_b=Incident.objects.get(district_id="TQB01", kind="low_voltage"),
        appeal_a=appeal_a, appeal_b=appeal_b, job=job, published=published, draft=draft,
        files={published.file.name: published_body, draft.file.name: draft_body}, users=users, head_b=head_b,
    )


@pytest.fixture(scope="module")
def world_module(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


@pytest.fixture
def world(world_module, db, settings):
    # Notice PDFs live under the per-test MEDIA_ROOT (tests/conftest.py gives each test its own).
    for name, body in world_module.files.items():
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return world_module
