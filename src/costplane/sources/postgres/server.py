"""The server's databases and who is connected to them.

`pg_stat_activity` shows other roles' sessions (their state included) only to
superusers and members of `pg_read_all_stats`: that role is what makes idle
connections countable without reading any data.
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.sources.postgres.connection import Session
from costplane.sources.postgres.model import Activity

DATABASES = """
SELECT d.datname,
       d.datallowconn AND coalesce(has_database_privilege(d.oid, 'CONNECT'), false),
       count(a.pid),
       count(a.pid) FILTER (WHERE a.state = 'idle'),
       count(a.pid) FILTER (WHERE a.state LIKE 'idle in transaction%')
FROM pg_database d
LEFT JOIN pg_stat_activity a
       ON a.datid = d.oid AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
WHERE NOT d.datistemplate
GROUP BY d.oid, d.datname, d.datallowconn
ORDER BY d.datname
"""


# By oid, not name: a database dropped while the list is read (a tenant leaving) is still
# a row of the query's snapshot, and the privilege check by name fails the whole query
# ("database ... does not exist"), by oid it is NULL: not connectable, left out.


@dataclass(frozen=True)
class ServerDatabase:
    name: str
    connectable: bool  # allows connections and the role has CONNECT on it
    activity: Activity


def server_databases(session: Session) -> list[ServerDatabase]:
    """Every non-template database, read before the collector opens its own sessions."""
    return [
        ServerDatabase(name, bool(connectable), Activity(int(total), int(idle), int(in_tx)))
        for name, connectable, total, idle, in_tx in session.execute(DATABASES).fetchall()
    ]
