"""PostgreSQL: a GIF's frame hashes and filmstrip kept out of its row.

A typed search reads the rows of every match (a bitmap heap scan of tens
of thousands at 100,000 GIFs), and these two JSON lists, which only an
upload's near-duplicate check and the review page read, are most of a long
GIF's row. PostgreSQL looks at a row's size only past 2 kB (TOAST's
threshold); it then moved nothing out and compressed the lists to fit 2 kB.
Now such a row keeps its lists out of line, uncompressed, down to 1 kB: at
bench/search.py's 100,000 GIFs the table shrinks from 178 to 114 MB and
the heaviest searches take a fifth less time (README, "Search
performance"). Existing rows are rewritten so that theirs move too. SQLite
has no such storage: nothing to do there.
"""

from django.db import migrations

COLUMNS = ("frame_hashes", "filmstrip")


def keep_lists_out_of_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    store(schema_editor, "SET (toast_tuple_target = 1024)", "EXTERNAL")
    # Only a new value is moved out of its row: the same lists, parsed again.
    schema_editor.execute(
        "UPDATE library_gif SET "
        + ", ".join(f"{column} = ({column}::text)::jsonb" for column in COLUMNS)
    )


def keep_lists_in_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        store(schema_editor, "RESET (toast_tuple_target)", "EXTENDED")


def store(schema_editor, table_option, storage):
    schema_editor.execute(f"ALTER TABLE library_gif {table_option}")
    for column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE library_gif ALTER COLUMN {column} SET STORAGE {storage}"
        )


class Migration(migrations.Migration):
    dependencies = [("library", "0016_shelf_version")]

    operations = [migrations.RunPython(keep_lists_out_of_rows, keep_lists_in_rows)]
