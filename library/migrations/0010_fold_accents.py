"""Search documents now fold accents too: recompute them, and alias keys."""

from django.db import migrations

from library import search


def refold(apps, schema_editor):
    TagAlias = apps.get_model("library", "TagAlias")
    for alias in TagAlias.objects.all():
        TagAlias.objects.filter(pk=alias.pk).update(
            target_key=search.fold(alias.target)
        )
    search.rebuild_documents(apps)


class Migration(migrations.Migration):
    dependencies = [("library", "0009_dashboard_permission")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
