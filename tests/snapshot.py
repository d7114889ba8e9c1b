"""The demo story loaded once per test process and state, then written back into each test.

Loading the story through the services takes seconds (every record goes through its service,
audit entry, rules and workflow: that is the point of the demo, and tests/demo checks it); about
two hundred tests start from it. So the first test that asks for it in a given database state
loads it for real inside a savepoint, records which rows the load added, changed or removed,
rolls the savepoint back and writes those rows back with plain INSERTs; every later test that
starts from the same state gets the same rows written back in a fraction of a second.

"The same state" is the count and highest key of every table before the load (a test that made
its own records first has another state and gets a load of its own) and the same file storage:
the demo's files live in the test settings' in-memory storage, which a test that changes
STORAGES replaces. A live-server test flushes the database, and the flush re-creates the content
types: under the same keys only if the test resets the sequences (`reset_sequences=True`, as the
browser tests do), otherwise under new keys, a new state, and a load of its own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.files.storage import storages
from django.core.management.color import no_style
from django.db import connection, transaction

# Tables the demo never writes and a replay must not touch.
_SKIP = {"django_migrations", "sqlite_sequence"}
# PostgreSQL json, jsonb: Django has psycopg read them as text, written back as is; a value read
# as dict or list (another loader) is written back as JSON.
_JSON_OIDS = {114, 3802}


@dataclass
class _Table:
    name: str
    key: str
    columns: list[str] = field(default_factory=list)
    rows: dict[Any, tuple] = field(default_factory=dict)
    json_columns: set[int] = field(default_factory=set)


@dataclass
class Snapshot:
    """What one load did: rows to delete (by key) and rows to insert, per table."""

    result: Any
    storage: object
    deletes: list[tuple[str, str, list]]
    inserts: list[tuple[str, list[str], list[tuple]]]


_snapshots: dict[tuple, Snapshot] = {}


def _tables() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        names = [t for t in connection.introspection.table_names(cursor) if t not in _SKIP]
        return [
            (name, connection.introspection.get_primary_key_column(cursor, name) or "")
            for name in sorted(names)
        ]


def _signature(tables: list[tuple[str, str]]) -> tuple:
    """Count and highest key of every table, in one query."""
    q = connection.ops.quote_name
    parts = [
        f"SELECT '{name}', COUNT(*), CAST(MAX({q(key)}) AS VARCHAR(200)) FROM {q(name)}"
        for name, key in tables
        if key
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted(tuple(row) for row in cursor.fetchall()))


def _read(tables: list[tuple[str, str]]) -> dict[str, _Table]:
    q = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for name, key in tables:
            if not key:
                continue
            cursor.execute(f"SELECT * FROM {q(name)}")
            columns = [d[0] for d in cursor.description]
            table = _Table(name, key, columns)
            table.json_columns = (
                {i for i, d in enumerate(cursor.description) if d[1] in _JSON_OIDS}
                if connection.vendor == "postgresql"
                else set()
            )
            at = columns.index(key)
            table.rows = {row[at]: tuple(row) for row in cursor.fetchall()}
            out[name] = table
    return out


def _diff(before: dict[str, _Table], after: dict[str, _Table]) -> tuple[list, list]:
    deletes, inserts = [], []
    for name, new in after.items():
        old = before[name].rows
        gone = [k for k in old if k not in new.rows or new.rows[k] != old[k]]
        added = [row for k, row in new.rows.items() if old.get(k) != row]
        if gone:
            deletes.append((name, new.key, gone))
        if added:
            if new.json_columns:
                from psycopg.types.json import Jsonb

                added = [
                    tuple(
                        Jsonb(v) if i in new.json_columns and isinstance(v, dict | list) else v
                        for i, v in enumerate(row)
                    )
                    for row in added
                ]
            inserts.append((name, new.columns, added))
    return deletes, inserts


def _write(snapshot: Snapshot) -> None:
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for name, key, keys in snapshot.deletes:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {q(name)} WHERE {q(key)} IN ({marks})", chunk)
        for name, columns, rows in snapshot.inserts:
            marks = ", ".join(["%s"] * len(columns))
            cols = ", ".join(q(c) for c in columns)
            cursor.executemany(f"INSERT INTO {q(name)} ({cols}) VALUES ({marks})", rows)
        if connection.vendor == "postgresql":
            # Keys were written explicitly: move each sequence past them.
            written = {name for name, _, _ in snapshot.inserts}
            models = [
                m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in written
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def replay(load: Callable[[], Any]) -> Any:
    """`load()`'s result, with its rows in the database: written back from the snapshot of this
    state, or loaded (and then snapshotted) the first time."""
    tables = _tables()
    storage = storages["default"]
    key = (connection.vendor, _signature(tables))
    snapshot = _snapshots.get(key)
    if snapshot is None or snapshot.storage is not storage:
        before = _read(tables)
        with transaction.atomic():
            result = load()
            after = _read(tables)
            transaction.set_rollback(True)
        deletes, inserts = _diff(before, after)
        snapshot = _snapshots[key] = Snapshot(result, storage, deletes, inserts)
    _write(snapshot)
    return copy.deepcopy(snapshot.result)
