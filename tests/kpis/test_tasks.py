"""The kpis tasks run their one service (called as the worker calls them)."""
import pytest

from scorecard.kpis import tasks


@pytest.mark.django_db
def test_it_runs_the_daily_reminder():
    # The beat entry (accounts migration 0004) sends this name every morning.
    assert tasks.remind_rectifications.name == "accounts.remind_rectifications"
    assert tasks.remind_rectifications.run() == 0  # nothing due on an empty database


@pytest.mark.django_db
def test_it_retraces_the_unpublished_months():
    assert tasks.retrace_unpublished.run("rules") == []  # none traced yet
