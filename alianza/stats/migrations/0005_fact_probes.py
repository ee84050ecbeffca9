"""The PostgreSQL functions that rewrite the facts probe an index per key and case (facts.py,
`_probe`, `_PG_PLANNER`), and a new person marks nothing; installing the triggers again rebuilds
the facts and cells, which stay the same."""

from typing import Any

from django.db import migrations

from alianza.stats import facts


def install(apps: Any, schema_editor: Any) -> None:
    facts.install(schema_editor.connection, facts.registry_tables(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0004_facts"),
        ("cases", "0008_case_access_owner"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
