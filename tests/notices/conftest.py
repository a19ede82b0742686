import datetime as dt
import os
import time

import pytest

from scorecard.accounts.models import User
from scorecard.celery import app as celery_app
from tests.fixtures.cycle import after_appeal_window
from tests.fixtures.factories import city, dept, district, order, reading

MONTH = dt.date(2024, 10, 1)


@pytest.fixture
def month_data():
    """Two city companies, an overloaded 台区 (an incident → 发展) and complaints in
    October 2024 and the month before (rank movement, 环比)."""
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    d1, d2 = district("TQ0001", cs, customers=2000), district("TQ0002", zz, customers=1000)
    reading(d1, "2024-10", load=112)
    for i in range(4):
        order(accepted=f"2024-10-{i + 3:02d} 19:1{i}", city_unit=cs, category="供电质量", subcategory="频繁停电",
              district_obj=d1, customer=f"CS{i}", closed=f"2024-10-{i + 4:02d} 09:00", satisfaction="满意",
              order_no=f"GD-CS-{i}")
    for i in range(2):
        order(accepted=f"2024-10-{i + 10:02d} 11:00", city_unit=zz, district_obj=d2, customer=f"ZZ{i}",
              closed=f"2024-10-{i + 11:02d} 09:00", satisfaction="不满意", order_no=f"GD-ZZ-{i}")
    order(accepted="2024-09-20 17:00", city_unit=zz, district_obj=d2, customer="ZZ9", order_no="GD-ZZ-9")
    return {"cs": cs, "zz": zz}


@pytest.fixture
def users(month_data):
    return {
        "analyst": User.objects.create_user("fenxi", password="pw-analyst", role="analyst"),
        "auditor": User.objects.create_user("shenji", password="pw-auditor", role="auditor"),
        "head": User.objects.create_user("yunjian", password="pw-head", role="dept_head",
                                         org_unit=month_data["cs"], department=dept("运检")),
        "leader": User.objects.create_user("lingdao", password="pw-leader", role="leader",
                                           org_unit=month_data["cs"]),
    }


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture
def broker_down():
    """Point the Celery app at a Redis port where nothing listens; yields a function
    that brings the real broker back (also called at teardown)."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "broker_transport_options", "broker_connection_timeout",
                                         "broker_connection_max_retries")}

    def reset_pools():
        # The app caches its connection and producer pools on first use; dropping
        # them (not closing: kombu keeps producer pools in a global registry keyed
        # by the broker URL) makes the next publish connect to the current URL.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
    saved_env = os.environ.get("CELERY_BROKER_URL")
    reset_pools()
    os.environ["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"
    conf.update(broker_url="redis://127.0.0.1:1/0", broker_transport_options={}, broker_connection_timeout=1,
                broker_connection_max_retries=1)

    def restore():
        reset_pools()
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        conf.update(saved)

    yield restore
    restore()
