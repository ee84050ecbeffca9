"""Fast inserts for the few writers that create records by the hundred thousand (imports, the demo world).

The ORM's `bulk_create` builds a model instance per row and prepares every value through its
field; at a million rows that costs more than the database does. These helpers take rows that are
already in the database's form and hand them to the driver in one call: `executemany` on SQLite,
`COPY` on PostgreSQL. Primary keys are reserved first (`allocate_ids`), so that related rows can
point at rows not yet written. Callers run inside a transaction and keep every rule of the
services they stand in for; only the way the rows travel to the database differs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys of `model`'s table, which no other writer will be given."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once (a function of the row would look it up for every id,
            # eight times the cost of the nextval) and the ids come back as one array.
            cursor.execute(
                "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
                "SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return list(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            if not connection.in_atomic_block:
                raise RuntimeError("allocate_ids must run inside the transaction that writes the rows")
            # Alianza's SQLite transactions are IMMEDIATE (the write lock is held from BEGIN), so
            # nobody can take these ids before the rows are written. AUTOINCREMENT never reuses
            # an id, so start above both the highest row and the highest id ever issued.
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - names from the model
                f"coalesce((SELECT max({connection.ops.quote_name(column)}) FROM {quoted}), 0))",
                [table],
            )
            start = int(cursor.fetchone()[0]) + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"allocate_ids does not support {connection.vendor}")


class CopyText(bytes):
    """Rows already in the text format of PostgreSQL's COPY (`CopyFormatter.format`)."""


class CopyFormatter:
    """Puts rows in the text format of COPY with psycopg's own adapters, exactly as `Copy.write_row`
    sends them, but into memory (psycopg's `FileWriter`): no query, so another thread may format
    the next rows while the connection writes these (imports: alianza.cases.imports).

    Made in the thread that owns the connection (`for_connection`), used by one thread at a time.
    """

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @classmethod
    def for_connection(cls) -> CopyFormatter | None:
        """A formatter for the current connection on PostgreSQL; None on other databases."""
        if connection.vendor != "postgresql":
            return None
        connection.ensure_connection()
        return cls(connection.connection.cursor())

    def format(self, rows: Iterable[Sequence[Any]]) -> CopyText:
        from psycopg import Copy
        from psycopg.copy import FileWriter

        buffer = io.BytesIO()
        with Copy(self._cursor, writer=FileWriter(buffer)) as copy:
            for row in rows:
                copy.write_row(row)
        return CopyText(buffer.getvalue())


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]] | CopyText) -> None:
    """Insert `rows` (tuples in the order of `fields`, values as `db_value` gives them, or on
    PostgreSQL the same already formatted by a `CopyFormatter`)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                if isinstance(rows, CopyText):
                    copy.write(rows)
                else:
                    for row in rows:
                        copy.write_row(row)
        elif isinstance(rows, CopyText):
            raise TypeError("COPY text is for PostgreSQL")
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # type: ignore[arg-type]  # noqa: S608 - any iterable does


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def db_value(value: Any) -> Any:
    """A Python value in the form both drivers store it: dates as ISO text, JSON as text."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value) if value else ("[]" if isinstance(value, list) else "{}")  # as JSONField writes it
    return value


def table_analyze(*models_: type[models.Model]) -> None:
    """Refresh the planner's statistics after a large load (ANALYZE on both databases)."""
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def triggers_named(connection: Any, prefix: str) -> set[str]:
    """The names of the triggers in the database that start with `prefix` (PostgreSQL, SQLite)."""
    if connection.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE tgname LIKE %s"
    elif connection.vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s"
    else:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix + "%"])
        return {row[0] for row in cursor.fetchall()}
