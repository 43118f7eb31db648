"""Data migrations keep what a curator relies on and mend only what was wrong."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

FLAT = ["8000000000000000"]
DRAWN = ["f0e1d2c3b4a59687", "0123456789abcdef", "a5a5a5a55a5a5a5a"]


def migrate(to):
    """Migrate the app to `to` and give its models as they were then."""
    call_command("migrate", "library", to, verbosity=0)
    return MigrationExecutor(connection).loader.project_state(("library", to)).apps


# Seeded rows (vocabularies, role groups) are put back after, for other tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_contexts_that_send_no_gif_lose_their_warnings_and_keep_the_rest():
    apps = migrate("0033_plain_backgrounds_are_not_near_duplicates")
    Context = apps.get_model("library", "ConversationContext")
    Tag = apps.get_model("library", "AppropriatenessTag")
    # As seeded (0006, 0020), and as a lead could leave it before the form
    # refused it. (Migrating back to 0033 does not put the seeded one back.)
    Context.objects.get(slug="formal").warns.set([Tag.objects.get(name="Celebratory")])
    Context.objects.get(slug="first-contact").warns.set(
        [Tag.objects.get(name="Money question")]
    )

    apps = migrate("0034_no_warnings_where_no_gif_is_sent")
    Context = apps.get_model("library", "ConversationContext")

    def rules(slug):
        context = Context.objects.get(slug=slug)
        return (
            sorted(tag.name for tag in context.hides.all()),
            sorted(tag.name for tag in context.warns.all()),
        )

    assert rules("formal") == (["Formal customer", "Playful"], [])
    assert rules("first-contact") == (
        ["Celebratory", "First contact", "Playful"],
        [],
    )
    # Contexts that let GIFs in keep their warnings.
    assert rules("upset") == (["Celebratory", "Upset customer"], ["Playful"])
    assert rules("outage") == (["Celebratory", "Outage or bug report"], ["Playful"])
    call_command("migrate", "library", verbosity=0)


# Seeded rows (vocabularies, role groups) are put back after, for other tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_links_made_only_by_plain_backgrounds_are_dropped_and_real_ones_stay():
    apps = migrate("0032_review_page_saw_the_end")
    Gif = apps.get_model("library", "Gif")

    def gif(name, hashes):
        return Gif.objects.create(
            title=name,
            sha256=name.ljust(64, "0"),
            frame_hashes=hashes,
            format="gif",
            width=40,
            height=40,
            frames=len(hashes),
            duration_ms=80 * len(hashes),
            loops=0,
            byte_size=100,
        )

    red, blue = gif("red", FLAT), gif("blue", FLAT)
    drawing, copy = gif("drawing", DRAWN), gif("copy", [*DRAWN, *FLAT])
    # Both ways, as the app's symmetrical field stores a link.
    Gif.near_duplicates.through.objects.bulk_create(
        Gif.near_duplicates.through(from_gif=one, to_gif=other)
        for pair in [(red, blue), (drawing, copy)]
        for one, other in [pair, pair[::-1]]
    )

    Gif = migrate("0033_plain_backgrounds_are_not_near_duplicates").get_model(
        "library", "Gif"
    )
    call_command("migrate", "library", verbosity=0)

    def linked(name):
        gif = Gif.objects.get(title=name)
        return sorted(other.title for other in gif.near_duplicates.all())

    assert linked("red") == []
    assert linked("blue") == []
    assert linked("drawing") == ["copy"]
    assert linked("copy") == ["drawing"]
