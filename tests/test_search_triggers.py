"""SQLite keeps its search indexes in step with triggers, which stand in the
way when a migration copies library_gif to change a column: such a migration
drops them first and makes them again after (search.without_triggers)."""

import pytest
from django.core.management import call_command
from django.db import connection

from library import search
from library.models import Gif

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's index needs no triggers"
)


def triggers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def found(query):
    return {gif.title for gif in Gif.objects.listed().search(query)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_migration_that_copies_the_gif_table_keeps_search_in_step(upload_gif):
    before = triggers()
    upload_gif(title="Slow clap", status=Gif.Status.APPROVED)

    with connection.schema_editor() as editor:
        # What without_triggers() does first, then what Django's SQLite
        # migrations do to add a column that is not null, for one.
        search.drop_triggers(connection)
        editor._remake_table(Gif)
    upload_gif(title="Wave", status=Gif.Status.APPROVED)
    search.restore_lost_triggers(connection)  # and what it does last

    assert triggers() == before
    assert found("clap") == {"Slow clap"}
    assert found("wave") == {"Wave"}  # changed meanwhile: the index refilled
    upload_gif(title="Thumbs up", status=Gif.Status.APPROVED)
    assert found("thumbs") == {"Thumbs up"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_the_russian_notes_back_and_forth_keeps_search_in_step(
    upload_gif,
):
    # Migration 0025 adds columns that are not null: SQLite copies the table.
    before = triggers()
    upload_gif(title="Slow clap", status=Gif.Status.APPROVED)

    call_command("migrate", "library", "0024", verbosity=0)
    call_command("migrate", "library", verbosity=0)

    assert triggers() == before
    assert found("clap") == {"Slow clap"}
    noted = Gif.objects.get(title="Slow clap")
    noted.use_when_ru = "клиент пошутил"
    noted.save()
    noted.refresh_search_document()
    assert found("пошутил") == {"Slow clap"}
