"""A second SQLite index, of listed GIFs in popularity order with tag facets,
for the picker's pages; the shelf as the picker opens it is read off an index
by popularity."""

from django.conf import settings
from django.db import migrations, models

from library import search


def index_by_popularity(apps, schema_editor):
    # Title words split at "_" now, and the documents gain their facets.
    search.rebuild_documents(apps)
    search.add_popularity_index(schema_editor)


def drop_popularity_index(apps, schema_editor):
    search.remove_popularity_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0013_bilingual"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="gif",
            name="search_facets",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="gif",
            index=models.Index(
                models.OrderBy(models.F("copy_count"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="library_gif_popular",
            ),
        ),
        migrations.RunPython(index_by_popularity, drop_popularity_index),
    ]
