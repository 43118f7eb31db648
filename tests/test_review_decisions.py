"""Approving and rejecting: watch to the end, describe, flag, and never overwrite."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from library.models import (
    STEP_MS,
    Gif,
    GifEvent,
    MoodTag,
    Playback,
    ReviewError,
    ReviewSkip,
    SituationTag,
)
from tests import images
from tests.reviewing import (
    WATCH_REFUSAL,
    api_approve,
    api_gif,
    api_reject,
    client_of,
    describe,
    details_of,
    flashing_gif_bytes,
    let_time_pass,
    open_without_playing,
    page_approve,
    page_of,
    page_reject,
    refreshed,
    refusal,
    report_watched,
    situation,
    start,
    step_to_last_frame,
    watch_to_the_end,
)

# Bob (the curator fixture) uploads; Carol reviews, so no GIF is her own.


@pytest.fixture
def carol(other_curator):
    return client_of(other_curator)


@pytest.fixture
def ready_gif(upload_gif):
    """Described and tagged, uploaded by Bob: only the watch is missing."""
    return describe(upload_gif, title="Polite bow")


def playback_of(gif, reviewer):
    return Playback.objects.get(gif=gif, reviewer=reviewer)


def assert_refused(response, gif, status, code):
    assert refusal(response)[:2] == (status, code)
    assert refreshed(gif).status == Gif.Status.PENDING


def gif_page(client, gif):
    response = client.get(gif.get_absolute_url())
    assert response.status_code == 200
    return page_of(response)


# Starting the review clock


@pytest.mark.django_db
def test_starting_a_review_returns_when_it_started_and_how_long_to_watch(
    carol, ready_gif, other_curator
):
    before = timezone.now()

    response = start(carol, ready_gif)

    body = response.json()
    started_at = datetime.fromisoformat(body["started_at"])
    assert response.status_code == 200
    assert body["watch_ms"] == 2000  # four frames of 500 ms: one loop
    assert before <= started_at <= timezone.now()
    assert playback_of(ready_gif, other_curator).started_at == started_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [images.png_bytes(), images.jpeg_bytes(), images.webp_bytes(count=1)]
)
def test_a_still_image_has_nothing_to_watch(carol, upload_gif, data):
    still = describe(upload_gif, data=data, name="still.png")

    response = start(carol, still)

    assert response.json()["watch_ms"] == 0


# Watch to the end, enforced by the server


@pytest.mark.django_db
def test_approving_right_after_the_start_is_refused(carol, ready_gif):
    start(carol, ready_gif)

    response = api_approve(carol, ready_gif)

    assert_refused(response, ready_gif, 409, "not_watched")
    assert refusal(response)[2] == WATCH_REFUSAL


@pytest.mark.django_db
def test_approving_without_starting_the_review_tells_the_script_to_start_it(
    carol, ready_gif
):
    response = api_approve(carol, ready_gif)

    assert_refused(response, ready_gif, 409, "not_started")
    assert "POST to review/start/ first" in refusal(response)[2]
    assert "play to its end" in refusal(response)[2]


@pytest.mark.django_db
def test_approving_on_the_page_without_a_start_says_to_watch_to_the_end(
    carol, ready_gif
):
    # The page starts the clock as the GIF plays; without it (no JavaScript)
    # the curator is told what they can do, not about the API.
    response = page_approve(carol, ready_gif)

    assert response.status_code == 409
    assert WATCH_REFUSAL in page_of(response)
    assert "POST to review/start/" not in page_of(response)
    assert refreshed(ready_gif).status == Gif.Status.PENDING


TOLERANCE_MS = 250  # the figure, spelled out rather than imported


@pytest.fixture
def stop_the_clock(monkeypatch):
    """Stop the clock where `reviewer`'s review started.

    Then only let_time_pass moves time on: the milliseconds the requests
    themselves take (sometimes over 100 ms on a busy machine) add nothing.
    """

    def stop(gif, reviewer):
        moment = playback_of(gif, reviewer).started_at
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return stop


@pytest.mark.django_db
def test_approving_just_inside_the_tolerance_is_accepted(
    carol, ready_gif, other_curator, stop_the_clock
):
    start(carol, ready_gif)
    stop_the_clock(ready_gif, other_curator)
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms - TOLERANCE_MS)

    response = api_approve(carol, ready_gif)

    assert response.status_code == 200
    assert refreshed(ready_gif).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_approving_just_outside_the_tolerance_is_refused(
    carol, ready_gif, other_curator, stop_the_clock
):
    start(carol, ready_gif)
    stop_the_clock(ready_gif, other_curator)
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms - TOLERANCE_MS - 1)

    response = api_approve(carol, ready_gif)

    assert_refused(response, ready_gif, 409, "not_watched")
    assert refusal(response)[2] == WATCH_REFUSAL


@pytest.mark.django_db
def test_approving_well_before_the_end_is_refused_with_the_clock_running(
    carol, ready_gif, other_curator
):
    start(carol, ready_gif)
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms // 2)

    response = api_approve(carol, ready_gif)

    assert_refused(response, ready_gif, 409, "not_watched")


@pytest.mark.django_db
def test_approving_after_a_whole_loop_is_accepted(carol, ready_gif, other_curator):
    watch_to_the_end(carol, ready_gif, other_curator)

    response = api_approve(carol, ready_gif)

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert refreshed(ready_gif).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_an_early_approval_on_the_page_says_to_watch_to_the_end(carol, ready_gif):
    start(carol, ready_gif)

    response = page_approve(carol, ready_gif)

    assert response.status_code == 409
    assert WATCH_REFUSAL in page_of(response)
    assert refreshed(ready_gif).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_another_curators_watch_does_not_count(carol, curator, lead, upload_gif):
    gif = describe(upload_gif, by=lead)
    watch_to_the_end(client_of(curator), gif, curator)

    response = api_approve(carol, gif)

    # Carol's own review never started, whoever else watched it.
    assert_refused(response, gif, 409, "not_started")


@pytest.mark.django_db
def test_reopening_the_review_page_after_watching_keeps_the_watch(
    carol, ready_gif, other_curator
):
    watch_to_the_end(carol, ready_gif, other_curator)
    assert report_watched(carol, ready_gif).status_code == 200

    start(carol, ready_gif)  # the curator reloads the page
    response = api_approve(carol, ready_gif)

    assert response.status_code == 200


@pytest.mark.django_db
def test_leaving_the_page_before_the_end_and_coming_back_later_starts_over(
    carol, ready_gif, other_curator
):
    start(carol, ready_gif)
    # The curator left at once; by the time they open the page again, a
    # whole loop's time has passed, but their page never saw the end.
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms * 2)

    assert start(carol, ready_gif).json()["watched"] is False
    response = api_approve(carol, ready_gif)

    assert_refused(response, ready_gif, 409, "not_watched")


# A page that opens without playing (flash risk; reduced motion with a
# sampled filmstrip) starts the clock only when the reviewer presses play.


@pytest.mark.django_db
def test_a_page_opened_without_playing_starts_no_clock(
    carol, flashing_gif, other_curator
):
    response = open_without_playing(carol, flashing_gif)

    assert response.json() == {"watch_ms": flashing_gif.watch_ms, "watched": False}
    # However long the curator looks at the still, no loop has played.
    assert not Playback.objects.filter(gif=flashing_gif).exists()
    approved = api_approve(carol, flashing_gif, acknowledge_flashing=True)
    assert_refused(approved, flashing_gif, 409, "not_started")


@pytest.mark.django_db
def test_a_page_opened_without_playing_voids_a_watch_left_unfinished(
    carol, flashing_gif, other_curator
):
    start(carol, flashing_gif)  # played, then left before the end
    let_time_pass(flashing_gif, other_curator, flashing_gif.watch_ms * 2)

    assert open_without_playing(carol, flashing_gif).json()["watched"] is False
    approved = api_approve(carol, flashing_gif, acknowledge_flashing=True)

    assert_refused(approved, flashing_gif, 409, "not_started")


@pytest.mark.django_db
def test_a_page_opened_without_playing_keeps_a_watch_seen_through(
    carol, flashing_gif, other_curator
):
    watch_to_the_end(carol, flashing_gif, other_curator)
    assert report_watched(carol, flashing_gif).status_code == 200

    assert open_without_playing(carol, flashing_gif).json()["watched"] is True
    approved = api_approve(carol, flashing_gif, acknowledge_flashing=True)

    assert approved.status_code == 200


@pytest.mark.django_db
def test_an_agent_cannot_open_a_review(agent_client, flashing_gif):
    response = open_without_playing(agent_client, flashing_gif)

    assert response.status_code == 403
    assert not Playback.objects.exists()


@pytest.mark.django_db
def test_the_page_cannot_report_the_end_before_a_whole_loop(
    carol, ready_gif, other_curator
):
    start(carol, ready_gif)
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms // 2)

    response = report_watched(carol, ready_gif)

    assert response.status_code == 409
    assert response.json()["code"] == "not_watched"
    assert start(carol, ready_gif).json()["watched"] is False


@pytest.mark.django_db
def test_reporting_the_end_without_opening_the_page_is_refused(carol, ready_gif):
    response = report_watched(carol, ready_gif)

    assert response.status_code == 409
    assert response.json()["code"] == "not_started"


@pytest.mark.django_db
def test_reopening_the_review_page_before_the_end_starts_the_clock_again(
    carol, ready_gif, other_curator
):
    start(carol, ready_gif)
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms // 2)

    start(carol, ready_gif)
    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms // 2)
    response = api_approve(carol, ready_gif)

    # Two half loops in two page loads are not one whole loop.
    assert_refused(response, ready_gif, 409, "not_watched")


@pytest.mark.django_db
def test_a_curator_who_opened_a_still_image_may_approve_it_at_once(carol, upload_gif):
    still = describe(upload_gif, data=images.png_bytes(), name="still.png")

    start(carol, still)
    response = api_approve(carol, still)

    assert response.status_code == 200
    assert refreshed(still).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_the_review_page_of_a_still_says_there_is_nothing_to_wait_for(
    carol, upload_gif
):
    still = describe(upload_gif, data=images.png_bytes(), name="still.png")

    page = page_of(carol.get(reverse("library:review", args=[still.pk])))

    assert "Still image: nothing to wait for." in page


@pytest.mark.django_db
def test_a_still_image_must_still_be_opened_before_it_is_approved(carol, upload_gif):
    still = describe(upload_gif, data=images.png_bytes(), name="still.png")

    response = api_approve(carol, still)

    assert_refused(response, still, 409, "not_started")


@pytest.mark.django_db
def test_the_review_page_tells_how_long_one_loop_is(carol, ready_gif):
    page = page_of(carol.get(reverse("library:review", args=[ready_gif.pk])))

    assert "Watch it to the end: one loop is 2.0 s." in page
    assert "disabled>Approve</button>" in page


@pytest.fixture
def three_minute_gif(upload_gif):
    """Two frames of a minute and a half each: a three-minute loop."""
    return describe(upload_gif, data=images.gif_bytes(count=2, duration=90_000))


@pytest.mark.django_db
def test_a_long_loop_reads_in_seconds_on_the_review_page(carol, three_minute_gif):
    assert three_minute_gif.duration_ms == 180_000

    page = page_of(carol.get(reverse("library:review", args=[three_minute_gif.pk])))

    assert "Watch it to the end: one loop is 180.0 s." in page
    assert "<dd>180.0 s</dd>" in page  # the facts' "One loop"
    assert "Last · 90.00 s" in page  # the filmstrip's last frame
    attributes = ('data-frames="2"', 'data-loop-ms="180000"')  # for review.js
    assert "180000" not in re.sub("|".join(attributes), "", page)
    assert " ms" not in page[page.index('<main id="main">') :]


@pytest.mark.django_db
def test_a_long_loop_reads_in_seconds_in_russian(other_curator, three_minute_gif):
    russian = client_of(other_curator)
    russian.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    page = page_of(russian.get(reverse("library:review", args=[three_minute_gif.pk])))

    assert "один цикл длится 180,0 с." in page
    assert "<dd>180,0 с</dd>" in page
    assert "90,00 с" in page
    assert " мс" not in page


@pytest.mark.django_db
def test_near_duplicates_are_announced_before_the_decision_buttons(
    carol, ready_gif, upload_gif
):
    ready_gif.near_duplicates.add(describe(upload_gif, title="Polite bow again"))

    page = page_of(carol.get(reverse("library:review", args=[ready_gif.pk])))

    notice = "This GIF has 1 near-duplicate: compare before deciding."
    assert notice in page
    link = '<a href="#near-duplicates">See the near-duplicates</a>'
    assert page.index(link) < page.index(">Approve</button>")
    assert page.index(link) < page.index(">Reject</button>")
    assert '<h2 id="near-duplicates">Near-duplicates</h2>' in page


@pytest.mark.django_db
def test_with_nothing_to_decide_the_near_duplicates_notice_only_counts(
    carol, upload_gif
):
    approved = describe(upload_gif, status=Gif.Status.APPROVED)
    approved.near_duplicates.add(describe(upload_gif, title="Copy"))

    page = page_of(carol.get(reverse("library:review", args=[approved.pk])))

    assert "This GIF has 1 near-duplicate." in page
    assert "before deciding" not in page
    assert '<a href="#near-duplicates">See the near-duplicates</a>' in page


@pytest.mark.django_db
def test_without_near_duplicates_no_notice_is_shown(carol, ready_gif):
    page = page_of(carol.get(reverse("library:review", args=[ready_gif.pk])))

    assert "near-duplicate:" not in page
    assert 'href="#near-duplicates"' not in page


@pytest.mark.django_db
def test_the_near_duplicates_notice_counts_in_russian(
    other_curator, ready_gif, upload_gif
):
    for title in ("Copy one", "Copy two"):
        ready_gif.near_duplicates.add(describe(upload_gif, title=title))
    russian = client_of(other_curator)
    russian.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    page = page_of(russian.get(reverse("library:review", args=[ready_gif.pk])))

    assert "Есть 2 похожие гифки: сравните, прежде чем решать." in page


def watch_of(client, gif):
    """Whether the review page runs the watch clock, and its status line."""
    page = page_of(client.get(reverse("library:review", args=[gif.pk])))
    return "data-watch " in page, "data-watch-status" in page


@pytest.mark.django_db
def test_the_watch_runs_only_where_the_reviewer_could_approve(
    carol, curator_client, ready_gif, upload_gif
):
    approved = describe(upload_gif, status=Gif.Status.APPROVED)
    rejected = describe(upload_gif, status=Gif.Status.REJECTED)
    retired = describe(upload_gif, status=Gif.Status.RETIRED)

    assert watch_of(carol, ready_gif) == (True, True)
    for gif in (approved, rejected, retired):
        assert watch_of(carol, gif) == (False, False)
    # Bob uploaded it: another curator approves it.
    assert watch_of(curator_client, ready_gif) == (False, False)


@pytest.mark.django_db
def test_with_self_approval_the_uploader_watches_their_own_upload(
    curator_client, ready_gif, settings
):
    settings.GIFSHELF_ALLOW_SELF_APPROVAL = True

    assert watch_of(curator_client, ready_gif) == (True, True)


# Reduced motion: stepping through the filmstrip


@pytest.mark.django_db
def test_stepping_to_the_last_frame_after_the_start_counts_as_watched(
    carol, ready_gif, other_curator
):
    start(carol, ready_gif)
    let_time_pass(ready_gif, other_curator, STEP_MS * len(ready_gif.filmstrip))

    stepped = step_to_last_frame(carol, ready_gif)
    response = api_approve(carol, ready_gif)

    assert stepped.status_code == 200
    assert response.status_code == 200
    assert refreshed(ready_gif).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_reaching_the_last_frame_faster_than_anyone_can_step_is_refused(
    carol, ready_gif
):
    start(carol, ready_gif)

    stepped = step_to_last_frame(carol, ready_gif)
    approved = api_approve(carol, ready_gif)

    assert refusal(stepped)[:2] == (409, "not_watched")
    assert "Step through every frame" in refusal(stepped)[2]
    assert_refused(approved, ready_gif, 409, "not_watched")


@pytest.mark.django_db
def test_stepping_to_the_last_frame_without_a_start_is_refused(carol, ready_gif):
    stepped = step_to_last_frame(carol, ready_gif)
    approved = api_approve(carol, ready_gif)

    assert refusal(stepped)[:2] == (409, "not_started")
    assert_refused(approved, ready_gif, 409, "not_started")


@pytest.mark.django_db
def test_the_filmstrip_shows_the_last_frame(carol, ready_gif):
    page = page_of(carol.get(reverse("library:review", args=[ready_gif.pk])))

    assert "Frame 4 of 4 (last)" in page


# Who watched it to the end


@pytest.mark.django_db
def test_approval_records_who_watched_to_the_end_and_when(
    carol, ready_gif, other_curator
):
    watch_to_the_end(carol, ready_gif, other_curator)
    loop_ended = playback_of(ready_gif, other_curator).started_at + timedelta(
        milliseconds=ready_gif.watch_ms
    )

    api_approve(carol, ready_gif)

    gif = refreshed(ready_gif)
    assert gif.watched_to_end_by == other_curator
    assert gif.watched_to_end_at == loop_ended
    body = api_gif(carol, gif)
    assert body["watched_to_end_by"] == "carol"
    assert datetime.fromisoformat(body["watched_to_end_at"]) == loop_ended


@pytest.mark.django_db
def test_the_gif_page_says_who_watched_it_to_the_end(
    carol, ready_gif, other_curator, agent
):
    watch_to_the_end(carol, ready_gif, other_curator)
    api_approve(carol, ready_gif)

    page = gif_page(client_of(agent), ready_gif)

    assert "Watched to the end by carol on" in page


@pytest.mark.django_db
def test_the_filmstrip_path_records_when_the_last_frame_was_reached(
    carol, ready_gif, other_curator
):
    start(carol, ready_gif)
    let_time_pass(ready_gif, other_curator, STEP_MS * len(ready_gif.filmstrip))
    stepped = step_to_last_frame(carol, ready_gif).json()["stepped_to_end_at"]

    body = api_approve(carol, ready_gif).json()

    assert body["watched_to_end_by"] == "carol"
    assert body["watched_to_end_at"] == stepped


@pytest.mark.django_db
def test_a_pending_gif_has_no_one_who_watched_it_yet(carol, ready_gif):
    body = api_gif(carol, ready_gif)

    assert body["watched_to_end_by"] is None
    assert body["watched_to_end_at"] is None


# Described before approval


@pytest.mark.django_db
def test_approval_needs_alt_text(carol, upload_gif, other_curator):
    gif = describe(upload_gif, alt_text="")
    watch_to_the_end(carol, gif, other_curator)

    response = api_approve(carol, gif)

    assert_refused(response, gif, 409, "missing_alt_text")
    assert "alt text" in refusal(response)[2]


@pytest.mark.django_db
def test_alt_text_of_spaces_only_is_missing(carol, upload_gif, other_curator):
    gif = describe(upload_gif, alt_text="   ")
    watch_to_the_end(carol, gif, other_curator)

    assert_refused(api_approve(carol, gif), gif, 409, "missing_alt_text")


@pytest.mark.django_db
def test_approval_needs_a_mood_or_situation_tag(carol, upload_gif, other_curator):
    gif = describe(upload_gif, mood=[])
    watch_to_the_end(carol, gif, other_curator)

    response = api_approve(carol, gif)

    assert_refused(response, gif, 409, "missing_tags")
    assert "mood or situation tag" in refusal(response)[2]


@pytest.mark.django_db
def test_a_situation_tag_alone_is_enough(carol, upload_gif, other_curator):
    gif = describe(upload_gif, mood=[], situation=[situation()])
    watch_to_the_end(carol, gif, other_curator)

    assert api_approve(carol, gif).status_code == 200


@pytest.mark.django_db
def test_the_page_names_what_is_missing_before_approval(
    carol, upload_gif, other_curator
):
    gif = describe(upload_gif, alt_text="")
    watch_to_the_end(carol, gif, other_curator)

    response = page_approve(carol, gif)

    assert response.status_code == 409
    assert "Add alt text before approving" in page_of(response)
    assert refreshed(gif).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_alt_text_added_on_the_review_page_allows_the_approval(
    carol, upload_gif, other_curator
):
    gif = describe(upload_gif, alt_text="")
    watch_to_the_end(carol, gif, other_curator)
    carol.post(
        reverse("library:gif_edit", args=[gif.pk]),
        {"title": gif.title, "alt_text": "A dog nods.", "mood": ["Thank you"]},
    )

    response = page_approve(carol, gif)

    assert response.status_code == 302
    assert refreshed(gif).status == Gif.Status.APPROVED


# Rejecting


@pytest.mark.django_db
def test_rejecting_records_the_reason(carol, ready_gif, other_curator):
    response = api_reject(carol, ready_gif, reason="Blurry at full size.")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "rejected"
    assert body["rejection_reason"] == "Blurry at full size."
    assert body["reviewed_by"] == "carol"
    gif = refreshed(ready_gif)
    assert gif.status == Gif.Status.REJECTED
    assert gif.reviewed_by == other_curator


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_rejecting_without_a_reason_is_refused_in_the_api(carol, ready_gif, body):
    response = api_reject(carol, ready_gif, **body)

    assert_refused(response, ready_gif, 400, "missing_reason")
    assert "Say why you reject it" in refusal(response)[2]


@pytest.mark.django_db
def test_rejecting_without_a_reason_on_the_page_asks_for_one(carol, ready_gif):
    response = page_reject(carol, ready_gif, reason="")

    assert response.status_code == 409
    assert "Say why you reject it: the uploader sees the reason." in page_of(response)
    assert refreshed(ready_gif).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_rejecting_on_the_page_moves_on_with_a_message(carol, ready_gif):
    response = page_reject(carol, ready_gif, reason="Off topic.", follow=True)

    assert "Rejected “Polite bow”." in page_of(response)
    assert refreshed(ready_gif).rejection_reason == "Off topic."


@pytest.mark.django_db
def test_a_curator_may_reject_without_watching_to_the_end(carol, ready_gif):
    # A bad opening is reason enough; the whole loop matters for approval only.
    response = api_reject(carol, ready_gif, reason="Wrong aspect ratio.")

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_rejected_gif_shows_its_reason_on_its_page(carol, ready_gif):
    api_reject(carol, ready_gif, reason="Blurry at full size.")

    assert "Rejected: Blurry at full size." in gif_page(carol, ready_gif)


# Review flags


@pytest.mark.django_db
def test_review_flags_set_at_approval_show_in_the_api_and_on_the_page(
    carol, ready_gif, other_curator, agent
):
    watch_to_the_end(carol, ready_gif, other_curator)

    api_approve(carol, ready_gif, flags=["surprise_ending", "contains_text"])

    assert api_gif(carol, ready_gif)["flags"] == ["surprise_ending", "contains_text"]
    page = gif_page(client_of(agent), ready_gif)
    assert '<span class="badge badge-flag">Surprise ending</span>' in page
    assert '<span class="badge badge-flag">Contains text</span>' in page


@pytest.mark.django_db
def test_every_review_flag_can_be_set_on_the_page(carol, ready_gif, other_curator):
    flags = [
        "surprise_ending",
        "contains_text",
        "public_figure",
        "flashing",
        "low_quality",
        "other",
    ]
    watch_to_the_end(carol, ready_gif, other_curator)

    response = page_reject(
        carol, ready_gif, flags=flags, note="A dog barks.", reason="Not for us."
    )

    assert response.status_code == 302
    assert refreshed(ready_gif).flags == flags
    page = gif_page(carol, ready_gif)
    for label in (
        "Surprise ending",
        "Contains text",
        "Public figure or politics",
        "Flashing",
        "Low quality",
        "Other: A dog barks.",
    ):
        assert f'<span class="badge badge-flag">{label}</span>' in page


@pytest.mark.django_db
def test_the_note_of_other_shows_in_the_api(carol, ready_gif, other_curator):
    watch_to_the_end(carol, ready_gif, other_curator)

    api_approve(carol, ready_gif, flags=["other"], note="Ends on a wink.")

    body = api_gif(carol, ready_gif)
    assert body["flags"] == ["other"]
    assert body["flag_note"] == "Ends on a wink."


@pytest.mark.django_db
def test_a_gif_flagged_for_politics_or_a_public_figure_cannot_be_approved(
    carol, ready_gif, other_curator
):
    """Rule 8: support stays out of politics, religion and public figures
    entirely; no context or warning badge would make such a GIF safe."""
    # Said at once, before any watch: rejecting it needs none.
    response = api_approve(carol, ready_gif, flags=["public_figure"])
    assert_refused(response, ready_gif, 409, "public_figure")
    watch_to_the_end(carol, ready_gif, other_curator)

    response = api_approve(carol, ready_gif, flags=["public_figure"])

    assert_refused(response, ready_gif, 409, "public_figure")
    assert "reject it instead" in refusal(response)[2]
    # The same GIF, watched and described, is approved without that flag.
    assert api_approve(carol, ready_gif, flags=["contains_text"]).status_code == 200


@pytest.mark.django_db
def test_the_review_page_says_beside_the_flags_why_it_cannot_approve(
    carol, ready_gif, other_curator
):
    watch_to_the_end(carol, ready_gif, other_curator)

    response = page_approve(
        carol, ready_gif, follow=True, flags=["public_figure", "contains_text"]
    )

    page = page_of(response)
    assert refreshed(ready_gif).status == Gif.Status.PENDING
    assert "support conversations stay out of those entirely" in page
    assert 'aria-invalid="true"' in page
    # The first box of the group gets the focus; a page holds one autofocus.
    assert page.count("autofocus") == 1
    assert re.search(
        r'<input type="checkbox"[^>]*value="surprise_ending" autofocus', page
    )


@pytest.mark.django_db
def test_review_flags_set_at_rejection_are_kept(carol, ready_gif):
    api_reject(carol, ready_gif, reason="Too risky.", flags=["public_figure"])

    assert api_gif(carol, ready_gif)["flags"] == ["public_figure"]


@pytest.mark.django_db
def test_other_without_a_note_is_a_form_error_on_the_page(
    carol, ready_gif, other_curator
):
    watch_to_the_end(carol, ready_gif, other_curator)

    response = page_approve(carol, ready_gif, flags=["other"], note="")

    assert response.status_code == 400
    assert "Say what “other” is." in page_of(response)
    assert refreshed(ready_gif).status == Gif.Status.PENDING


def banner_of(page):
    """The messages heading the page, where the curator is when it loads."""
    if '<ul class="messages"' not in page:
        return ""
    start = page.index('<ul class="messages"')
    return page[start : page.index("</ul>", start)]


@pytest.mark.django_db
def test_a_refused_decision_form_is_announced_at_the_top_with_the_details_unsaved(
    carol, undescribed_gif, other_curator
):
    watch_to_the_end(carol, undescribed_gif, other_curator)

    response = page_approve(
        carol,
        undescribed_gif,
        flags=["other"],
        note="",
        **review_page_post(
            undescribed_gif, alt_text="A man nods slowly.", mood=["Thank you"]
        ),
    )

    assert response.status_code == 400
    assert (
        "Not approved, and the details were not saved: correct what is marked "
        "below." in banner_of(page_of(response))
    )
    assert 'value="A man nods slowly."' in page_of(response)
    gif = refreshed(undescribed_gif)
    assert (gif.status, gif.alt_text) == (Gif.Status.PENDING, "")


@pytest.mark.django_db
def test_a_refused_decision_form_without_new_details_says_only_not_approved(
    carol, ready_gif, other_curator
):
    watch_to_the_end(carol, ready_gif, other_curator)

    response = page_approve(
        carol, ready_gif, flags=["other"], note="", **review_page_post(ready_gif)
    )

    banner = banner_of(page_of(response))
    assert "Not approved: correct what is marked below." in banner
    assert "details" not in banner


@pytest.mark.django_db
def test_a_rejection_refused_for_its_flag_note_says_so_at_the_top(
    carol, undescribed_gif
):
    response = page_reject(
        carol,
        undescribed_gif,
        flags=["other"],
        note="",
        reason="Blurry.",
        **review_page_post(undescribed_gif, title="A slow nod"),
    )

    assert response.status_code == 400
    assert (
        "Not rejected, and the details were not saved: correct what is marked "
        "below." in banner_of(page_of(response))
    )
    gif = refreshed(undescribed_gif)
    assert (gif.status, gif.title) == (Gif.Status.PENDING, "Slow nod")


@pytest.mark.django_db
def test_skipping_is_not_held_back_by_an_unexplained_other_flag(
    carol, ready_gif, other_curator
):
    response = carol.post(
        reverse("library:skip", args=[ready_gif.pk]),
        {"flags": ["other"], "note": "", **review_page_post(ready_gif)},
    )

    assert response.status_code == 302
    assert ReviewSkip.objects.filter(gif=ready_gif, reviewer=other_curator).exists()
    assert refreshed(ready_gif).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_other_without_a_note_is_refused_in_the_api(carol, ready_gif, other_curator):
    watch_to_the_end(carol, ready_gif, other_curator)

    response = api_approve(carol, ready_gif, flags=["other"])

    assert response.status_code == 400
    assert "Say what “other” is." in response.json()["error"]
    assert refreshed(ready_gif).status == Gif.Status.PENDING


@pytest.mark.django_db
def test_an_unknown_review_flag_is_refused(carol, ready_gif, other_curator):
    watch_to_the_end(carol, ready_gif, other_curator)

    response = api_approve(carol, ready_gif, flags=["cute"])

    assert response.status_code == 400
    assert refreshed(ready_gif).status == Gif.Status.PENDING


# Flash risk found at upload


@pytest.fixture
def flashing_gif(upload_gif):
    return describe(upload_gif, data=flashing_gif_bytes(), title="Strobe")


@pytest.mark.django_db
def test_the_upload_check_flags_a_full_frame_flash_at_10_hz(carol, flashing_gif):
    body = api_gif(carol, flashing_gif)

    assert "flashing" in body["flags"]
    assert body["flash_per_second"] > 3


@pytest.mark.django_db
def test_a_calm_gif_is_not_flagged_as_flashing(carol, ready_gif):
    body = api_gif(carol, ready_gif)

    assert body["flags"] == []
    assert body["flash_per_second"] <= 3


@pytest.mark.django_db
def test_a_flashing_gif_carries_a_warning_on_its_review_page(carol, flashing_gif):
    page = page_of(carol.get(reverse("library:review", args=[flashing_gif.pk])))

    assert "⚠ Flash risk" in page
    assert "<strong>Flash risk.</strong>" in page
    assert 'name="acknowledge_flashing"' in page


@pytest.mark.django_db
def test_a_flashing_gif_opens_still_under_its_warning_even_without_scripts(
    carol, flashing_gif
):
    page = page_of(carol.get(reverse("library:review", args=[flashing_gif.pk])))

    player = re.search(r"<img data-player [^>]*>", page)[0]
    assert f'src="{flashing_gif.still_path}"' in player
    assert page.index("<strong>Flash risk.</strong>") < page.index("<img data-player")


@pytest.mark.django_db
def test_a_calm_gif_opens_playing(carol, ready_gif):
    page = page_of(carol.get(reverse("library:review", args=[ready_gif.pk])))

    player = re.search(r"<img data-player [^>]*>", page)[0]
    assert f'src="{ready_gif.original_path}"' in player


@pytest.mark.django_db
def test_a_calm_gif_has_no_flash_warning(carol, ready_gif):
    page = page_of(carol.get(reverse("library:review", args=[ready_gif.pk])))

    assert "Flash risk" not in page
    assert 'name="acknowledge_flashing"' not in page


@pytest.mark.django_db
def test_a_flashing_gif_needs_the_acknowledgement_to_be_approved(
    carol, flashing_gif, other_curator
):
    watch_to_the_end(carol, flashing_gif, other_curator)

    response = api_approve(carol, flashing_gif)

    assert_refused(response, flashing_gif, 409, "flashing_not_acknowledged")
    assert "flashes 10 times a second" in refusal(response)[2]


@pytest.mark.django_db
def test_acknowledging_false_is_not_an_acknowledgement(
    carol, flashing_gif, other_curator
):
    watch_to_the_end(carol, flashing_gif, other_curator)

    response = api_approve(carol, flashing_gif, acknowledge_flashing=False)

    assert_refused(response, flashing_gif, 409, "flashing_not_acknowledged")


@pytest.mark.django_db
def test_a_flashing_gif_is_approved_with_the_acknowledgement(
    carol, flashing_gif, other_curator, agent
):
    watch_to_the_end(carol, flashing_gif, other_curator)

    response = api_approve(carol, flashing_gif, acknowledge_flashing=True)

    assert response.status_code == 200
    assert response.json()["flags"] == ["flashing"]
    assert "⚠ Flash risk" in gif_page(client_of(agent), flashing_gif)


@pytest.mark.django_db
def test_the_flash_acknowledgement_works_on_the_page(
    carol, flashing_gif, other_curator
):
    watch_to_the_end(carol, flashing_gif, other_curator)
    refused = page_approve(carol, flashing_gif)

    accepted = page_approve(carol, flashing_gif, acknowledge_flashing="on")

    assert refused.status_code == 409
    assert "Tick the acknowledgement to approve it anyway." in page_of(refused)
    assert accepted.status_code == 302
    assert refreshed(flashing_gif).status == Gif.Status.APPROVED


# Two curators on one item


@pytest.mark.django_db
def test_approving_a_gif_another_curator_rejected_is_refused(
    carol, curator, ready_gif, lead, upload_gif
):
    gif = describe(upload_gif, by=lead, title="Contested")
    bob = client_of(curator)
    watch_to_the_end(bob, gif, curator)
    api_reject(carol, gif, reason="The ending is rude.")

    response = api_approve(bob, gif)

    status, code, error = refusal(response)
    assert (status, code) == (409, "status_changed")
    assert "“Contested” is already rejected by carol" in error
    gif = refreshed(gif)
    assert gif.status == Gif.Status.REJECTED
    assert gif.rejection_reason == "The ending is rude."
    assert gif.reviewed_by.username == "carol"


@pytest.mark.django_db
def test_rejecting_a_gif_another_curator_approved_is_refused(
    carol, curator, lead, upload_gif, other_curator
):
    gif = describe(upload_gif, by=lead, title="Contested")
    watch_to_the_end(carol, gif, other_curator)
    api_approve(carol, gif)

    response = api_reject(client_of(curator), gif, reason="Too late, sorry.")

    assert refusal(response)[:2] == (409, "status_changed")
    gif = refreshed(gif)
    assert gif.status == Gif.Status.APPROVED
    assert gif.rejection_reason == ""


@pytest.mark.django_db
def test_a_refusal_names_who_retired_it_not_who_approved_it(
    carol, curator, lead, upload_gif, other_curator
):
    gif = describe(upload_gif, by=lead, title="Contested")
    watch_to_the_end(carol, gif, other_curator)
    api_approve(carol, gif)
    refreshed(gif).retire(by=lead, reason="Superseded.")

    response = api_reject(client_of(curator), gif, reason="Too late, sorry.")

    status, code, error = refusal(response)
    assert (status, code) == (409, "status_changed")
    assert error == "“Contested” is already retired by dana; nothing was changed."


@pytest.mark.django_db
def test_the_second_curator_on_the_page_is_told_what_happened(
    carol, curator, lead, upload_gif
):
    gif = describe(upload_gif, by=lead, title="Contested")
    bob = client_of(curator)
    watch_to_the_end(bob, gif, curator)
    page_reject(carol, gif, reason="The ending is rude.")

    response = page_approve(bob, gif)

    # Redirected (a refresh sends nothing again) to the page as it is now.
    review_url = reverse("library:review", args=[gif.pk])
    assert response.status_code == 302
    assert response.url == review_url
    shown = bob.get(review_url)
    page = page_of(shown)
    assert "“Contested” is already rejected by carol; nothing was changed." in page
    assert f'formaction="{reverse("library:approve", args=[gif.pk])}"' not in page
    assert refreshed(gif).status == Gif.Status.REJECTED


@pytest.mark.django_db
def test_a_conflict_shows_the_current_state_without_false_field_errors(
    carol, undescribed_gif, lead
):
    # Rejected (and so its details judged by nobody) while carol described it.
    Gif.objects.get(pk=undescribed_gif.pk).reject(by=lead, reason="Blurry.")

    response = page_approve(
        carol,
        undescribed_gif,
        follow=True,
        **review_page_post(undescribed_gif, alt_text="", title=""),
    )

    assert response.redirect_chain == [
        (reverse("library:review", args=[undescribed_gif.pk]), 302)
    ]
    page = page_of(response)
    assert "already rejected by dana; nothing was changed." in page
    assert "has-error" not in page, "no field is marked"
    assert "correct what is marked" not in page
    # The details as they stand now, not the blanks sent.
    assert f'value="{undescribed_gif.title}"' in page


@pytest.mark.django_db
def test_a_beaten_approval_shows_what_the_curator_had_written_once(
    carol, curator, lead, upload_gif
):
    gif = describe(upload_gif, by=lead, title="Contested")
    bob = client_of(curator)
    watch_to_the_end(bob, gif, curator)
    page_reject(carol, gif, reason="The ending is rude.")
    note = '<script>alert("hi")</script> & a wink at 0:03'

    response = page_approve(
        bob,
        gif,
        follow=True,
        flags=["surprise_ending", "other"],
        note=note,
        **review_page_post(gif, alt_text="A cat bows,\nthen winks."),
    )

    assert response.redirect_chain == [(reverse("library:review", args=[gif.pk]), 302)]
    page = page_of(response)
    block = page[page.index("What you had written") :]
    block = block[: block.index("</section>")]
    assert "Surprise ending, Other" in block
    # Shown as text, never as markup.
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; a wink" in block
    assert "<script>alert" not in page
    assert "A cat bows,\nthen winks." in block
    gif = refreshed(gif)
    assert (gif.review_flags, gif.review_note) == ([], "")
    assert gif.alt_text == "A cat bows politely."
    # Shown once: the next visit is the page as it is.
    again = bob.get(reverse("library:review", args=[gif.pk]))
    assert "What you had written" not in page_of(again)


@pytest.mark.django_db
def test_a_beaten_rejection_shows_the_reason_the_curator_had_written(
    carol, curator, lead, upload_gif, other_curator
):
    gif = describe(upload_gif, by=lead, title="Contested")
    watch_to_the_end(carol, gif, other_curator)
    page_approve(carol, gif)

    response = page_reject(
        client_of(curator), gif, follow=True, reason="Too dark\nat the end."
    )

    page = page_of(response)
    assert "already approved by carol; nothing was changed." in page
    assert "What you had written" in page
    assert "Too dark\nat the end." in page


@pytest.mark.django_db
def test_a_beaten_decision_with_nothing_typed_shows_no_block(
    carol, curator, lead, upload_gif
):
    gif = describe(upload_gif, by=lead, title="Contested")
    bob = client_of(curator)
    watch_to_the_end(bob, gif, curator)
    page_reject(carol, gif, reason="The ending is rude.")

    response = page_approve(bob, gif, follow=True)

    assert "already rejected by carol" in page_of(response)
    assert "What you had written" not in page_of(response)


@pytest.mark.django_db
def test_a_second_approval_does_not_overwrite_the_first(
    carol, curator, lead, upload_gif, other_curator
):
    gif = describe(upload_gif, by=lead)
    bob = client_of(curator)
    watch_to_the_end(carol, gif, other_curator)
    watch_to_the_end(bob, gif, curator)
    api_approve(carol, gif, flags=["contains_text"])

    response = api_approve(bob, gif)

    assert refusal(response)[:2] == (409, "status_changed")
    gif = refreshed(gif)
    assert gif.reviewed_by == other_curator
    assert gif.watched_to_end_by == other_curator
    assert gif.flags == ["contains_text"]
    assert gif.events.filter(action="approved").count() == 1


@pytest.mark.django_db
def test_a_curator_who_loaded_the_gif_before_another_rejected_it_cannot_approve(
    curator, other_curator, lead, upload_gif
):
    gif = describe(upload_gif, by=lead)
    Playback.objects.create(
        gif=gif, reviewer=curator, started_at=timezone.now() - timedelta(minutes=1)
    )
    bobs_copy, carols_copy = Gif.objects.get(pk=gif.pk), Gif.objects.get(pk=gif.pk)
    carols_copy.reject(by=other_curator, reason="The ending is rude.")

    with pytest.raises(ReviewError) as refused:
        bobs_copy.approve(by=curator)

    assert refused.value.code == "status_changed"
    assert "already rejected by carol" in str(refused.value)
    gif = refreshed(gif)
    assert gif.status == Gif.Status.REJECTED
    assert gif.rejection_reason == "The ending is rude."
    assert gif.watched_to_end_by is None
    assert gif.events.filter(action="approved").count() == 0


@pytest.mark.django_db
def test_a_curator_who_loaded_the_gif_before_another_approved_it_cannot_reject(
    curator, other_curator, lead, upload_gif
):
    gif = describe(upload_gif, by=lead)
    Playback.objects.create(
        gif=gif,
        reviewer=other_curator,
        started_at=timezone.now() - timedelta(minutes=1),
    )
    bobs_copy, carols_copy = Gif.objects.get(pk=gif.pk), Gif.objects.get(pk=gif.pk)
    carols_copy.approve(by=other_curator)

    with pytest.raises(ReviewError) as refused:
        bobs_copy.reject(by=curator, reason="Not funny.")

    assert refused.value.code == "status_changed"
    gif = refreshed(gif)
    assert gif.status == Gif.Status.APPROVED
    assert gif.reviewed_by == other_curator
    assert gif.rejection_reason == ""
    assert gif.events.filter(action="rejected").count() == 0


# Wrong methods


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["approve", "reject", "skip", "restore", "retire"])
def test_review_decisions_refuse_a_get(name, carol, ready_gif):
    response = carol.get(reverse(f"library:{name}", args=[ready_gif.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert refreshed(ready_gif).status == Gif.Status.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "api_review_start",
        "api_review_open",
        "api_review_watched",
        "api_review_filmstrip",
        "api_approve",
        "api_reject",
    ],
)
def test_review_api_calls_refuse_a_get_in_json(name, carol, ready_gif):
    response = carol.get(reverse(f"library:{name}", args=[ready_gif.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"]
    assert not Playback.objects.exists()


@pytest.mark.django_db
def test_reviewing_a_gif_that_does_not_exist_is_a_404(carol):
    assert (
        carol.post(reverse("library:api_review_start", args=[999])).status_code == 404
    )
    assert api_approve(carol, Gif(pk=999)).status_code == 404
    assert page_approve(carol, Gif(pk=999)).status_code == 404


# Details sent with the decision: on the review page of a pending GIF, the
# details box's fields belong to the decision form.


def review_page_post(gif, **details):
    """What the review page sends with a decision: the GIF's details as they
    stand, with `details` typed over them."""
    return {
        "with_details": "1",
        "next": reverse("library:review", args=[gif.pk]),
        **details_of(gif, **details),
    }


def moods_of(gif):
    return [tag.name for tag in refreshed(gif).mood.all()]


def edits_of(gif):
    return gif.events.filter(action=GifEvent.Action.EDITED)


@pytest.fixture
def undescribed_gif(upload_gif):
    """Bob's upload with neither alt text nor tags: Carol describes it."""
    return describe(upload_gif, title="Slow nod", alt_text="", mood=[])


@pytest.mark.django_db
def test_the_details_fields_of_a_pending_gif_belong_to_the_decision_form(
    carol, undescribed_gif
):
    page = page_of(carol.get(reverse("library:review", args=[undescribed_gif.pk])))

    assert 'id="decision"' in page
    details = page[page.index("<details") : page.index("</details>")]
    assert "<form" not in details, "forms cannot nest"
    controls = re.findall(r"<(?:input|textarea|button)\b[^>]*>", details)
    checkboxes = [tag for tag in controls if 'type="checkbox"' in tag]
    assert len(checkboxes) == MoodTag.objects.count() + SituationTag.objects.count()
    assert controls and all('form="decision"' in tag for tag in controls), [
        tag for tag in controls if 'form="decision"' not in tag
    ]
    # The decision form's default button, first in the page, does nothing.
    assert re.match(r'<button type="submit" form="decision" disabled', controls[0])


@pytest.mark.django_db
def test_the_details_of_an_approved_gif_keep_their_own_form(carol, upload_gif):
    gif = describe(upload_gif, status=Gif.Status.APPROVED)

    page = page_of(carol.get(reverse("library:review", args=[gif.pk])))

    details = page[page.index("<details") : page.index("</details>")]
    assert f'action="{reverse("library:gif_edit", args=[gif.pk])}"' in details
    assert 'form="decision"' not in page


@pytest.mark.django_db
def test_approving_saves_the_details_typed_beside_the_decision(
    carol, undescribed_gif, other_curator
):
    watch_to_the_end(carol, undescribed_gif, other_curator)

    response = page_approve(
        carol,
        undescribed_gif,
        **review_page_post(
            undescribed_gif, alt_text="A man nods slowly.", mood=["Thank you"]
        ),
    )

    assert response.status_code == 302
    gif = refreshed(undescribed_gif)
    assert gif.status == Gif.Status.APPROVED
    assert gif.alt_text == "A man nods slowly."
    assert moods_of(gif) == ["Thank you"]
    edit = edits_of(gif).get()
    assert edit.actor == other_curator
    assert gif.events.filter(action=GifEvent.Action.APPROVED).get().pk > edit.pk


@pytest.mark.django_db
def test_approving_with_details_approval_needs_left_empty_keeps_what_was_typed(
    carol, undescribed_gif, other_curator
):
    watch_to_the_end(carol, undescribed_gif, other_curator)

    response = page_approve(
        carol,
        undescribed_gif,
        **review_page_post(
            undescribed_gif, title="A slow nod", alt_text="  ", use_when="Agreeing."
        ),
    )

    page = page_of(response)
    assert response.status_code == 400
    assert "Not approved, and the details were not saved" in page
    assert "Add alt text before approving" in page
    assert "Add at least one mood or situation tag before approving." in page
    assert 'value="A slow nod"' in page
    assert ">\nAgreeing.</textarea>" in page
    assert re.search(r"<details [^>]*open", page)
    gif = refreshed(undescribed_gif)
    assert gif.status == Gif.Status.PENDING
    assert (gif.title, gif.use_when) == ("Slow nod", "")
    assert not edits_of(gif).exists()


@pytest.mark.django_db
def test_a_refused_approval_keeps_the_details_saved_and_says_so(carol, undescribed_gif):
    # Not watched to the end: the approval is refused after the details pass.
    response = page_approve(
        carol,
        undescribed_gif,
        **review_page_post(
            undescribed_gif, alt_text="A man nods slowly.", mood=["Thank you"]
        ),
    )

    page = page_of(response)
    assert response.status_code == 409
    assert WATCH_REFUSAL in page
    assert "Saved the details of “Slow nod”, but it is not approved." in page
    assert 'value="A man nods slowly."' in page
    gif = refreshed(undescribed_gif)
    assert gif.status == Gif.Status.PENDING
    assert gif.alt_text == "A man nods slowly."
    assert moods_of(gif) == ["Thank you"]


@pytest.mark.django_db
def test_details_sent_with_an_approval_of_a_gif_decided_meanwhile_are_not_saved(
    carol, undescribed_gif, lead
):
    Gif.objects.get(pk=undescribed_gif.pk).reject(by=lead, reason="Blurry.")

    response = page_approve(
        carol,
        undescribed_gif,
        **review_page_post(
            undescribed_gif, alt_text="A man nods slowly.", mood=["Thank you"]
        ),
    )

    assert response.status_code == 302
    shown = page_of(carol.get(response.url))
    assert "nothing was changed" in shown
    assert "The details you typed were not saved." in shown
    assert refreshed(undescribed_gif).alt_text == ""
    assert not edits_of(undescribed_gif).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decision", "refused_for", "status"),
    [
        ("reject", {"reason": ""}, 409),
        ("reject", {"flags": ["other"], "note": "", "reason": "Blurry."}, 400),
    ],
)
def test_a_refused_rejection_keeps_the_typed_details_unsaved(
    carol, undescribed_gif, decision, refused_for, status
):
    # (A skip decides nothing, so nothing in the decision form refuses it.)
    response = carol.post(
        reverse(f"library:{decision}", args=[undescribed_gif.pk]),
        review_page_post(
            undescribed_gif,
            alt_text="A man nods slowly.",
            mood=["Thank you"],
            **refused_for,
        ),
    )

    page = page_of(response)
    assert response.status_code == status
    assert 'value="A man nods slowly."' in page
    assert re.search(r'value="Thank you" form="decision"[^>]* checked', page)
    gif = refreshed(undescribed_gif)
    assert gif.status == Gif.Status.PENDING
    assert (gif.alt_text, moods_of(gif)) == ("", [])
    assert not edits_of(gif).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decision", "data"), [("reject", {"reason": "Off topic."}), ("skip", {})]
)
def test_rejecting_or_skipping_saves_none_of_the_typed_details(
    carol, undescribed_gif, decision, data
):
    response = carol.post(
        reverse(f"library:{decision}", args=[undescribed_gif.pk]),
        review_page_post(undescribed_gif, alt_text="A man nods.", **data),
    )

    assert response.status_code == 302
    gif = refreshed(undescribed_gif)
    assert gif.alt_text == ""
    assert not edits_of(gif).exists()


@pytest.mark.django_db
def test_save_details_on_the_review_page_goes_back_to_it(carol, undescribed_gif):
    response = carol.post(
        reverse("library:gif_edit", args=[undescribed_gif.pk]),
        review_page_post(undescribed_gif, alt_text="A man nods.", reason="Typed."),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("library:review", args=[undescribed_gif.pk])
    gif = refreshed(undescribed_gif)
    assert (gif.status, gif.alt_text) == (Gif.Status.PENDING, "A man nods.")


@pytest.mark.django_db
def test_starting_the_review_again_after_watching_says_it_was_watched(
    carol, ready_gif, other_curator
):
    assert start(carol, ready_gif).json()["watched"] is False

    let_time_pass(ready_gif, other_curator, ready_gif.watch_ms)
    report_watched(carol, ready_gif)

    assert start(carol, ready_gif).json()["watched"] is True


@pytest.mark.django_db
def test_an_approval_refused_for_a_flag_after_the_details_were_saved_says_so_once(
    carol, undescribed_gif, other_curator
):
    watch_to_the_end(carol, undescribed_gif, other_curator)

    response = page_approve(
        carol,
        undescribed_gif,
        flags=["public_figure"],
        **review_page_post(
            undescribed_gif, alt_text="A man nods slowly.", mood=["Thank you"]
        ),
    )

    page = page_of(response)
    assert response.status_code == 409
    assert "Saved the details of “Slow nod”, but it is not approved." in page
    assert "Not approved: correct what is marked below." in page
    assert "the details were not saved" not in page
    gif = refreshed(undescribed_gif)
    assert gif.status == Gif.Status.PENDING
    assert gif.alt_text == "A man nods slowly."


@pytest.mark.django_db
def test_a_rejection_reason_past_500_characters_is_refused_and_nothing_changes(
    carol, ready_gif
):
    too_long = api_reject(carol, ready_gif, reason="r" * 501)
    at_most = api_reject(carol, ready_gif, reason="r" * 500)

    assert too_long.status_code == 400
    assert too_long.json()["code"] == "invalid"
    assert "reason" in too_long.json()["error"]
    assert at_most.status_code == 200
    assert refreshed(ready_gif).rejection_reason == "r" * 500
