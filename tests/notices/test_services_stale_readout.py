"""A draft is built from the current data version, also while pages still show the previous one
(a warm-up pending right after an accepted appeal or an import). Caching is off inside a
transaction that may roll back, so these tests commit."""
import datetime as dt

import pytest
from django.db import transaction

from scorecard.accounts.models import User
from scorecard.core import freshness
from scorecard.kpis import services as kpis_services
from scorecard.kpis.selectors import scorecard_for_month
from scorecard.notices import services

from tests.fixtures.factories import city, order
from tests.fixtures.readouts import dept_row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NOV = dt.date(2024, 11, 1)
CS = "国网长沙供电公司"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The cache is emptied around every test by tests/conftest.py's _clear_cache.
    settings.MEDIA_ROOT = tmp_path


def test_it_builds_the_draft_from_the_current_version_while_pages_show_the_previous_one():
    cs = city(CS)
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    kpis_services.warm_read_outs(months=[NOV])  # version v0 warmed and ready
    with transaction.atomic():  # a change of data whose warm-up has not run yet
        order(accepted="2024-11-06 10:00", city_unit=cs, order_no="O-2", customer="C2")
        freshness.schedule_warm_up([NOV])
    assert freshness.updating()
    assert dept_row(scorecard_for_month(NOV), CS, "营销")["complaints"] == 1  # what pages show meanwhile

    analyst = User.objects.create_user("analyst", password="pw", role="analyst")
    notice = services.request_generation(month=NOV, user=analyst)
    notice = services.render_notice(notice_id=notice.pk)
    assert dept_row(notice.snapshot["scorecard"], CS, "营销")["complaints"] == 2
