"""The three roles as groups, each with its permissions spelled out."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    "search_gif",  # search the shelf, open GIFs, copy them
    "flag_gif",
]
CURATOR = [
    *AGENT,
    "add_gif",  # upload
    "change_gif",  # title, alt text, usage note, mood and situation tags
    "review_gif",  # approve, reject, see unapproved GIFs
]
TEAM_LEAD = [
    *CURATOR,
    "set_appropriateness",
    "retire_gif",
    "view_gif",
    # Vocabularies and their guidance, managed in the admin.
    *(
        f"{action}_{model}"
        for model in ("moodtag", "situationtag", "appropriatenesstag")
        for action in ("view", "add", "change", "delete")
    ),
]
ROLES = {"Agent": AGENT, "Curator": CURATOR, "Team lead": TEAM_LEAD}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    library = apps.get_app_config("library")
    library.models_module = True
    create_permissions(library, apps=apps, verbosity=0)
    library.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="library", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Missing permissions for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
