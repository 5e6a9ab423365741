"""kombu's Redis transport, with one fault mended: an acknowledgement that
cannot reach Redis no longer leaks the worker's prefetch credit.

kombu's Redis QoS acknowledges a message in two steps: it removes the
message from the ``unacked`` index in Redis, then releases the credit it
holds for it in the worker's memory. When Redis is gone at that moment (it
restarts while a document finishes: the document's own Redis calls fail,
so its acknowledgement comes right then), the first step raises, Celery
logs "Couldn't ack", and the second never happens. With one document per
pool process (``worker_prefetch_multiplier = 1``) the credit was the
worker's only one: the worker never asks Redis for a task again, and,
since kombu reconnects its BRPOP connection by itself, Celery never
restarts the consumer (which would start from a fresh credit). The worker
looks alive and takes nothing, for ever: the re-run after a Redis restart
found 0 documents taken.

Here the credit is released whatever Redis answered. A message whose
acknowledgement was lost is still in Redis's ``unacked`` index if Redis
kept it (a dropped connection, not a restart): it is delivered again after
the visibility timeout, and a document run twice does no harm
(:mod:`.celery_app`).
"""

from __future__ import annotations

from kombu import transport as _transports
from kombu.transport import redis, virtual

#: The URL schemes that name kombu's Redis transport.
SCHEMES = ("redis", "rediss")


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            super().ack(delivery_tag)
        except BaseException:
            virtual.QoS.ack(self, delivery_tag)  # the credit goes back; Celery logs the error
            raise

    def reject(self, delivery_tag, requeue=False):
        try:
            super().reject(delivery_tag, requeue=requeue)
        except BaseException:
            virtual.QoS.ack(self, delivery_tag)
            raise


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel


def install() -> None:
    """Make kombu use :class:`Transport` for Redis URLs in this process.

    kombu resolves a URL's scheme to a transport class through its alias
    table; the scheme itself stays, so ``rediss://`` keeps its TLS
    defaults (naming the class in ``broker_transport`` would lose them)."""
    for scheme in SCHEMES:
        _transports.TRANSPORT_ALIASES[scheme] = f"{__name__}:Transport"
        _transports._transport_cache.pop(scheme, None)
