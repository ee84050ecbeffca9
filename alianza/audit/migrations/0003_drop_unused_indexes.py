"""Drop the audit trail's indexes that no query uses: every append wrote them.

Queries on the trail: a record's history (object type and id, by seq: the composite index), the
auditors' list (action prefix, object type, object id, time range, by seq), the list of actions,
and `audit verify` (by seq). Nothing filters by the actor's or the institution's id, the object
type alone is the composite index's first column, and nothing matches a prefix of an object id
or of a hash (PostgreSQL's `varchar_pattern_ops` copies Django adds to an indexed or unique
CharField). An import of 100,000 cases appends 275,000 entries; PostgreSQL now keeps 8 indexes
on them instead of 14, SQLite 6 instead of 9.

The indexes are dropped by name (Django's names for them), not by altering the fields, so that
SQLite does not rebuild the table. The object id's index and the hash's unique constraint are
renamed to the names the model now declares (SQLite cannot rename an index: it is built again;
its inline UNIQUE on the hash stays, the same constraint under SQLite's own name).
"""

from django.db import migrations, models

PLAIN = {
    "audit_auditentry_actor_id_8ab278be": "actor_id",
    "audit_auditentry_institution_id_0c95c84f": "institution_id",
    "audit_auditentry_object_type_00e64ac4": "object_type",
}
LIKE = {  # PostgreSQL only
    "audit_auditentry_object_type_00e64ac4_like": "object_type varchar_pattern_ops",
    "audit_auditentry_object_id_c21697b7_like": "object_id varchar_pattern_ops",
    "audit_auditentry_hash_718ebbcd_like": "hash varchar_pattern_ops",
}
OBJECT_ID_OLD, OBJECT_ID_NEW = "audit_auditentry_object_id_c21697b7", "audit_entry_object_id"
HASH_OLD, HASH_NEW = "audit_auditentry_hash_key", "audit_entry_unique_hash"


def forwards(apps, schema_editor):
    q = schema_editor.quote_name
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name in [*PLAIN, *(LIKE if postgresql else {})]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(name)}")
    if postgresql:
        schema_editor.execute(f"ALTER INDEX {q(OBJECT_ID_OLD)} RENAME TO {q(OBJECT_ID_NEW)}")
        schema_editor.execute(f"ALTER TABLE audit_auditentry RENAME CONSTRAINT {q(HASH_OLD)} TO {q(HASH_NEW)}")
    else:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(OBJECT_ID_OLD)}")
        schema_editor.execute(f"CREATE INDEX {q(OBJECT_ID_NEW)} ON audit_auditentry (object_id)")


def backwards(apps, schema_editor):
    q = schema_editor.quote_name
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditentry RENAME CONSTRAINT {q(HASH_NEW)} TO {q(HASH_OLD)}")
        schema_editor.execute(f"ALTER INDEX {q(OBJECT_ID_NEW)} RENAME TO {q(OBJECT_ID_OLD)}")
    else:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(OBJECT_ID_NEW)}")
        schema_editor.execute(f"CREATE INDEX {q(OBJECT_ID_OLD)} ON audit_auditentry (object_id)")
    for name, column in {**PLAIN, **(LIKE if postgresql else {})}.items():
        schema_editor.execute(f"CREATE INDEX {q(name)} ON audit_auditentry ({column})")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField("auditentry", "actor_id", models.BigIntegerField(null=True, verbose_name="user id")),
                migrations.AlterField(
                    "auditentry", "institution_id", models.BigIntegerField(null=True, verbose_name="institution id")
                ),
                migrations.AlterField(
                    "auditentry", "object_type", models.CharField(blank=True, max_length=64, verbose_name="object type")
                ),
                migrations.AlterField(
                    "auditentry", "object_id", models.CharField(blank=True, max_length=64, verbose_name="object id")
                ),
                migrations.AlterField("auditentry", "hash", models.CharField(max_length=64)),
                migrations.AddIndex("auditentry", models.Index(fields=["object_id"], name=OBJECT_ID_NEW)),
                migrations.AddConstraint("auditentry", models.UniqueConstraint(fields=["hash"], name=HASH_NEW)),
            ],
        )
    ]
