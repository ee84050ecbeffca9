"""The case list's covering indexes (and one for the cases shared with an institution), and
`Case.filter_keys`, the column they filter forms and countries of exploitation on.

The keys are filled here from each case's term links and countries, in the format of
`alianza.cases.services.filter_keys` as it was written with this migration (" f<term id> ...
c<country> ... "); from then on the services keep them.
"""

from collections.abc import Iterator
from typing import Any

from django.db import migrations, models


def _keys(form_ids: list[int], countries: str) -> str:
    keys = [f"f{pk}" for pk in sorted(set(form_ids))] + [f"c{code}" for code in sorted(set(countries.split()))]
    return f" {' '.join(keys)} " if keys else ""


def fill_filter_keys(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    links = Case.exploitation_forms.through
    forms: dict[int, list[int]] = {}
    for case_id, term_id in links.objects.values_list("case_id", "referenceterm_id").iterator(chunk_size=20_000):
        forms.setdefault(case_id, []).append(term_id)

    def rows() -> Iterator[tuple[str, int]]:
        cases = Case.objects.values_list("pk", "exploitation_countries")
        for pk, countries in cases.iterator(chunk_size=20_000):
            keys = _keys(forms.get(pk, []), countries)
            if keys:
                yield keys, pk

    connection = schema_editor.connection
    filled = list(rows())  # read before writing: the connection cannot read while it copies
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One UPDATE from a table COPY filled, rather than a million single-row updates.
            cursor.execute("CREATE TEMPORARY TABLE cases_filter_keys_fill (keys varchar(400), id bigint) ON COMMIT DROP")
            with cursor.cursor.copy("COPY cases_filter_keys_fill (keys, id) FROM STDIN") as copy:
                for row in filled:
                    copy.write_row(row)
            cursor.execute(
                "UPDATE cases_case SET filter_keys = f.keys FROM cases_filter_keys_fill f WHERE f.id = cases_case.id"
            )
        else:
            cursor.executemany("UPDATE cases_case SET filter_keys = %s WHERE id = %s", filled)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0003_route_country_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='filter_keys',
            field=models.CharField(blank=True, default='', editable=False, max_length=400),
        ),
        migrations.RunPython(fill_filter_keys, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_owner_i_6f34d7_idx',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['owner_institution', 'reported_on', 'id', 'sensitivity', 'crime_type', 'status', 'department', 'filter_keys'], name='case_list_own'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['reported_on', 'id', 'owner_institution', 'sensitivity', 'crime_type', 'status', 'department', 'filter_keys'], name='case_list_all'),
        ),
        migrations.RemoveIndex(
            model_name='caseshare',
            name='cases_cases_institu_cf0c0a_idx',
        ),
        migrations.AddIndex(
            model_name='caseshare',
            index=models.Index(fields=['institution', 'category', 'case'], name='cases_share_lookup'),
        ),
    ]
