"""Agents flag GIFs off the shelf; curators restore or retire them."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from library.models import AgentFlag, Gif, Member
from tests.reviewing import (
    api_approve,
    api_flag,
    client_of,
    describe,
    in_page_order,
    new_member,
    page_of,
    queue_page,
    refreshed,
    refusal,
    watch_to_the_end,
)


@pytest.fixture
def on_the_shelf(upload_gif, other_curator):
    """An approved GIF that Carol uploaded, so it is nobody's own in Bob's queue."""
    return upload_gif(title="Thumbs up", by=other_curator, status=Gif.Status.APPROVED)


@pytest.fixture
def flagged(on_the_shelf, agent):
    on_the_shelf.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    return on_the_shelf


def shelf_page(client):
    response = client.get(reverse("library:home"))
    assert response.status_code == 200
    page = page_of(response)
    return page[page.index('<main id="main">') :]


def found_in_search(client, query):
    """The ids the picker's search finds for `query`."""
    response = client.get(reverse("library:api_gifs"), {"q": query})
    assert response.status_code == 200
    return [result["id"] for result in response.json()["results"]]


def public_link_status(gif):
    response = Client().get(gif.public_path())
    if response.streaming:
        b"".join(response.streaming_content)  # closes the file behind it
    return response.status_code


def open_flags(gif):
    return AgentFlag.objects.open().filter(gif=gif)


def restore(client, gif, follow=False):
    return client.post(reverse("library:restore", args=[gif.pk]), follow=follow)


def retire(client, gif, reason, follow=False):
    return client.post(
        reverse("library:retire", args=[gif.pk]), {"reason": reason}, follow=follow
    )


def page_flag(client, gif, follow=False, **data):
    return client.post(reverse("library:flag", args=[gif.pk]), data, follow=follow)


# Flagging in the API


@pytest.mark.django_db
def test_an_agent_flags_a_gif_on_the_shelf(agent_client, on_the_shelf, agent):
    response = api_flag(agent_client, on_the_shelf, reason="broken", note="404s")

    body = response.json()
    assert response.status_code == 201
    assert body["gif"] == on_the_shelf.pk
    assert (body["reason"], body["note"]) == ("broken", "404s")
    raised = AgentFlag.objects.get(pk=body["id"])
    assert raised.raised_by == agent
    assert raised.resolved_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["customer_offended", "broken"])
def test_each_flag_reason_is_accepted(agent_client, on_the_shelf, reason):
    assert api_flag(agent_client, on_the_shelf, reason=reason).status_code == 201


@pytest.mark.django_db
def test_a_flag_for_other_is_accepted_with_details(agent_client, on_the_shelf):
    response = api_flag(agent_client, on_the_shelf, reason="other", note="Too loud")

    assert response.status_code == 201
    assert open_flags(on_the_shelf).get().note == "Too loud"


OTHER_NEEDS_DETAILS = (
    "Say what is wrong: for “Other”, your details are all the curator has to go on."
)


@pytest.mark.django_db
@pytest.mark.parametrize("details", [None, "", "   "])
def test_a_flag_for_other_without_details_is_refused(
    agent_client, on_the_shelf, details
):
    body = {"reason": "other"} | ({} if details is None else {"note": details})

    response = api_flag(agent_client, on_the_shelf, **body)

    assert response.status_code == 400
    assert response.json()["error"] == OTHER_NEEDS_DETAILS
    assert not open_flags(on_the_shelf).exists()
    assert found_in_search(agent_client, "thumbs") == [on_the_shelf.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "ugly"}])
def test_a_flag_needs_one_of_the_reasons(agent_client, on_the_shelf, body):
    response = api_flag(agent_client, on_the_shelf, **body)

    assert response.status_code == 400
    assert "customer_offended, broken, other" in response.json()["error"]
    assert not open_flags(on_the_shelf).exists()


@pytest.mark.django_db
def test_a_flagged_gif_leaves_the_shelf_at_once(agent_client, on_the_shelf):
    assert "Thumbs up" in shelf_page(agent_client)

    api_flag(agent_client, on_the_shelf, reason="customer_offended")

    assert "Thumbs up" not in shelf_page(agent_client)
    assert on_the_shelf not in Gif.objects.approved().without_open_flags()


@pytest.mark.django_db
def test_a_flagged_gif_leaves_the_agents_search_at_once(agent_client, on_the_shelf):
    assert found_in_search(agent_client, "thumbs") == [on_the_shelf.pk]

    api_flag(agent_client, on_the_shelf, reason="customer_offended")

    assert found_in_search(agent_client, "thumbs") == []
    assert found_in_search(agent_client, "") == []


@pytest.mark.django_db
def test_a_flagged_gifs_public_link_keeps_working(agent_client, on_the_shelf):
    api_flag(agent_client, on_the_shelf, reason="customer_offended")

    assert public_link_status(on_the_shelf) == 200
    assert agent_client.get(on_the_shelf.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_an_agent_cannot_flag_the_same_gif_twice(agent_client, on_the_shelf):
    api_flag(agent_client, on_the_shelf, reason="broken")

    response = api_flag(agent_client, on_the_shelf, reason="other", note="Odd")

    status, code, error = refusal(response)
    assert (status, code) == (409, "already_flagged")
    assert "You already flagged this GIF" in error
    assert open_flags(on_the_shelf).count() == 1


@pytest.mark.django_db
def test_another_agent_may_flag_the_same_gif(agent_client, on_the_shelf):
    api_flag(agent_client, on_the_shelf, reason="broken")

    response = api_flag(
        client_of(new_member("erin", "agent")), on_the_shelf, reason="broken"
    )

    assert response.status_code == 201
    assert open_flags(on_the_shelf).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Gif.Status.PENDING, Gif.Status.REJECTED, Gif.Status.RETIRED]
)
def test_only_a_gif_on_the_shelf_can_be_flagged(agent_client, upload_gif, status):
    gif = upload_gif(status=status)

    api_response = api_flag(agent_client, gif, reason="broken")
    page_response = page_flag(agent_client, gif, reason="broken")

    assert api_response.status_code == 404
    assert api_response.json()["error"]
    assert page_response.status_code == 404
    assert not AgentFlag.objects.exists()


# Flagging on the GIF's page


@pytest.mark.django_db
def test_the_flag_reasons_are_one_group_named_why(agent_client, on_the_shelf):
    page = agent_client.get(on_the_shelf.get_absolute_url()).content.decode()
    flag_box = page[page.index('<details class="flag-box">') :]
    flag_box = flag_box[: flag_box.index("</details>")]

    assert "<legend>Why</legend>" in flag_box
    assert 'for=""' not in flag_box
    assert flag_box.count('type="radio" name="reason"') == 3


@pytest.mark.django_db
def test_the_gif_page_offers_agents_a_flag_form(agent_client, on_the_shelf):
    page = page_of(agent_client.get(on_the_shelf.get_absolute_url()))

    assert f'action="{reverse("library:flag", args=[on_the_shelf.pk])}"' in page
    for reason in AgentFlag.Reason.values:
        assert f'value="{reason}"' in page


@pytest.mark.django_db
def test_the_gif_page_says_a_flagged_gif_is_out_of_search(
    agent, lead_client, on_the_shelf
):
    notice = '<p class="notice" data-flagged>'
    url = on_the_shelf.get_absolute_url()
    assert notice not in page_of(lead_client.get(url))

    on_the_shelf.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    page = page_of(lead_client.get(url))

    assert (
        f"{notice}An agent flagged it: search leaves it out until a curator has "
        "looked.</p>"
    ) in page


@pytest.mark.django_db
def test_flagging_on_the_page_hides_the_gif_and_thanks_the_agent(
    agent_client, on_the_shelf
):
    response = page_flag(
        agent_client, on_the_shelf, follow=True, reason="other", note="Wrong colours"
    )

    assert response.redirect_chain[-1][0] == reverse("library:home")
    page = page_of(response)
    assert "is hidden from search until a curator has looked at it" in page
    assert "Nothing approved on the shelf yet." in page
    assert open_flags(on_the_shelf).get().note == "Wrong colours"


@pytest.mark.django_db
def test_after_flagging_the_page_says_a_curator_will_look(agent_client, flagged):
    page = page_of(agent_client.get(flagged.get_absolute_url()))

    assert "You flagged it; a curator will look at it." in page
    assert reverse("library:flag", args=[flagged.pk]) not in page


@pytest.mark.django_db
def test_flagging_on_the_page_without_a_reason_asks_for_one(agent_client, on_the_shelf):
    response = page_flag(agent_client, on_the_shelf, reason="")

    assert response.status_code == 400
    assert "Choose why you flag it." in page_of(response)
    assert not open_flags(on_the_shelf).exists()


@pytest.mark.django_db
def test_flagging_other_on_the_page_without_details_asks_for_them(
    agent_client, on_the_shelf
):
    response = page_flag(
        agent_client, on_the_shelf, reason="other", note=" ", next="/?q=thumbs"
    )

    page = page_of(response)
    assert response.status_code == 400
    assert '<details class="flag-box" open>' in page
    assert f'<p class="error" role="alert">{OTHER_NEEDS_DETAILS}</p>' in page
    assert re.search(r'value="other"[^>]*checked', page)  # the choice stays
    assert '<input type="hidden" name="next" value="/?q=thumbs">' in page
    assert not open_flags(on_the_shelf).exists()
    assert found_in_search(agent_client, "thumbs") == [on_the_shelf.pk]


@pytest.mark.django_db
def test_the_flag_details_error_is_in_russian_on_russian_pages(
    agent_client, on_the_shelf
):
    response = agent_client.post(
        reverse("library:flag", args=[on_the_shelf.pk]),
        {"reason": "other"},
        headers={"accept-language": "ru"},
    )

    assert "Напишите, что не так" in page_of(response)


@pytest.mark.django_db
def test_flagging_twice_on_the_page_says_it_is_already_flagged(agent_client, flagged):
    response = page_flag(agent_client, flagged, follow=True, reason="broken")

    assert "You already flagged this GIF; a curator will look at it." in page_of(
        response
    )
    assert open_flags(flagged).count() == 1


# Back in the review queue


@pytest.mark.django_db
def test_a_flagged_gif_returns_to_the_queue_marked_flagged_on_top(
    curator_client, upload_gif, other_curator, flagged
):
    older = upload_gif(title="Waiting long", by=other_curator)
    Gif.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )

    page = queue_page(curator_client)

    assert in_page_order(page, ["Waiting long", "Thumbs up"]) == [
        "Thumbs up",
        "Waiting long",
    ]
    assert '<li class="queue-item flagged">' in page
    assert "Flagged by 1 agent<" in page


@pytest.mark.django_db
def test_the_queue_counts_the_agents_who_flagged(curator_client, flagged):
    flagged.flag(by=new_member("erin", "agent"), reason=AgentFlag.Reason.BROKEN)

    assert "Flagged by 2 agents" in queue_page(curator_client)


@pytest.mark.django_db
def test_the_review_page_of_a_flagged_gif_shows_the_flags(curator_client, flagged):
    page = page_of(curator_client.get(reverse("library:review", args=[flagged.pk])))

    assert "Agents flagged it" in page
    assert "<strong>A customer was offended</strong>" in page
    assert "(alice," in page
    assert reverse("library:restore", args=[flagged.pk]) in page
    assert reverse("library:retire", args=[flagged.pk]) in page


@pytest.mark.django_db
def test_a_flag_brings_a_gif_back_to_a_curator_who_skipped_it_when_pending(
    curator_client, other_curator, lead, upload_gif, agent
):
    gif = describe(upload_gif, title="Skipped once", by=lead)
    curator_client.post(reverse("library:skip", args=[gif.pk]))
    carol = client_of(other_curator)
    watch_to_the_end(carol, gif, other_curator)
    assert api_approve(carol, gif).status_code == 200
    assert api_flag(client_of(agent), gif, reason="broken").status_code == 201

    # Were every reviewer to have skipped it, the flagged GIF would be off the
    # shelf and in nobody's queue.
    assert "Skipped once" in queue_page(curator_client)


# Restoring


@pytest.mark.django_db
def test_restoring_puts_the_gif_back_on_the_shelf(
    curator_client, curator, agent, flagged
):
    response = restore(curator_client, flagged, follow=True)

    assert "“Thumbs up” is back on the shelf." in page_of(response)
    assert "Thumbs up" in shelf_page(client_of(agent))
    assert found_in_search(client_of(agent), "thumbs") == [flagged.pk]
    assert refreshed(flagged).status == Gif.Status.APPROVED
    raised = AgentFlag.objects.get(gif=flagged)
    assert raised.resolution == AgentFlag.Resolution.RESTORED
    assert raised.resolved_by == curator
    assert raised.resolved_at is not None


@pytest.mark.django_db
def test_a_restored_gif_leaves_the_queue(curator_client, flagged):
    restore(curator_client, flagged)

    assert "Thumbs up" not in queue_page(curator_client)


@pytest.mark.django_db
def test_an_agent_may_flag_a_restored_gif_again(curator_client, agent, flagged):
    restore(curator_client, flagged)

    assert api_flag(client_of(agent), flagged, reason="broken").status_code == 201


def assert_sent_to_the_review_page(response, gif):
    """Redirected (a refresh sends nothing again) to the GIF's review page as
    it is now; `response` followed the redirect."""
    assert response.redirect_chain == [(reverse("library:review", args=[gif.pk]), 302)]


@pytest.mark.django_db
def test_restoring_a_gif_another_curator_already_restored_says_who(
    curator_client, other_curator, flagged
):
    restore(client_of(other_curator), flagged)

    response = restore(curator_client, flagged, follow=True)

    assert_sent_to_the_review_page(response, flagged)
    shown = page_of(response)
    assert (
        "“Thumbs up” is already restored to the shelf by carol; nothing was changed."
        in shown
    )
    # The page as it stands: nothing left to restore or retire.
    assert reverse("library:restore", args=[flagged.pk]) not in shown
    assert AgentFlag.objects.get(gif=flagged).resolved_by == other_curator
    assert flagged.events.filter(action="restored").count() == 1


@pytest.mark.django_db
def test_restoring_a_gif_another_curator_retired_leaves_it_retired(
    curator_client, other_curator, flagged
):
    retire(client_of(other_curator), flagged, "Offends customers.")

    response = restore(curator_client, flagged, follow=True)

    assert_sent_to_the_review_page(response, flagged)
    shown = page_of(response)
    assert "“Thumbs up” is already retired by carol; nothing was changed." in shown
    assert refreshed(flagged).status == Gif.Status.RETIRED


@pytest.mark.django_db
def test_a_lead_restoring_a_gif_a_curator_retired_meanwhile_is_told_who(
    lead_client, other_curator, flagged
):
    retire(client_of(other_curator), flagged, "Offends customers.")

    response = restore(lead_client, flagged, follow=True)

    assert_sent_to_the_review_page(response, flagged)
    assert "already retired by carol; nothing was changed." in page_of(response)
    assert refreshed(flagged).status == Gif.Status.RETIRED


# Retiring


@pytest.mark.django_db
def test_a_curator_retires_a_flagged_gif_with_a_reason(
    curator_client, curator, agent, flagged
):
    response = retire(curator_client, flagged, "Offends customers.", follow=True)

    assert "Retired “Thumbs up”. Its public link still works." in page_of(response)
    assert refreshed(flagged).status == Gif.Status.RETIRED
    assert "Thumbs up" not in shelf_page(client_of(agent))
    assert found_in_search(client_of(agent), "thumbs") == []
    assert "Thumbs up" not in queue_page(curator_client)
    raised = AgentFlag.objects.get(gif=flagged)
    assert raised.resolution == AgentFlag.Resolution.RETIRED
    assert raised.resolved_by == curator


@pytest.mark.django_db
def test_a_retired_gifs_public_link_keeps_working(curator_client, flagged):
    retire(curator_client, flagged, "Offends customers.")

    assert public_link_status(flagged) == 200


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_retiring_needs_a_reason(curator_client, flagged, reason):
    response = retire(curator_client, flagged, reason)

    assert response.status_code == 409
    assert "Say why" in page_of(response)
    assert refreshed(flagged).status == Gif.Status.APPROVED
    assert open_flags(flagged).count() == 1


@pytest.mark.django_db
def test_a_curator_cannot_retire_a_gif_nobody_flagged(curator_client, on_the_shelf):
    response = retire(curator_client, on_the_shelf, "I do not like it.")

    assert response.status_code == 403
    assert refreshed(on_the_shelf).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_a_team_lead_may_retire_any_gif_on_the_shelf(lead_client, on_the_shelf):
    response = retire(lead_client, on_the_shelf, "Superseded by a better one.")

    assert response.status_code == 302
    assert refreshed(on_the_shelf).status == Gif.Status.RETIRED


@pytest.mark.django_db
def test_retiring_a_gif_another_curator_just_restored_says_who(
    curator_client, other_curator, flagged
):
    restore(client_of(other_curator), flagged)

    response = retire(curator_client, flagged, "Offends customers.", follow=True)

    assert_sent_to_the_review_page(response, flagged)
    shown = page_of(response)
    assert (
        "“Thumbs up” is already restored to the shelf by carol; nothing was changed."
        in shown
    )
    assert refreshed(flagged).status == Gif.Status.APPROVED


@pytest.mark.django_db
def test_retiring_a_gif_another_curator_just_retired_says_who(
    curator_client, other_curator, flagged
):
    retire(client_of(other_curator), flagged, "Offends customers.")

    response = retire(curator_client, flagged, "Not for us.", follow=True)

    assert_sent_to_the_review_page(response, flagged)
    shown = page_of(response)
    assert "“Thumbs up” is already retired by carol; nothing was changed." in shown
    # The reason typed is not lost: shown read-only, to copy from.
    assert "What you had written" in shown
    assert "Not for us." in shown
    retired = flagged.events.get(action="retired")
    assert (retired.actor, retired.summary) == (other_curator, "Offends customers.")


@pytest.mark.django_db
def test_a_lead_retiring_a_gif_another_lead_retired_meanwhile_is_told_who(
    lead_client, lead, on_the_shelf
):
    other_lead = Member.enrol("erin", "lead")[0]
    refreshed(on_the_shelf).retire(by=other_lead, reason="Superseded.")

    response = retire(lead_client, on_the_shelf, "Not for us.", follow=True)

    assert_sent_to_the_review_page(response, on_the_shelf)
    shown = page_of(response)
    assert "“Thumbs up” is already retired by erin; nothing was changed." in shown
    assert on_the_shelf.events.filter(action="retired").count() == 1


@pytest.mark.django_db
def test_no_id_is_used_twice_on_a_gif_page_with_every_form(lead_client, on_the_shelf):
    page = page_of(lead_client.get(on_the_shelf.get_absolute_url()))

    ids = re.findall(r'\bid="([^"]+)"', page)
    assert "flag_reason" in ids  # the flag form and the retire form are both here
    assert sorted(id for id in set(ids) if ids.count(id) > 1) == []
