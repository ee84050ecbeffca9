"""PostgreSQL: no index of every search token by prefix; a search of every case reads the
owners' index (`cases_token_owner`), one range of it per institution.

Both indexes hold every token, and an import of 100,000 cases writes 1.6 million entries to each:
the prefix index cost about 4 of the 15 s of the tokens' COPY (docs/benchmarks.md, "Ninth pass").
The search of every case (national scope, exports) asks `owner_institution_id = ANY(every
institution)` with the same prefix (`alianza.cases.selectors._every_owner`): as many index
descents as institutions, and the same tokens read. SQLite keeps `cases_token_lookup`.
"""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_token_prefix")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX cases_token_prefix ON cases_casesearchtoken (token varchar_pattern_ops, is_name, case_id)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_drop_covered_indexes'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
