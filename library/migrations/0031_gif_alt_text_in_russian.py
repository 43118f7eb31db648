"""A GIF's alt text in Russian too: a Russian-speaking agent's copied image
carries it into a Russian conversation, where a screen reader should not
read English out. Empty, Russian readers get the English alt text.

The search body holds it beside the English one; every GIF's document is
rebuilt, as migration 0027 does. Adding a column that is not null makes
SQLite copy library_gif: see search.without_triggers()."""

from django.db import migrations, models

from library import search


def rebuild(apps, schema_editor):
    search.rebuild_documents(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0030_admin_names_in_the_readers_language"),
    ]

    # Backwards, the documents keep what they hold: they are an index, and
    # the older code finds everything it needs in them.
    operations = [
        *search.without_triggers(
            migrations.AddField(
                model_name="gif",
                name="alt_text_ru",
                field=models.CharField(
                    blank=True,
                    help_text="What Russian readers get; empty: they get the "
                    "English alt text.",
                    max_length=500,
                    verbose_name="alt text (in Russian)",
                ),
            ),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
