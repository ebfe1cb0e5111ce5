"""Celery's Redis transport, publishing without building a Redis client per message.

kombu's Redis channel makes a new ``redis.Redis`` object for every command it sends outside
the consumer's event loop (``Channel.conn_or_acquire``), the LPUSH of each published task
included. The object is only a front for the channel's connection pool, which it shares, yet
constructing it was a quarter of the CPU of ``send_task`` and a tenth of a submit's
(``make bench BENCH_ARGS=webcpu``). This channel keeps one such client per connection pool
and hands it out instead: redis-py clients are safe to share between threads (each command
takes a connection from the pool and returns it), and the commands, the keys and the messages
are exactly kombu's. The asynchronous client (the consumer's BRPOP) is kombu's own, unchanged.

``CELERY_BROKER_TRANSPORT`` names this transport for ``redis://`` brokers (settings); the
messages on the wire are those of kombu's ``redis`` transport, so any worker reads them.
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    _kept_client = None

    def _create_client(self, asynchronous: bool = False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool  # a closed channel's pool is made anew: so is its client
        kept = self._kept_client
        if kept is None or kept.connection_pool is not pool:
            # Two threads may both make one here: either is right, the last one is kept.
            kept = self._kept_client = super()._create_client()
        return kept


class Transport(redis.Transport):
    Channel = Channel
