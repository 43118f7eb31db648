"""The shelf's version token, which cached search answers are keyed by."""

import secrets

from django.db import migrations, models


def first_token(apps, schema_editor):
    ShelfVersion = apps.get_model("library", "ShelfVersion")
    ShelfVersion.objects.create(pk=1, token=secrets.randbits(62))


class Migration(migrations.Migration):
    dependencies = [("library", "0015_house_rules_in_russian")]

    operations = [
        migrations.CreateModel(
            name="ShelfVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
