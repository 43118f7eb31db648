"""Which filmstrip frame a still card shows, for animations that start empty.
GIFs already on the shelf keep showing their first still (None)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0020_contexts_without_gifs"),
    ]

    operations = [
        migrations.AddField(
            model_name="gif",
            name="poster_frame",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
    ]
