from django.db import connection

from scorecard.celery import health
from scorecard.grid.models import Department


def test_real_worker_runs_tasks_on_the_test_database(celery_worker_process):
    # Committed by this test (transactional_db): only a worker on this very
    # database can report it, not one on the demo database.
    Department.objects.create(code="zz", name="测试部门", sort_order=99)

    result = health.delay().get(timeout=60)

    assert result == {
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "departments": ["fz", "jj", "tk", "yj", "yx", "zz"],
    }
    assert "scorecard.health" in celery_worker_process.log()

