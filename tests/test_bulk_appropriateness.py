"""Team leads set appropriateness on many GIFs at once: a list filtered by
tag, status, use and words, boxes to tick (or every GIF that matches), and a
change that lands in each GIF's history and in the picker at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library import search
from library.models import AppropriatenessTag, Copy, Gif, GifEvent, MoodTag

LIST_URL = reverse("library:bulk_appropriateness")
APPLY_URL = reverse("library:bulk_appropriateness_apply")
HTMX = {"HTTP_HX_REQUEST": "true"}


def mood(name):
    return MoodTag.objects.get(name=name)


def unsuitable(name):
    return AppropriatenessTag.objects.get(name=name)


def tags_of(gif):
    return sorted(tag.name for tag in Gif.objects.get(pk=gif.pk).appropriateness.all())


def page_of(response):
    return response.content.decode()


def listed_titles(response):
    return [gif.title for gif in response.context["gifs"]]


@pytest.fixture
def on_shelf(upload_gif):
    def put(title, status=Gif.Status.APPROVED, **fields):
        fields.setdefault("alt_text", f"{title}, animated.")
        return upload_gif(title=title, status=status, **fields)

    return put


@pytest.fixture
def shelf(on_shelf, agent):
    party = on_shelf("Party time", mood=[mood("Celebrating")])
    wink = on_shelf(
        "Winking face",
        mood=[mood("Happy")],
        appropriateness=[unsuitable("Playful")],
    )
    bow = on_shelf("Deep bow", mood=[mood("Grateful")])
    waiting = on_shelf("Waiting wave", status=Gif.Status.PENDING)
    # Party time was copied yesterday, the deep bow 100 days ago.
    party.record_copy(by=agent, format="link")
    old = bow.record_copy(by=agent, format="link")
    Copy.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=100))
    return {"party": party, "wink": wink, "bow": bow, "waiting": waiting}


# --- The list and its filters ---


@pytest.mark.django_db
def test_the_list_shows_every_gif_whatever_its_status(lead_client, shelf):
    response = lead_client.get(LIST_URL)

    assert response.status_code == 200
    assert sorted(listed_titles(response)) == [
        "Deep bow",
        "Party time",
        "Waiting wave",
        "Winking face",
    ]
    assert "4 GIFs match." in page_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "pending"}, ["Waiting wave"]),
        ({"usage": "copied-30"}, ["Party time"]),
        ({"usage": "copied-90"}, ["Party time"]),
        ({"usage": "unused-90"}, ["Deep bow", "Waiting wave", "Winking face"]),
        ({"usage": "never"}, ["Waiting wave", "Winking face"]),
        ({"q": "face"}, ["Winking face"]),
        ({"status": "approved", "usage": "never"}, ["Winking face"]),
    ],
)
def test_filters_narrow_the_list(lead_client, shelf, filters, expected):
    response = lead_client.get(LIST_URL, filters)

    assert sorted(listed_titles(response)) == expected


@pytest.mark.django_db
def test_a_tag_of_any_vocabulary_filters_the_list(lead_client, shelf):
    by_mood = lead_client.get(LIST_URL, {"tag": f"mood:{mood('Happy').pk}"})
    by_unsuitable = lead_client.get(
        LIST_URL, {"tag": f"appropriateness:{unsuitable('Playful').pk}"}
    )

    assert listed_titles(by_mood) == ["Winking face"]
    assert listed_titles(by_unsuitable) == ["Winking face"]


@pytest.mark.django_db
def test_an_unknown_filter_is_refused_in_the_form_not_a_crash(lead_client, shelf):
    response = lead_client.get(LIST_URL, {"status": "deleted", "tag": "mood:99999"})

    assert response.status_code == 200
    assert "Select a valid choice." in page_of(response)


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_3_or_30_gifs(
    lead_client, on_shelf, agent, django_assert_num_queries
):
    def make(count, start):
        for number in range(start, start + count):
            gif = on_shelf(
                f"Wave {number}",
                mood=[mood("Happy"), mood("Grateful")],
                appropriateness=[unsuitable("Playful")],
            )
            gif.record_copy(by=agent, format="link")
            gif.flag(by=agent, reason="broken")

    make(3, 0)
    lead_client.get(LIST_URL)  # the session's first visit
    with CaptureQueriesContext(connection) as three:
        assert len(lead_client.get(LIST_URL).context["gifs"]) == 3
    make(27, 3)

    with django_assert_num_queries(len(three.captured_queries)):
        response = lead_client.get(LIST_URL)

    assert len(response.context["gifs"]) == 30
    assert page_of(response).count('name="gifs"') == 30


# --- The change ---


@pytest.mark.django_db
def test_adding_a_tag_to_ticked_gifs_records_it_in_each_history(
    lead_client, lead, shelf
):
    response = lead_client.post(
        APPLY_URL,
        {
            "gifs": [shelf["party"].pk, shelf["wink"].pk],
            "change": "add",
            "tags": ["Celebratory", "Money question"],
        },
    )

    assert response.status_code == 302
    assert tags_of(shelf["party"]) == ["Celebratory", "Money question"]
    assert tags_of(shelf["wink"]) == ["Celebratory", "Money question", "Playful"]
    assert tags_of(shelf["bow"]) == []
    event = shelf["wink"].events.get(action=GifEvent.Action.EDITED)
    assert event.actor == lead
    assert event.describe() == "Added “Celebratory”, “Money question”."
    assert event.describe_changes() == [
        ("Unsuitable for", "Playful", "Celebratory, Money question, Playful")
    ]
    assert not shelf["bow"].events.filter(action=GifEvent.Action.EDITED).exists()


@pytest.mark.django_db
def test_the_history_on_the_gif_page_names_what_changed_and_who(lead_client, shelf):
    lead_client.post(
        APPLY_URL,
        {"gifs": [shelf["wink"].pk], "change": "remove", "tags": ["Playful"]},
    )

    page = page_of(lead_client.get(shelf["wink"].get_absolute_url()))

    assert "Removed “Playful”." in page
    assert "by dana" in page


@pytest.mark.django_db
def test_a_gif_the_change_leaves_as_it_was_gets_no_history_line(lead_client, shelf):
    response = lead_client.post(
        APPLY_URL,
        {"gifs": [shelf["wink"].pk], "change": "add", "tags": ["Playful"]},
        follow=True,
    )

    assert "Nothing changed" in page_of(response)
    assert not shelf["wink"].events.filter(action=GifEvent.Action.EDITED).exists()


@pytest.mark.django_db
def test_removing_takes_the_tag_off_only_the_ticked_gifs(lead_client, on_shelf):
    one = on_shelf("One", appropriateness=[unsuitable("Playful")])
    two = on_shelf("Two", appropriateness=[unsuitable("Playful")])

    response = lead_client.post(
        APPLY_URL,
        {"gifs": [one.pk], "change": "remove", "tags": ["Playful"]},
        follow=True,
    )

    assert tags_of(one) == []
    assert tags_of(two) == ["Playful"]
    assert "Removed “Playful” from 1 GIF." in page_of(response)


@pytest.mark.django_db
def test_the_message_counts_the_ticked_gifs_that_were_that_way_already(
    lead_client, on_shelf
):
    had_it = [
        on_shelf(f"Had it {n}", appropriateness=[unsuitable("Playful")])
        for n in range(2)
    ]
    lacked_it = on_shelf("Lacked it")

    response = lead_client.post(
        APPLY_URL,
        {
            "gifs": [gif.pk for gif in [*had_it, lacked_it]],
            "change": "add",
            "tags": ["Playful"],
        },
        follow=True,
    )

    assert tags_of(lacked_it) == ["Playful"]
    assert "Added “Playful” to 1 GIF. 2 more were that way already." in page_of(
        response
    )


@pytest.mark.django_db
def test_every_gif_matching_the_filters_ticked_or_not(lead_client, shelf):
    response = lead_client.post(
        APPLY_URL,
        {
            "status": "approved",
            "usage": "unused-90",
            "all_matching": "on",
            "change": "add",
            "tags": ["Formal customer"],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?status=approved&usage=unused-90"
    assert tags_of(shelf["bow"]) == ["Formal customer"]
    assert tags_of(shelf["wink"]) == ["Formal customer", "Playful"]
    assert tags_of(shelf["party"]) == []  # copied yesterday
    assert tags_of(shelf["waiting"]) == []  # pending


@pytest.mark.django_db
def test_every_gif_matching_is_refused_when_the_filters_are_broken(lead_client, shelf):
    response = lead_client.post(
        APPLY_URL,
        {
            "tag": "mood:99999",  # a tag deleted since the page was shown
            "all_matching": "on",
            "change": "add",
            "tags": ["Formal customer"],
        },
    )

    assert response.status_code == 400
    assert "The filters changed meanwhile" in page_of(response)
    assert not Gif.objects.filter(appropriateness__name="Formal customer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"change": "add", "tags": ["Playful"]}, "Tick the GIFs to change"),
        (
            {"change": "add", "gifs": ["{party}"]},
            "Choose the “Unsuitable for” tags to add or remove.",
        ),
        (
            {"change": "add", "gifs": ["{party}"], "tags": ["Sarcastic"]},
            "Not in the appropriateness tags: Sarcastic.",
        ),
        ({"change": "swap", "gifs": ["{party}"], "tags": ["Playful"]}, "valid"),
        ({"change": "add", "gifs": ["999999"], "tags": ["Playful"]}, "valid"),
    ],
)
def test_a_change_the_form_refuses_changes_nothing(lead_client, shelf, data, message):
    data = {
        key: [item.format(party=shelf["party"].pk) for item in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }

    response = lead_client.post(APPLY_URL, data)

    assert response.status_code == 400
    assert message in page_of(response)
    assert tags_of(shelf["party"]) == []
    assert not GifEvent.objects.filter(action=GifEvent.Action.EDITED).exists()


@pytest.mark.django_db
def test_a_refused_change_keeps_the_ticked_boxes(lead_client, shelf):
    response = lead_client.post(
        APPLY_URL, {"gifs": [shelf["party"].pk], "change": "add"}
    )

    assert f'value="{shelf["party"].pk}" id="gif-{shelf["party"].pk}" checked' in (
        page_of(response)
    )


@pytest.mark.django_db
def test_the_change_is_post_only(lead_client, shelf):
    response = lead_client.get(APPLY_URL)

    assert response.status_code == 405


@pytest.mark.django_db
def test_the_change_needs_the_csrf_token(client, lead, shelf):
    client.handler.enforce_csrf_checks = True
    client.force_login(lead)

    response = client.post(
        APPLY_URL,
        {"gifs": [shelf["party"].pk], "change": "add", "tags": ["Playful"]},
    )

    assert response.status_code == 403
    assert tags_of(shelf["party"]) == []


# --- The picker follows at once ---


@pytest.mark.django_db
def test_the_picker_hides_by_the_new_tag_and_shows_again_at_once(
    lead_client, agent, shelf
):
    agent_client = Client()
    agent_client.force_login(agent)

    def picker_titles(**params):
        response = agent_client.get(reverse("library:picker_results"), params, **HTMX)
        return sorted(gif.title for gif in response.context["gifs"])

    agent_client.post(reverse("library:picker_context"), {"context": "money-question"})
    assert "Deep bow" in picker_titles()

    lead_client.post(
        APPLY_URL,
        {"gifs": [shelf["bow"].pk], "change": "add", "tags": ["Money question"]},
    )
    assert "Deep bow" not in picker_titles()
    # The tag says where it is unsuitable: its words do not find it either.
    assert picker_titles(q="money") == []

    lead_client.post(
        APPLY_URL,
        {
            "gifs": [shelf["bow"].pk],
            "change": "remove",
            "tags": ["Money question"],
        },
    )
    assert "Deep bow" in picker_titles()


@pytest.mark.django_db
def test_a_bulk_change_costs_the_same_queries_for_4_or_40_gifs(
    lead, on_shelf, django_assert_num_queries
):
    gifs = [on_shelf(f"Bulk {n}", mood=[mood("Happy")]) for n in range(44)]
    few, many = gifs[:4], gifs[4:]

    with CaptureQueriesContext(connection) as for_few:
        Gif.objects.filter(pk__in=[g.pk for g in few]).change_appropriateness(
            by=lead, add=[unsuitable("Playful")]
        )
    with django_assert_num_queries(len(for_few.captured_queries)):
        changed = Gif.objects.filter(
            pk__in=[g.pk for g in many]
        ).change_appropriateness(by=lead, add=[unsuitable("Playful")])

    assert changed == 40
    playful = search.facet("appropriateness", unsuitable("Playful").pk)
    facets = Gif.objects.values_list("search_facets", flat=True)
    assert sum(playful in each.split() for each in facets) == 44
