"""An epoch beside the data version, and triggers that recreate the row if it is missing.

After a database is flushed or restored the counter would start over and could match a cache
key from before; the epoch changes whenever the row is created again.
"""

from typing import Any

from django.db import migrations, models

import alianza.stats.models
from alianza.stats.migrations._watched import tables as _tables

BUMP_SQLITE = (
    "INSERT OR IGNORE INTO stats_dataversion (id, counter, epoch) VALUES (1, 0, lower(hex(randomblob(16)))); "
    "UPDATE stats_dataversion SET counter = counter + 1 WHERE id = 1;"
)


def drop_sqlite_triggers(apps: Any, schema_editor: Any) -> None:
    # SQLite rebuilds the table to add the column, which its triggers must not refer to meanwhile.
    if schema_editor.connection.vendor == "sqlite":
        for table in _tables(apps):
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS stats_data_version_{table}_{event}")


def upsert_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION stats_data_version_bump() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO stats_dataversion (id, counter, epoch) VALUES (1, 1, md5(random()::text || clock_timestamp()::text)) "
            "ON CONFLICT (id) DO UPDATE SET counter = stats_dataversion.counter + 1; "
            "RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
    elif vendor == "sqlite":
        for table in _tables(apps):
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS stats_data_version_{table}_{event}")
                schema_editor.execute(
                    f'CREATE TRIGGER stats_data_version_{table}_{event} AFTER {event.upper()} ON "{table}" '
                    f"BEGIN {BUMP_SQLITE} END"
                )


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_data_version")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="dataversion",
            name="epoch",
            field=models.CharField(default=alianza.stats.models._new_epoch, max_length=36),
        ),
        migrations.RunPython(upsert_triggers, migrations.RunPython.noop),
    ]
