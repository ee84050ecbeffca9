"""The data version and the triggers that raise it on every write to the records statistics read."""

from typing import Any

from django.db import migrations, models

from alianza.stats.migrations._watched import tables as _tables


def create_triggers(apps: Any, schema_editor: Any) -> None:
    apps.get_model("stats", "DataVersion").objects.get_or_create(pk=1)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION stats_data_version_bump() RETURNS trigger AS $$ "
            "BEGIN UPDATE stats_dataversion SET counter = counter + 1 WHERE id = 1; RETURN NULL; END; "
            "$$ LANGUAGE plpgsql"
        )
        for table in _tables(apps):
            schema_editor.execute(
                f'CREATE TRIGGER stats_data_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION stats_data_version_bump()'
            )
    elif vendor == "sqlite":
        for table in _tables(apps):
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f'CREATE TRIGGER stats_data_version_{table}_{event.lower()} AFTER {event} ON "{table}" '
                    "BEGIN UPDATE stats_dataversion SET counter = counter + 1 WHERE id = 1; END"
                )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in _tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS stats_data_version_{table} ON "{table}"')
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS stats_data_version_{table}_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS stats_data_version_bump()")


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("cases", "0002_search_tokens"),
        ("people", "0001_initial"),
        ("prosecution", "0001_initial"),
        ("plan", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("counter", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "data version", "verbose_name_plural": "data versions"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
