"""Team leads see what the team uses on the dashboard."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Team lead": ["view_dashboard"]}


def grant(apps, schema_editor):
    library = apps.get_app_config("library")
    library.models_module = True
    create_permissions(library, apps=apps, verbosity=0)
    library.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(
                content_type__app_label="library", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        Group.objects.get(name=name).permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="library", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [("library", "0008_takedown")]

    operations = [
        migrations.AlterModelOptions(
            name="copy",
            options={
                "ordering": ["-at"],
                "permissions": [("view_dashboard", "Can see what the team uses")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
