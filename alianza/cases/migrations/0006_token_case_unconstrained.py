"""Search tokens without a foreign-key constraint on their case, and one prefix index per database.

A token row is an entry of the search index, written with its case and deleted with it by the
ORM (`on_delete=CASCADE` is carried out by Django, not by the constraint), like its copy of the
owner (0005). The constraint cost a lookup of the case for every token written: about 16 per case,
which at commit of a bulk import on PostgreSQL was a quarter of its time. Ids are never reused
(sequences; AUTOINCREMENT on SQLite), so a token can never be taken for another case's.

The index of all tokens by prefix is now one per database: `cases_token_prefix` (pattern ops,
0002) on PostgreSQL, where `cases_token_lookup` was a second copy that no query used, and
`cases_token_lookup` on SQLite, created here with SQL like the other raw indexes.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def token_indexes(apps: Any, schema_editor: Any) -> None:
    # On SQLite, altering the field rebuilt the table with only the indexes Django knows of.
    if schema_editor.connection.vendor == "postgresql":
        return
    schema_editor.execute("CREATE INDEX IF NOT EXISTS cases_token_lookup ON cases_casesearchtoken (token, is_name, case_id)")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS cases_token_owner ON cases_casesearchtoken (owner_institution_id, token, is_name, case_id)"
    )
    schema_editor.execute("CREATE INDEX IF NOT EXISTS cases_token_case ON cases_casesearchtoken (case_id, token, is_name)")


def drop_lookup_index(apps: Any, schema_editor: Any) -> None:
    # Backwards, RemoveIndex gives the index back to Django on both databases.
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_token_lookup")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_token_owner'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='casesearchtoken', name='cases_token_lookup'),
        migrations.AlterField(
            model_name='casesearchtoken',
            name='case',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case'),
        ),
        migrations.RunPython(token_indexes, drop_lookup_index),
    ]
