"""A rejection can be a mistake: a curator or team lead reopens a rejected GIF,
saying why, and it waits for review again. The same file uploaded again is
refused as a duplicate, so reopening is the only way back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.imaging import ImageRefused
from library.models import Gif, GifEvent
from tests import images
from tests.reviewing import (
    client_of,
    page_of,
    post_json,
    queue_page,
    refreshed,
    refusal,
)
from tests.test_upload import results, upload

REASON = "The blur was the preview's; the original is sharp."


@pytest.fixture
def rejected(upload_gif, other_curator, lead):
    gif = upload_gif(title="Slow clap", by=other_curator)
    gif.reject(by=lead, reason="Too blurry.", flags=["low_quality"])
    return gif


def reopen(client, gif, reason=REASON, follow=False):
    data = {} if reason is None else {"reason": reason}
    url = reverse("library:gif_reopen", args=[gif.pk])
    return client.post(url, data, follow=follow)


@pytest.mark.django_db
def test_a_curator_reopens_a_rejected_gif_and_it_waits_in_the_queue_again(
    rejected, curator
):
    client = client_of(curator)
    page = page_of(client.get(rejected.get_absolute_url()))
    assert "Reopen for review" in page
    assert "Slow clap" not in queue_page(client)

    response = reopen(client, rejected, follow=True)

    assert "“Slow clap” is back in the review queue." in page_of(response)
    gif = refreshed(rejected)
    assert (gif.status, gif.rejection_reason, gif.review_flags) == (
        Gif.Status.PENDING,
        "",
        [],
    )
    assert gif.reviewed_by is None
    assert "Slow clap" in queue_page(client)
    # The rejection and the reopening both stay in the history, with who and why.
    latest, before = gif.events.all()[:2]
    assert (latest.action, latest.actor, latest.summary) == (
        GifEvent.Action.REOPENED,
        curator,
        REASON,
    )
    assert (before.action, before.summary) == (GifEvent.Action.REJECTED, "Too blurry.")


@pytest.mark.django_db
def test_reopening_needs_a_reason_and_keeps_the_page_open_to_give_one(
    rejected, curator
):
    response = reopen(client_of(curator), rejected, reason="  ")

    assert response.status_code == 400
    assert "Say why it deserves another look." in page_of(response)
    assert refreshed(rejected).status == Gif.Status.REJECTED


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Gif.Status.PENDING, Gif.Status.APPROVED])
def test_only_a_rejected_gif_can_be_reopened(upload_gif, lead, status):
    gif = upload_gif(title="Not rejected", status=status)

    response = post_json(
        client_of(lead), f"/api/gifs/{gif.pk}/reopen/", {"reason": REASON}
    )

    status_code, code, error = refusal(response)
    assert (status_code, code) == (409, "status_changed")
    assert "“Not rejected” is already" in error
    assert refreshed(gif).status == status


@pytest.mark.django_db
def test_a_second_reopening_is_refused_and_the_history_has_one(rejected, curator, lead):
    first = post_json(
        client_of(curator), f"/api/gifs/{rejected.pk}/reopen/", {"reason": REASON}
    )
    second = post_json(
        client_of(lead), f"/api/gifs/{rejected.pk}/reopen/", {"reason": REASON}
    )

    assert first.status_code == 200
    assert first.json()["status"] == "pending"
    assert refusal(second)[:2] == (409, "status_changed")
    assert rejected.events.filter(action=GifEvent.Action.REOPENED).count() == 1


@pytest.mark.django_db
def test_uploading_a_rejected_file_again_says_how_to_bring_it_back(
    upload_gif, curator, lead
):
    data = images.gif_bytes(seed=41)
    first = upload_gif(data=data, title="First try")
    first.reject(by=lead, reason="Wrong crop.")

    with pytest.raises(ImageRefused) as refused:
        Gif.objects.create_from_upload(
            SimpleUploadedFile("again.gif", data), by=curator, title="Second try"
        )

    assert str(refused.value) == (
        "This exact file was rejected before, as “First try”. If it deserves "
        "another look, reopen it from its page."
    )


@pytest.mark.django_db
def test_the_upload_page_links_to_the_rejected_gif_without_calling_it_on_the_shelf(
    upload_gif, curator, lead
):
    data = images.gif_bytes(seed=42)
    first = upload_gif(data=data, title="First try")
    first.reject(by=lead, reason="Wrong crop.")

    response = upload(client_of(curator), ("again.gif", data), title="Second try")

    line = results(response)["again.gif"]
    assert "reopen it from its page" in line["message"]
    assert line["links"] == [first.get_absolute_url()]
    assert "See that GIF" in page_of(response)
    assert "on the shelf" not in line["message"]
