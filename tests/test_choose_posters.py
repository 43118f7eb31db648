"""manage.py choose_posters: the still a card shows, chosen for GIFs uploaded
before posters existed."""

import io

import pytest
from django.core.management import call_command

from library.models import Gif, ShelfVersion
from tests import images


def choose_posters():
    output = io.StringIO()
    call_command("choose_posters", "--no-progress", stdout=output)
    return output.getvalue()


def uploaded_before_posters(upload_gif, frames, title):
    """An approved GIF as an upload left it before posters were chosen."""
    gif = upload_gif(
        data=images.encode(frames, "GIF", duration=80),
        title=title,
        status=Gif.Status.APPROVED,
    )
    Gif.objects.filter(pk=gif.pk).update(poster_frame=None)
    return gif


@pytest.fixture
def cartoon():
    return images.scene_frames(6, size=(120, 90), seed=3)


@pytest.mark.django_db
def test_an_old_gif_that_fades_in_gets_its_poster(upload_gif, cartoon):
    blank = images.solid((255, 255, 255), (120, 90))
    fades_in = uploaded_before_posters(upload_gif, [blank, *cartoon[1:]], "Fades in")
    plain = uploaded_before_posters(upload_gif, cartoon, "Plain")
    version = ShelfVersion.current()

    output = choose_posters()

    assert output == "Looked at 2 GIFs. 1 now holds still on a later frame.\n"
    assert Gif.objects.get(pk=fades_in.pk).poster_frame == 1
    assert Gif.objects.get(pk=plain.pk).poster_frame is None
    assert ShelfVersion.current() != version  # cached answers name the old still
    assert choose_posters() == "Looked at 1 GIF. 0 now hold still on a later frame.\n"


@pytest.mark.django_db
def test_a_lost_filmstrip_file_is_reported_and_the_rest_go_on(
    upload_gif, cartoon, media_root
):
    blank = images.solid((255, 255, 255), (120, 90))
    broken = uploaded_before_posters(upload_gif, cartoon, "Broken")
    fades_in = uploaded_before_posters(upload_gif, [blank, *cartoon[1:]], "Fades in")
    (media_root / broken.filmstrip[2]["name"]).unlink()

    output = choose_posters()

    assert f"GIF {broken.pk} “Broken”: a filmstrip file could not be read" in output
    assert output.startswith("Looked at 2 GIFs. 1 now holds still")
    assert Gif.objects.get(pk=fades_in.pk).poster_frame == 1
