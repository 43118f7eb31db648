"""Every status change and edit is recorded and shown on the GIF's page."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from library.models import AgentFlag, GifEvent
from tests.reviewing import (
    api_approve,
    api_flag,
    api_reject,
    client_of,
    describe,
    details_of,
    flashing_gif_bytes,
    page_of,
    watch_to_the_end,
)

# Bob (the curator fixture) uploads; Carol reviews.


@pytest.fixture
def carol(other_curator):
    return client_of(other_curator)


@pytest.fixture
def gif(upload_gif):
    return describe(upload_gif, title="Polite bow")


def history_on_page(client, gif):
    """The GIF page's history, one string per line, newest first."""
    response = client.get(gif.get_absolute_url())
    assert response.status_code == 200
    page = page_of(response)
    section = page[page.index('<section class="history"') :]
    section = section[: section.index("</section>")]
    lines = re.findall(r"<li>\s*<time.*?</li>\s*(?=<li>\s*<time|</ol>)", section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]


def action_shown(line):
    """The action a history line names, after its date and time."""
    return re.match(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d (.+?) by ", line).group(1)


def approve(client, gif, reviewer, **body):
    watch_to_the_end(client, gif, reviewer)
    response = api_approve(client, gif, **body)
    assert response.status_code == 200
    return response


def edit_on_the_page(client, gif, **fields):
    response = client.post(
        reverse("library:gif_edit", args=[gif.pk]), details_of(gif, **fields)
    )
    assert response.status_code == 302
    return response


def patch(client, gif, **changes):
    response = client.patch(
        reverse("library:api_gif", args=[gif.pk]),
        json.dumps(changes),
        content_type="application/json",
    )
    assert response.status_code == 200
    return response


def last_event(gif):
    return gif.events.first()


# Status changes


@pytest.mark.django_db
def test_an_upload_starts_the_history(curator_client, gif, curator):
    history = history_on_page(curator_client, gif)

    assert len(history) == 1
    assert history[0].endswith("Uploaded by bob")
    event = last_event(gif)
    assert (event.action, event.actor) == (GifEvent.Action.UPLOADED, curator)


@pytest.mark.django_db
def test_an_approval_is_recorded_with_who_and_when(carol, gif, other_curator):
    before = timezone.now()

    approve(carol, gif, other_curator)

    event = last_event(gif)
    assert (event.action, event.actor) == (GifEvent.Action.APPROVED, other_curator)
    assert before <= event.at <= timezone.now()
    assert history_on_page(carol, gif)[0].endswith("Approved by carol")


@pytest.mark.django_db
def test_the_history_shows_when_each_thing_happened(carol, gif, other_curator):
    approve(carol, gif, other_curator)

    page = page_of(carol.get(gif.get_absolute_url()))

    for event in gif.events.all():
        shown = timezone.localtime(event.at)
        assert f'<time datetime="{shown.isoformat()}">' in page


@pytest.mark.django_db
def test_the_review_flags_and_flash_acknowledgement_go_into_the_history(
    carol, upload_gif, other_curator
):
    strobe = describe(upload_gif, data=flashing_gif_bytes())

    approve(
        carol,
        strobe,
        other_curator,
        acknowledge_flashing=True,
        flags=["surprise_ending", "other"],
        note="Ends on a wink",
    )

    assert history_on_page(carol, strobe)[0].endswith(
        "Approved by carol: Flash risk acknowledged. "
        "Flags: Surprise ending, Other: Ends on a wink."
    )


@pytest.mark.django_db
def test_a_rejection_is_recorded_with_its_reason(carol, gif, other_curator):
    api_reject(carol, gif, reason="Blurry at full size.")

    event = last_event(gif)
    assert (event.action, event.actor) == (GifEvent.Action.REJECTED, other_curator)
    assert history_on_page(carol, gif)[0].endswith(
        "Rejected by carol: Blurry at full size."
    )


@pytest.mark.django_db
def test_a_flag_is_recorded_with_the_agent_and_the_reason(
    agent, upload_gif, other_curator
):
    on_the_shelf = describe(upload_gif, status="approved")

    api_flag(client_of(agent), on_the_shelf, reason="broken", note="Stops at frame 2")

    event = last_event(on_the_shelf)
    assert (event.action, event.actor) == (GifEvent.Action.FLAGGED, agent)
    assert history_on_page(client_of(other_curator), on_the_shelf)[0].endswith(
        "Flagged by alice: Broken or does not load: Stops at frame 2"
    )


@pytest.mark.django_db
def test_restoring_and_retiring_are_recorded(
    carol, agent, lead, upload_gif, other_curator
):
    on_the_shelf = describe(upload_gif, status="approved")
    on_the_shelf.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    carol.post(reverse("library:restore", args=[on_the_shelf.pk]))
    on_the_shelf.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    carol.post(
        reverse("library:retire", args=[on_the_shelf.pk]),
        {"reason": "Broken for good."},
    )

    history = history_on_page(client_of(lead), on_the_shelf)

    assert [action_shown(line) for line in history] == [
        "Retired",
        "Flagged",
        "Restored after a flag",
        "Flagged",
        "Uploaded",
    ]
    assert history[0].endswith("Retired by carol: Broken for good.")
    assert history[2].endswith("Restored after a flag by carol")
    actions = list(on_the_shelf.events.values_list("action", "actor__username"))
    assert actions == [
        ("retired", "carol"),
        ("flagged", "alice"),
        ("restored", "carol"),
        ("flagged", "alice"),
        ("uploaded", "bob"),
    ]


@pytest.mark.django_db
def test_a_refused_decision_leaves_no_trace(carol, gif):
    api_approve(carol, gif)  # not watched: refused

    assert list(gif.events.values_list("action", flat=True)) == ["uploaded"]


# Edits


@pytest.mark.django_db
def test_an_edit_on_the_page_records_what_changed(carol, gif, other_curator):
    edit_on_the_page(carol, gif, title="Deep bow", alt_text="A cat bows deeply.")

    event = last_event(gif)
    assert (event.action, event.actor) == (GifEvent.Action.EDITED, other_curator)
    assert event.changes == {
        "title": {"from": "Polite bow", "to": "Deep bow"},
        "alt_text": {"from": "A cat bows politely.", "to": "A cat bows deeply."},
    }
    assert history_on_page(carol, gif)[0].endswith(
        "Edited by carol Title: Polite bow → Deep bow "
        "Alt text: A cat bows politely. → A cat bows deeply."
    )


@pytest.mark.django_db
def test_an_edit_through_the_api_records_what_changed(carol, gif, other_curator):
    patch(carol, gif, title="Deep bow", alt_text="")

    event = last_event(gif)
    assert (event.action, event.actor) == (GifEvent.Action.EDITED, other_curator)
    assert history_on_page(carol, gif)[0].endswith(
        "Edited by carol Title: Polite bow → Deep bow "
        "Alt text: A cat bows politely. → (empty)"
    )


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_records_nothing(carol, gif):
    edit_on_the_page(carol, gif)
    patch(carol, gif, title="Polite bow")

    assert list(gif.events.values_list("action", flat=True)) == ["uploaded"]


@pytest.mark.django_db
def test_a_team_leads_appropriateness_change_is_recorded(lead, gif):
    client = client_of(lead)

    patch(client, gif, appropriateness=["Money question"])

    assert history_on_page(client, gif)[0].endswith(
        "Edited by dana Unsuitable for: (empty) → Money question"
    )


@pytest.mark.django_db
def test_a_mood_change_on_the_page_is_recorded_under_its_name(carol, gif):
    edit_on_the_page(carol, gif, mood=["Thank you", "Happy"])

    assert history_on_page(carol, gif)[0].endswith(
        "Edited by carol Moods: Thank you → Happy, Thank you"
    )


@pytest.mark.django_db
def test_a_situation_change_through_the_api_is_recorded_under_its_name(carol, gif):
    patch(carol, gif, situation=["Please hold"])

    assert history_on_page(carol, gif)[0].endswith(
        "Edited by carol Situations: (empty) → Please hold"
    )


@pytest.mark.django_db
def test_changing_moods_and_situations_at_once_records_both(carol, gif):
    patch(carol, gif, mood=["Happy"], situation=["Please hold"])

    assert last_event(gif).changes == {
        "mood": {"from": ["Thank you"], "to": ["Happy"]},
        "situation": {"from": [], "to": ["Please hold"]},
    }


# Where the history shows


@pytest.mark.django_db
def test_agents_see_the_history_of_a_gif_on_the_shelf(agent, carol, gif, other_curator):
    approve(carol, gif, other_curator)

    history = history_on_page(client_of(agent), gif)

    assert [action_shown(line) for line in history] == ["Approved", "Uploaded"]


@pytest.mark.django_db
def test_the_history_is_newest_first(carol, gif, other_curator):
    patch(carol, gif, title="Deep bow")
    approve(carol, gif, other_curator)

    history = history_on_page(carol, gif)

    assert [action_shown(line) for line in history] == [
        "Approved",
        "Edited",
        "Uploaded",
    ]
