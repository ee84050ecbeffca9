"""Fact tables and figures for the statistics, kept in step with the registry by triggers."""

from typing import Any

from django.db import migrations, models

from alianza.stats import facts


def install(apps: Any, schema_editor: Any) -> None:
    facts.install(schema_editor.connection, facts.registry_tables(apps))


def uninstall(apps: Any, schema_editor: Any) -> None:
    facts.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0003_data_version_epoch'),
        ('cases', '0003_route_country_index'),
        ('people', '0001_initial'),
        ('prosecution', '0001_initial'),
        ('protection', '0002_referral_exchange_reference'),
        ('accounts', '0001_initial'),
        ('plan', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseFact',
            fields=[
                ('case_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('year', models.IntegerField(db_index=True)),
                ('crime_type', models.TextField()),
                ('department', models.TextField()),
                ('institution', models.TextField()),
                ('origin', models.TextField(null=True)),
                ('destination', models.TextField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='DirtyCase',
            fields=[
                ('pk', models.CompositePrimaryKey('year', 'case_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('year', models.IntegerField()),
                ('case_id', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='DirtyKey',
            fields=[
                ('pk', models.CompositePrimaryKey('year', 'key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('year', models.IntegerField()),
                ('key', models.TextField()),
            ],
        ),
        migrations.CreateModel(
            name='FormFact',
            fields=[
                ('pk', models.CompositePrimaryKey('case_id', 'term_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('case_id', models.BigIntegerField()),
                ('term_id', models.BigIntegerField()),
                ('code', models.TextField()),
                ('year', models.IntegerField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name='PendingFlag',
            fields=[
                ('txid', models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name='PendingMark',
            fields=[
                ('pk', models.CompositePrimaryKey('kind', 'id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('kind', models.TextField()),
                ('id', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='RouteFact',
            fields=[
                ('pk', models.CompositePrimaryKey('case_id', 'position', blank=True, editable=False, primary_key=True, serialize=False)),
                ('case_id', models.BigIntegerField()),
                ('position', models.IntegerField()),
                ('event_type', models.TextField()),
                ('country', models.TextField()),
                ('year', models.IntegerField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name='StatsCell',
            fields=[
                ('pk', models.CompositePrimaryKey('year', 'measure', 'breakdown', 'category', blank=True, editable=False, primary_key=True, serialize=False)),
                ('year', models.IntegerField()),
                ('measure', models.TextField()),
                ('breakdown', models.TextField()),
                ('category', models.TextField()),
                ('raw', models.BigIntegerField()),
                ('dedup', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='StatsVersion',
            fields=[
                ('scope', models.CharField(max_length=16, primary_key=True, serialize=False)),
                ('counter', models.BigIntegerField(default=0)),
                ('token', models.TextField(default='')),
            ],
        ),
        migrations.CreateModel(
            name='WorkPerson',
            fields=[
                ('pk', models.CompositePrimaryKey('year', 'measure', 'key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('year', models.IntegerField()),
                ('measure', models.TextField()),
                ('key', models.TextField()),
                ('sex', models.TextField(null=True)),
                ('age', models.IntegerField(null=True)),
                ('citizenship', models.TextField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='WorkRecord',
            fields=[
                ('pk', models.CompositePrimaryKey('measure', 'participation_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('measure', models.TextField()),
                ('participation_id', models.BigIntegerField()),
                ('year', models.IntegerField()),
                ('key', models.TextField()),
                ('case_id', models.BigIntegerField()),
                ('sex', models.TextField(null=True)),
                ('age', models.IntegerField(null=True)),
                ('citizenship', models.TextField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='ParticipantFact',
            fields=[
                ('participation_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('case_id', models.BigIntegerField(db_index=True)),
                ('person_id', models.BigIntegerField(db_index=True)),
                ('year', models.IntegerField(db_index=True)),
                ('role', models.TextField()),
                ('sex', models.TextField(null=True)),
                ('age', models.IntegerField(null=True)),
                ('citizenship', models.TextField(null=True)),
                ('stage', models.TextField(null=True)),
                ('cluster_id', models.TextField(null=True)),
                ('person_key', models.TextField()),
            ],
            options={
                'indexes': [models.Index(fields=['year', 'person_key'], name='stats_participant_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
