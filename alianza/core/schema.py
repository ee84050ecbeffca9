"""Schema operations the apps' migrations share."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# An index's name: its table and its column list, to create it again when a migration is reversed.
Indexes = dict[str, tuple[str, str]]


def drop_indexes(indexes: Indexes, *, postgresql: Indexes | None = None) -> migrations.RunPython:
    """Drop `indexes` on every database and `postgresql` (its `varchar_pattern_ops` copies) on
    PostgreSQL only, by name, and create them again backwards. By name rather than by altering
    the fields, so that SQLite rebuilds no table; Django gives an index the same name on both."""

    def chosen(schema_editor: Any) -> Indexes:
        extra = (postgresql or {}) if schema_editor.connection.vendor == "postgresql" else {}
        return {**indexes, **extra}

    def forwards(apps: Any, schema_editor: Any) -> None:
        for name in chosen(schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backwards(apps: Any, schema_editor: Any) -> None:
        for name, (table, columns) in chosen(schema_editor).items():
            schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(name)} ON {table} ({columns})")

    return migrations.RunPython(forwards, backwards)
