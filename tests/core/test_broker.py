"""The embedded broker never hands a worker half a message (scorecard/core/broker.py)."""
import os
import queue as queues

import pytest
from kombu import Connection

from scorecard.celery import app as celery_app
from scorecard.core import broker


@pytest.fixture
def channel(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "store_processed": False}
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as conn:
        yield conn.default_channel, tmp_path


def test_it_is_the_transport_of_the_embedded_default():
    if not celery_app.conf.broker_url.startswith("filesystem://"):
        pytest.skip("the suite runs on another broker (CELERY_BROKER_URL)")
    with celery_app.connection_for_write() as conn:
        assert type(conn.transport) is broker.Transport


def test_it_delivers_what_it_was_given_and_leaves_no_partial_file(channel):
    chan, folder = channel
    chan._put("q", {"body": "整改"})
    assert [n for n in os.listdir(folder) if n.endswith(".tmp")] == []
    assert chan._get("q") == {"body": "整改"}


def test_it_skips_a_message_still_being_written(channel):
    # What kombu's own channel leaves visible while writing: the reader must not take it.
    chan, folder = channel
    (folder / ".1_x.q.msg.tmp").write_bytes(b'{"bo')
    with pytest.raises(queues.Empty):
        chan._get("q")
    # kombu's channel would have named it like a whole message and the reader would choke on it:
    (folder / "1_x.q.msg").write_bytes(b"")
    with pytest.raises(ValueError):
        chan._get("q")
