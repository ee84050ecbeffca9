"""Fact tables for the statistics, kept in step with the registry by triggers, and their versions."""

from typing import Any

from django.db import migrations, models

from alianza.stats import facts


def install(apps: Any, schema_editor: Any) -> None:
    facts.install(schema_editor.connection, facts.registry_tables(apps))


def uninstall(apps: Any, schema_editor: Any) -> None:
    facts.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0003_data_version_epoch"),
        ("cases", "0003_route_country_index"),
        ("people", "0001_initial"),
        ("prosecution", "0001_initial"),
        ("protection", "0002_referral_exchange_reference"),
        ("accounts", "0001_initial"),
        ("plan", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseFact",
            fields=[
                ("case_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("year", models.IntegerField(db_index=True)),
                ("crime_type", models.TextField()),
                ("department", models.TextField()),
                ("institution_id", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "case fact",
                "verbose_name_plural": "case facts",
            },
        ),
        migrations.CreateModel(
            name="FormFact",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "case_id",
                        "term_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("case_id", models.BigIntegerField()),
                ("term_id", models.BigIntegerField()),
                ("year", models.IntegerField(db_index=True)),
            ],
            options={
                "verbose_name": "form fact",
                "verbose_name_plural": "form facts",
            },
        ),
        migrations.CreateModel(
            name="ParticipantFact",
            fields=[
                ("participation_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("case_id", models.BigIntegerField(db_index=True)),
                ("person_id", models.BigIntegerField(db_index=True)),
                ("year", models.IntegerField(db_index=True)),
                ("role", models.TextField()),
                ("sex", models.TextField(null=True)),
                ("age", models.IntegerField(null=True)),
                ("citizenship", models.TextField(null=True)),
                ("stage", models.TextField(null=True)),
                ("cluster_id", models.TextField(null=True)),
            ],
            options={
                "verbose_name": "participant fact",
                "verbose_name_plural": "participant facts",
            },
        ),
        migrations.CreateModel(
            name="RouteFact",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "case_id",
                        "position",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("case_id", models.BigIntegerField()),
                ("position", models.IntegerField()),
                ("event_type", models.TextField()),
                ("country", models.TextField()),
                ("year", models.IntegerField(db_index=True)),
            ],
            options={
                "verbose_name": "route fact",
                "verbose_name_plural": "route facts",
            },
        ),
        migrations.CreateModel(
            name="StatsVersion",
            fields=[
                ("scope", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("counter", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "statistics version",
                "verbose_name_plural": "statistics versions",
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
