"""Drop the people tables' indexes that another index already leads with, or that no query uses.

A participation's case is the first column of `participation_unique_role` (case, person, role),
which serves the foreign key's lookups; nothing matches a prefix of a normalised document number
(PostgreSQL's `varchar_pattern_ops` copy): linkage and search compare whole numbers. A bulk import
of 100,000 cases wrote these 235,000 entries for nothing (docs/benchmarks.md, "Ninth pass").
Dropped by name, so that SQLite does not rebuild the table.
"""

import django.db.models.deletion
from django.db import migrations, models

from alianza.core.schema import drop_indexes

COVERED = {"people_participation_case_id_c90cec33": ("people_participation", "case_id")}
UNUSED_PG = {
    "people_identitydocument_number_normalized_0c80bc56_like": (
        "people_identitydocument", "number_normalized varchar_pattern_ops",
    ),
}


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_indexes(COVERED, postgresql=UNUSED_PG)],
            state_operations=[
                migrations.AlterField(
                    model_name='participation',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='cases.case'),
                ),
            ],
        ),
    ]
