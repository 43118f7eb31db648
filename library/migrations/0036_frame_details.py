"""Each frame's detail hash beside its perceptual hash (docs/review.md,
"Near-duplicate calibration"). Existing GIFs get theirs from
`manage.py rehash_frames`, which reads every file: too slow for a migration
on a large shelf. Until then they are compared on perceptual hashes alone.

On PostgreSQL the new list is kept out of the row, as migration 0017 does
for the frame hashes: searches read rows, and only uploads read this.
Adding the column makes SQLite copy library_gif: see search.without_triggers().
"""

from django.db import migrations, models

from library import search


def keep_details_out_of_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE library_gif ALTER COLUMN frame_details SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    dependencies = [("library", "0035_note_lengths")]

    operations = [
        *search.without_triggers(
            migrations.AddField(
                model_name="gif",
                name="frame_details",
                field=models.JSONField(default=list, editable=False),
            ),
        ),
        migrations.RunPython(keep_details_out_of_rows, migrations.RunPython.noop),
    ]
