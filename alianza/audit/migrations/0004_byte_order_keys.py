"""On PostgreSQL, the audit trail's indexed text columns compare byte by byte (collation "C").

The hash, the action and the object's type and id are codes, never sorted for people to read,
and every append writes their indexes: under the database's own collation each comparison
there is a locale-aware one (strcoll), under "C" a memcmp. A plain index of a "C" column also
answers a prefix match, so the action's `varchar_pattern_ops` copy, which only the auditors'
list (action prefix) used, is dropped. COPY of one import's 275,139 entries into a table with
the old and the new columns and indexes: 6.2 s and 5.0 s (docs/benchmarks.md, "Ninth pass").

Changing only a collation rewrites no rows (the values are the same bytes); the four columns'
indexes are built again. SQLite compares text byte by byte already (BINARY): nothing to do.
The fields keep no `db_collation`: SQLite knows no collation "C".
"""

from typing import Any

from django.db import migrations

COLUMNS = {"hash": 64, "action": 64, "object_type": 64, "object_id": 64}
ACTION_LIKE = "audit_auditentry_action_dee621eb_like"


def _collate(schema_editor: Any, collation: str) -> None:
    changes = ", ".join(
        f'ALTER COLUMN {name} TYPE varchar({length}) COLLATE "{collation}"' for name, length in COLUMNS.items()
    )
    schema_editor.execute(f"ALTER TABLE audit_auditentry {changes}")


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {ACTION_LIKE}")
    _collate(schema_editor, "C")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _collate(schema_editor, "default")
    schema_editor.execute(f"CREATE INDEX {ACTION_LIKE} ON audit_auditentry (action varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_drop_unused_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
