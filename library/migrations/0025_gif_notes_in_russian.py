"""A GIF's usage notes in Russian too, for Russian-speaking agents; empty,
they read the English note. The search body holds both languages' notes;
every Russian note starts empty, so no document changes here.

Adding a column that is not null makes SQLite copy library_gif, which the
search triggers stand in the way of: see search.without_triggers()."""

from django.db import migrations, models

from library.search import without_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0024_token_expiry"),
    ]

    operations = without_triggers(
        migrations.AddField(
            model_name="gif",
            name="use_when_ru",
            field=models.TextField(
                blank=True,
                help_text="What Russian readers see; empty: they see the English note.",
                verbose_name="use when (in Russian)",
            ),
        ),
        migrations.AddField(
            model_name="gif",
            name="avoid_when_ru",
            field=models.TextField(
                blank=True,
                help_text="What Russian readers see; empty: they see the English note.",
                verbose_name="avoid when (in Russian)",
            ),
        ),
    )
