"""The review queue, its count in the navigation, skipping, and My uploads."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from library.models import Gif
from tests import images
from tests.reviewing import (
    api_approve,
    api_reject,
    client_of,
    describe,
    in_page_order,
    page_of,
    queue_page,
    refreshed,
    refusal,
    watch_to_the_end,
)


def uploaded_days_ago(gif, days):
    Gif.objects.filter(pk=gif.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def navigation_of(client):
    page = page_of(client.get(reverse("library:home")))
    return page[page.index('<nav aria-label="Main">') : page.index("</nav>")]


# The queue


@pytest.mark.django_db
def test_the_queue_lists_pending_gifs_oldest_first(
    curator_client, upload_gif, other_curator
):
    # (Not "Oldest": the page's help says "Oldest first".)
    for title, days in (("Bravo", 2), ("Charlie", 1), ("Alpha", 3)):
        uploaded_days_ago(upload_gif(title=title, by=other_curator), days)

    page = queue_page(curator_client)

    assert in_page_order(page, ["Charlie", "Bravo", "Alpha"]) == [
        "Alpha",
        "Bravo",
        "Charlie",
    ]


@pytest.mark.django_db
def test_the_queue_leaves_out_gifs_already_decided(
    curator_client, upload_gif, other_curator
):
    upload_gif(title="Waiting", by=other_curator)
    for status in (Gif.Status.APPROVED, Gif.Status.REJECTED, Gif.Status.RETIRED):
        upload_gif(title=f"Already {status}", by=other_curator, status=status)

    page = queue_page(curator_client)

    assert "Waiting" in page
    assert "Already" not in page


@pytest.mark.django_db
def test_a_long_queue_comes_in_pages_oldest_first(
    curator_client, upload_gif, other_curator, monkeypatch
):
    monkeypatch.setattr("library.views.LIST_PAGE_SIZE", 2)
    for title, days in (("Bravo", 2), ("Charlie", 1), ("Alpha", 3)):
        uploaded_days_ago(upload_gif(title=title, by=other_curator), days)
    titles = ["Charlie", "Bravo", "Alpha"]

    first = queue_page(curator_client)
    second = curator_client.get(reverse("library:review_queue"), {"page": 2})
    second = page_of(second)

    assert in_page_order(first, titles) == ["Alpha", "Bravo"]
    assert "Page 1 of 2" in first
    assert 'href="?page=2">Next</a>' in first
    assert in_page_order(second, titles) == ["Charlie"]
    assert 'href="?page=1">Previous</a>' in second
    assert 'aria-label="3 waiting">3</span>' in navigation_of(curator_client)


@pytest.mark.django_db
def test_a_fresh_upload_waits_less_than_a_minute_not_zero_minutes(
    curator_client, upload_gif, other_curator
):
    upload_gif(title="Fresh", by=other_curator)

    page = queue_page(curator_client)

    assert "Uploaded less than a minute ago by" in page
    assert "0\xa0minutes" not in page


@pytest.mark.django_db
def test_the_queue_says_how_long_each_gif_takes_to_watch(
    curator_client, curator, upload_gif, other_curator
):
    # 16 frames of 150 ms: 2.4 seconds to watch to the end.
    upload_gif(
        title="Long wave",
        data=images.gif_bytes(count=16, duration=150),
        by=other_curator,
    )
    upload_gif(title="Still wave", data=images.png_bytes(), by=other_curator)

    page = queue_page(curator_client)
    in_russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    in_russian.force_login(curator)
    russian = queue_page(in_russian)

    assert "2.4 s to watch" in page
    assert "Still: nothing to wait for" in page
    assert "2,4 с на просмотр" in russian


@pytest.mark.django_db
def test_an_empty_queue_says_nothing_waits(curator_client):
    assert "Nothing waits for you." in queue_page(curator_client)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["curator", "lead"])
def test_reviewers_see_the_queue_count_in_the_navigation(
    role, client_for, upload_gif, other_curator
):
    upload_gif(by=other_curator)
    upload_gif(by=other_curator)
    upload_gif(by=other_curator, status=Gif.Status.APPROVED)

    navigation = navigation_of(client_for(role))

    assert 'aria-label="2 waiting">2</span>' in navigation


@pytest.mark.django_db
def test_agents_see_no_review_queue_in_the_navigation(
    client_for, upload_gif, other_curator
):
    upload_gif(by=other_curator)

    navigation = navigation_of(client_for("agent"))

    assert reverse("library:review_queue") not in navigation
    assert "waiting" not in navigation


@pytest.mark.django_db
def test_the_count_in_the_navigation_leaves_out_the_curators_own_uploads(
    curator_client, upload_gif, other_curator
):
    upload_gif(title="Mine")  # uploaded by the curator, Bob
    upload_gif(title="By Carol", by=other_curator)

    assert 'aria-label="1 waiting">1</span>' in navigation_of(curator_client)


# Own uploads


@pytest.mark.django_db
def test_a_curator_does_not_see_their_own_uploads_in_the_queue(
    curator, other_curator, upload_gif
):
    upload_gif(title="Upload by Bob", by=curator)
    upload_gif(title="Upload by Carol", by=other_curator)

    bobs_queue = queue_page(client_of(curator))
    carols_queue = queue_page(client_of(other_curator))

    assert "Upload by Carol" in bobs_queue
    assert "Upload by Bob" not in bobs_queue
    assert "Upload by Bob" in carols_queue
    assert "Upload by Carol" not in carols_queue


@pytest.mark.django_db
def test_a_curator_cannot_approve_their_own_upload_in_the_api(
    curator, curator_client, upload_gif
):
    own = describe(upload_gif, by=curator)
    watch_to_the_end(curator_client, own, curator)

    response = api_approve(curator_client, own)

    status, code, error = refusal(response)
    assert (status, code) == (409, "own_upload")
    assert "another curator must approve it" in error
    assert refreshed(own).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_a_curator_cannot_approve_their_own_upload_on_the_page(
    curator, curator_client, upload_gif
):
    own = describe(upload_gif, by=curator)
    watch_to_the_end(curator_client, own, curator)

    response = curator_client.post(reverse("library:approve", args=[own.pk]))

    assert response.status_code == 409
    assert "another curator must approve it" in page_of(response)
    assert refreshed(own).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_the_review_page_of_an_own_upload_says_another_curator_approves_it(
    curator_client, pending_gif
):
    response = curator_client.get(reverse("library:review", args=[pending_gif.pk]))

    assert "You uploaded this GIF, so another curator approves it." in page_of(response)


@pytest.mark.django_db
def test_a_curator_may_still_reject_their_own_upload(curator_client, pending_gif):
    response = api_reject(curator_client, pending_gif, reason="Wrong file, sorry.")

    assert response.status_code == 200
    assert refreshed(pending_gif).status == Gif.Status.REJECTED


@pytest.mark.django_db
def test_with_self_approval_on_a_curator_sees_and_approves_their_own_upload(
    settings, curator, curator_client, upload_gif
):
    settings.GIFSHELF_ALLOW_SELF_APPROVAL = True
    own = describe(upload_gif, by=curator, title="Own upload by Bob")
    assert "Own upload by Bob" in queue_page(curator_client)
    watch_to_the_end(curator_client, own, curator)

    response = api_approve(curator_client, own)

    assert response.status_code == 200
    assert refreshed(own).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_self_approval_still_needs_a_watch_to_the_end(
    settings, curator, curator_client, upload_gif
):
    settings.GIFSHELF_ALLOW_SELF_APPROVAL = True
    own = describe(upload_gif, by=curator)

    response = api_approve(curator_client, own)

    assert refusal(response)[:2] == (409, "not_started")
    assert refreshed(own).status == Gif.Status.PENDING


# Skipping


@pytest.mark.django_db
def test_skipping_takes_a_gif_out_of_that_curators_queue_only(
    curator, other_curator, lead, upload_gif
):
    gif = upload_gif(title="Hard to judge", by=lead)
    bob = client_of(curator)

    response = bob.post(reverse("library:skip", args=[gif.pk]))

    assert response.status_code == 302
    assert "Hard to judge" not in queue_page(bob)
    assert "Hard to judge" in queue_page(client_of(other_curator))
    assert refreshed(gif).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_a_curator_takes_their_skips_back_and_the_gifs_wait_for_them_again(
    curator, lead, upload_gif
):
    first = upload_gif(title="Hard to judge", by=lead)
    second = upload_gif(title="Also unsure", by=lead)
    decided = upload_gif(title="Decided since", by=lead)
    bob = client_of(curator)
    for gif in (first, second, decided):
        bob.post(reverse("library:skip", args=[gif.pk]))
    Gif.objects.filter(pk=decided.pk).update(status=Gif.Status.APPROVED)
    assert "You skipped 2 GIFs that still wait." in queue_page(bob)

    response = bob.post(reverse("library:review_unskip"), follow=True)

    assert "2 skipped GIFs are back in your queue." in page_of(response)
    page = queue_page(bob)
    assert "Hard to judge" in page and "Also unsure" in page
    assert "You skipped" not in page


@pytest.mark.django_db
def test_skips_are_gifki_in_russian_as_on_every_other_page(curator, lead, upload_gif):
    first = upload_gif(title="Hard to judge", by=lead)
    second = upload_gif(title="Also unsure", by=lead)
    bob = client_of(curator)
    bob.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    bob.post(reverse("library:skip", args=[first.pk]))
    assert "Вы пропустили 1 гифку, которая всё ещё ждёт." in queue_page(bob)
    bob.post(reverse("library:skip", args=[second.pk]))
    assert "Вы пропустили 2 гифки, которые всё ещё ждут." in queue_page(bob)

    response = bob.post(reverse("library:review_unskip"), follow=True)

    assert "2 пропущенные гифки снова в вашей очереди." in page_of(response)


@pytest.mark.django_db
def test_skipping_moves_the_curator_on_to_the_next_gif(
    curator_client, upload_gif, other_curator
):
    skipped = upload_gif(title="Skipped", by=other_curator)
    uploaded_days_ago(skipped, 2)
    following = upload_gif(title="Following", by=other_curator)
    uploaded_days_ago(following, 1)

    response = curator_client.post(
        reverse("library:skip", args=[skipped.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "library:review", args=[following.pk]
    )
    assert "it stays in the others" in page_of(response)


@pytest.mark.django_db
def test_a_skipped_gif_leaves_the_count_in_the_navigation(
    curator_client, upload_gif, other_curator
):
    gif = upload_gif(by=other_curator)
    upload_gif(by=other_curator)

    curator_client.post(reverse("library:skip", args=[gif.pk]))

    assert 'aria-label="1 waiting">1</span>' in navigation_of(curator_client)


# My uploads


@pytest.mark.django_db
def test_my_uploads_shows_each_upload_with_its_status_and_rejection_reason(
    curator, other_curator, upload_gif
):
    waiting = upload_gif(title="Still waiting", by=curator)
    approved = describe(upload_gif, title="Made it", by=curator)
    turned_down = upload_gif(title="Turned down", by=curator)
    carol = client_of(other_curator)
    watch_to_the_end(carol, approved, other_curator)
    assert api_approve(carol, approved).status_code == 200
    assert (
        api_reject(carol, turned_down, reason="The ending shows a rude gesture.")
    ).status_code == 200

    page = page_of(client_of(curator).get(reverse("library:my_uploads")))

    rows = {
        gif.title: page[page.index(gif.title) :].split("</tr>")[0]
        for gif in (waiting, approved, turned_down)
    }
    assert "Pending review" in rows["Still waiting"]
    assert "Approved" in rows["Made it"]
    assert "Rejected" in rows["Turned down"]
    assert "The ending shows a rude gesture." in rows["Turned down"]


@pytest.mark.django_db
def test_my_uploads_says_why_a_retired_or_taken_down_gif_left_the_shelf(
    curator, lead, upload_gif
):
    retired = upload_gif(title="Worn out", by=curator, status=Gif.Status.APPROVED)
    retired.retire(by=lead, reason="We have a sharper one now.")
    gone = upload_gif(title="Rights issue", by=curator, status=Gif.Status.APPROVED)
    gone.retire(by=lead, reason="Superseded.")
    gone.take_down(by=lead, reason="The rights holder asked us to.")

    page = page_of(client_of(curator).get(reverse("library:my_uploads")))

    rows = {
        gif.title: page[page.index(gif.title) :].split("</tr>")[0]
        for gif in (retired, gone)
    }
    assert "We have a sharper one now." in rows["Worn out"]
    assert "The rights holder asked us to." in rows["Rights issue"]
    assert "Superseded." not in rows["Rights issue"]


@pytest.mark.django_db
def test_my_uploads_lists_only_the_members_own_uploads(
    curator_client, upload_gif, other_curator
):
    upload_gif(title="Wave by Bob")
    upload_gif(title="Shrug by Carol", by=other_curator)

    page = page_of(curator_client.get(reverse("library:my_uploads")))

    assert "Wave by Bob" in page
    assert "Shrug by Carol" not in page


@pytest.mark.django_db
def test_many_uploads_come_in_pages_newest_first(
    curator_client, upload_gif, monkeypatch
):
    monkeypatch.setattr("library.views.LIST_PAGE_SIZE", 2)
    for title, days in (("Bravo", 2), ("Charlie", 1), ("Alpha", 3)):
        uploaded_days_ago(upload_gif(title=title), days)
    titles = ["Charlie", "Bravo", "Alpha"]
    url = reverse("library:my_uploads")

    first = page_of(curator_client.get(url))
    second = page_of(curator_client.get(url, {"page": 2}))

    assert in_page_order(first, titles) == ["Charlie", "Bravo"]
    assert "Page 1 of 2" in first
    assert in_page_order(second, titles) == ["Alpha"]
    assert 'href="?page=1">Previous</a>' in second


@pytest.mark.django_db
def test_my_uploads_invites_a_first_upload_when_there_is_none(curator_client):
    page = page_of(curator_client.get(reverse("library:my_uploads")))

    assert "You have not uploaded anything yet." in page
