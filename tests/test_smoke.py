import pytest

from library.models import Gif


@pytest.mark.django_db
def test_an_uploaded_gif_waits_for_review_with_its_facts(pending_gif, media_root):
    assert pending_gif.status == Gif.Status.PENDING
    assert pending_gif.frames == 4
    assert (media_root / pending_gif.original.name).exists()
