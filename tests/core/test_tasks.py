"""Tasks wait for the transaction that sent them, and a dead broker does not break the edit."""
import pytest
from django.db import transaction

from scorecard.celery import app as celery_app
from scorecard.core import tasks


@pytest.fixture
def sent(monkeypatch):
    calls = []
    # apply_async is Celery's, not ours: recording it shows when our base class sends, and with what.
    monkeypatch.setattr(tasks.TransactionAwareTask, "apply_async",
                        lambda self, args=None, kwargs=None, **options: calls.append((self.name, args, options)))
    return calls


def test_it_is_the_base_of_every_task_of_the_project():
    celery_app.loader.import_default_modules()  # what a worker does when it starts
    mine = {name: t for name, t in celery_app.tasks.items() if not name.startswith("celery.")}
    assert {"complaints.run_import", "kpis.retrace_unpublished", "notices.generate_notice",
            "accounts.remind_rectifications"} <= set(mine)
    assert all(isinstance(t, tasks.TransactionAwareTask) for t in mine.values())


@pytest.mark.django_db(transaction=True)
def test_it_sends_only_once_the_transaction_commits(sent):
    with transaction.atomic():
        tasks.enqueue("kpis.retrace_unpublished", "rules")
        assert sent == []
    assert sent == [("kpis.retrace_unpublished", ("rules",), {})]


@pytest.mark.django_db(transaction=True)
def test_it_never_sends_for_a_transaction_that_rolls_back(sent):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            tasks.enqueue("kpis.retrace_unpublished", "rules")
            raise RuntimeError("the edit failed")
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_it_logs_a_dead_broker_and_tells_the_caller_who_asks(monkeypatch, caplog):
    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.TransactionAwareTask, "apply_async", down)
    told = []
    tasks.enqueue("kpis.retrace_unpublished", "rules")  # logged, not raised
    tasks.enqueue("kpis.retrace_unpublished", "rules", on_broker_error=told.append)
    assert [type(e) for e in told] == [ConnectionRefusedError]
    assert "could not enqueue kpis.retrace_unpublished" in caplog.text
