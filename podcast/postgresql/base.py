"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet.

With persistent connections and ``CONN_HEALTH_CHECKS``, Django asks the server ``SELECT 1`` at the start of
every request that reuses a connection: on public pages of three to seven queries that is one round trip in
five, each a wake-up of a server process and of the waiting thread. A connection nobody is using has
nothing to read unless the server ended it (a restart, an administrator, an idle timeout: it then says so and
closes the socket) or sent a notice; only then is the server asked. A broken connection (one a query found
dead) is never usable.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == pq.TransactionStatus.IDLE:
            # poll(), not select(): a worker with many files open holds descriptors past select()'s 1,024,
            # which would have failed every check and reconnected on every request.
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            try:
                if not poller.poll(0):
                    return True
            except OSError:
                pass  # the server is asked instead
        return super().is_usable()
