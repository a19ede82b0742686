"""The embedded broker: kombu's filesystem transport, with message files that appear whole.

kombu's filesystem channel creates the message file and then writes it; a worker that lists the
folder in between moves the empty file away, reads no JSON and stops ("Unrecoverable error:
JSONDecodeError"). Seen under load with a real worker. Here a message is written under a name the
reader ignores and renamed into place (atomic on one filesystem), so the reader sees all of a
message or none. Used only with CELERY_BROKER_URL=filesystem:// (settings.CELERY_BROKER_TRANSPORT).
"""
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot and a trailing .tmp: the reader takes only names "<stamp>.<queue>.msg".
        partial = os.path.join(self.data_folder_out, f".{name}.tmp")
        try:
            with open(partial, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
