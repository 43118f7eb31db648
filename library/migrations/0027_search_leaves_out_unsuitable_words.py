"""Search documents lose the words that say where a GIF is *not* to be used:
its "avoid when" notes and its appropriateness tags. An agent typing
"outage" found first the GIFs ruled out for outages."""

from django.db import migrations

from library import search


def rebuild(apps, schema_editor):
    search.rebuild_documents(apps)


class Migration(migrations.Migration):
    dependencies = [("library", "0026_structured_history")]

    # Backwards, the documents keep the narrower words: they are an index,
    # and the older code finds everything it needs in them.
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
