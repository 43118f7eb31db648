"""Near-duplicate links made when flat frames still counted, and that the
rule without them no longer finds, are dropped (docs/review.md)."""

from django.db import migrations


def hashes(gif):
    return [int(value, 16) for value in gif.frame_hashes or []]


def drop_links_made_by_flat_frames(apps, schema_editor):
    from library import imaging

    Gif = apps.get_model("library", "Gif")
    Link = Gif.near_duplicates.through
    stale = []
    for link in Link.objects.select_related("from_gif", "to_gif").iterator():
        if not imaging.are_near_duplicates(hashes(link.from_gif), hashes(link.to_gif)):
            stale.append(link.pk)
    Link.objects.filter(pk__in=stale).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0032_review_page_saw_the_end")]

    operations = [
        migrations.RunPython(drop_links_made_by_flat_frames, migrations.RunPython.noop)
    ]
