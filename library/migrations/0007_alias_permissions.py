"""Curators and team leads manage tag aliases; agents only benefit from them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALIAS_PERMISSIONS = [
    "view_tagalias",
    "add_tagalias",
    "change_tagalias",
    "delete_tagalias",
]
CONTEXT_PERMISSIONS = [
    "view_conversationcontext",
    "add_conversationcontext",
    "change_conversationcontext",
    "delete_conversationcontext",
]
GRANTS = {
    "Curator": ALIAS_PERMISSIONS,
    "Team lead": ALIAS_PERMISSIONS + CONTEXT_PERMISSIONS,
}


def grant(apps, schema_editor):
    library = apps.get_app_config("library")
    library.models_module = True
    create_permissions(library, apps=apps, verbosity=0)
    library.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.get(name=name)
        group.permissions.add(
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
    dependencies = [("library", "0006_search_index_and_contexts")]

    operations = [migrations.RunPython(grant, revoke)]
