"""Which institutions own the cases shared with an institution, read from an index."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cases', '0007_case_access'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='caseaccess',
            index=models.Index(fields=['institution', 'owner_institution'], name='case_access_owner'),
        ),
    ]
