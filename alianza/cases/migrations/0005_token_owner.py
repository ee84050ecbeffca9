"""Each search token carries its case's owner, an index reads one institution's tokens, and one
reads one case's tokens (in place of the foreign key's index).

The case list searches an institution's own cases (most of what its users see) through
`cases_token_owner`: (owner, token, is_name, case), with varchar_pattern_ops on PostgreSQL so
that LIKE 'word%' can use it under any collation, as 0002 does for the index of all tokens.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def fill_owner(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(
        "UPDATE cases_casesearchtoken SET owner_institution_id = "
        "(SELECT owner_institution_id FROM cases_case WHERE cases_case.id = cases_casesearchtoken.case_id)"
        if schema_editor.connection.vendor != "postgresql" else
        "UPDATE cases_casesearchtoken t SET owner_institution_id = c.owner_institution_id FROM cases_case c WHERE c.id = t.case_id"
    )


def token_indexes(apps: Any, schema_editor: Any) -> None:
    token = "token varchar_pattern_ops" if schema_editor.connection.vendor == "postgresql" else "token"
    schema_editor.execute(
        f"CREATE INDEX cases_token_owner ON cases_casesearchtoken (owner_institution_id, {token}, is_name, case_id)"
    )
    schema_editor.execute(f"CREATE INDEX cases_token_case ON cases_casesearchtoken (case_id, {token}, is_name)")


def drop_token_indexes(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS cases_token_owner")
    schema_editor.execute("DROP INDEX IF EXISTS cases_token_case")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0004_case_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='casesearchtoken',
            name='owner_institution',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.institution'),
        ),
        migrations.RunPython(fill_owner, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name='casesearchtoken',
            name='owner_institution',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.institution'),
        ),
        # cases_token_case starts with the case: it serves the foreign key too. (Before the raw
        # indexes: on SQLite altering a field rebuilds the table with only the indexes Django knows.)
        migrations.AlterField(
            model_name='casesearchtoken',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case'),
        ),
        migrations.RunPython(token_indexes, drop_token_indexes),
    ]
