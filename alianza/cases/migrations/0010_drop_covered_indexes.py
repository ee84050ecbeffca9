"""Drop the indexes of the cases' tables that another index already leads with, or that no query uses.

A bulk import writes every index of every row: 100,000 cases write these 370,000 entries for
nothing (docs/benchmarks.md, "Ninth pass"). The owner of a case is the first column of
`case_list_own`, a route event's case of `routeevent_unique_position`, a form link's case of
the link's unique (case, term) index: each serves whatever looked a foreign key up, such as
the checks of a delete. Nothing matches a prefix of a case's reference (PostgreSQL's
`varchar_pattern_ops` copy): search goes through the tokens. Dropped by name (the names Django
gave them), so that SQLite does not rebuild the tables.
"""

import django.db.models.deletion
from django.db import migrations, models

from alianza.core.schema import drop_indexes

COVERED = {
    "cases_case_owner_institution_id_2fbbeee8": ("cases_case", "owner_institution_id"),
    "cases_routeevent_case_id_df1df40c": ("cases_routeevent", "case_id"),
    "cases_case_exploitation_forms_case_id_41c136ad": ("cases_case_exploitation_forms", "case_id"),
}
UNUSED_PG = {"cases_case_reference_cb43aa34_like": ("cases_case", "reference varchar_pattern_ops")}


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0009_token_composite_key'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_indexes(COVERED, postgresql=UNUSED_PG)],
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='owner_institution',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.institution', verbose_name='owning institution'),
                ),
                migrations.AlterField(
                    model_name='routeevent',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='route_events', to='cases.case'),
                ),
            ],
        ),
    ]
