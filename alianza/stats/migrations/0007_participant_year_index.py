"""Drop the participant facts' index of the year alone: `stats_participant_key` (year, person_key)
leads with it. The flush writes a fact per participation imported: 175,000 entries fewer per
100,000 cases (docs/benchmarks.md, "Ninth pass"). Dropped by name, so that SQLite does not
rebuild the table."""

from django.db import migrations, models

from alianza.core.schema import drop_indexes

INDEX = {"stats_participantfact_year_a62a8ba0": ("stats_participantfact", "year")}


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0006_case_fact_once'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_indexes(INDEX)],
            state_operations=[
                migrations.AlterField(model_name='participantfact', name='year', field=models.IntegerField()),
            ],
        ),
    ]
