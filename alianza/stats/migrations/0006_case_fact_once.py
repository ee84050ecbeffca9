"""The PostgreSQL functions that rewrite the cells read each record's and each case's case fact
once for every breakdown (facts.py, `_pg_records_select`, `CASE_OF_RECORD`); installing the
triggers again rebuilds the facts and cells, which stay the same."""

from typing import Any

from django.db import migrations

from alianza.stats import facts


def install(apps: Any, schema_editor: Any) -> None:
    facts.install(schema_editor.connection, facts.registry_tables(apps))


class Migration(migrations.Migration):

    dependencies = [("stats", "0005_fact_probes")]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
