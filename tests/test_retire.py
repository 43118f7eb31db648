"""Team leads retire, take down and restore GIFs, saying why.

Retired: out of search, but its public link keeps working in past chats.
Taken down: also every public file answers 410 Gone. Restored: both undone.
"""

import pytest
from django.test import Client
from django.urls import reverse

from library.models import AgentFlag, Gif, GifEvent, ReviewError
from tests.reviewing import client_of, page_of, post_json, refreshed, refusal

SEARCHED_TITLE = "Thumbs up"


@pytest.fixture
def on_the_shelf(upload_gif):
    return upload_gif(title=SEARCHED_TITLE, status=Gif.Status.APPROVED)


@pytest.fixture
def flagged(on_the_shelf, agent):
    on_the_shelf.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    return on_the_shelf


@pytest.fixture
def retired(on_the_shelf, lead):
    on_the_shelf.retire(by=lead, reason="Superseded by a better one.")
    return on_the_shelf


@pytest.fixture
def taken_down(on_the_shelf, lead):
    on_the_shelf.take_down(by=lead, reason="The rights holder asked us to.")
    return on_the_shelf


PAGE_ACTIONS = {
    "retire": "library:gif_retire",
    "takedown": "library:gif_take_down",
    "restore": "library:gif_restore",
}


def act(client, gif, action, reason="A reason.", follow=False):
    """Retire, take down or restore from the GIF's page."""
    data = {} if reason is None else {"reason": reason}
    url = reverse(PAGE_ACTIONS[action], args=[gif.pk])
    return client.post(url, data, follow=follow)


def api_act(client, gif, action, reason="A reason."):
    body = {} if reason is None else {"reason": reason}
    return post_json(client, f"/api/gifs/{gif.pk}/{action}/", body)


def every_public_path(gif):
    """The original, the stills, the preview and each filmstrip frame."""
    frames = [frame["path"] for frame in gif.filmstrip_frames()]
    assert frames, "the test GIF should have a filmstrip"
    return [
        gif.original_path,
        gif.still_path,
        gif.last_still_path,
        gif.preview_path,
        *frames,
    ]


def fetch(client, path, method="get", **headers):
    response = getattr(client, method)(path, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)  # closes the file behind it
    return response


def found_in_search(client, query=SEARCHED_TITLE):
    response = client.get(reverse("library:api_gifs"), {"q": query})
    assert response.status_code == 200
    return [result["id"] for result in response.json()["results"]]


def history(gif):
    return [
        (event.action, event.actor.get_username(), event.describe())
        for event in gif.events.select_related("actor").order_by("at", "pk")
        if event.action != GifEvent.Action.UPLOADED
    ]


def assert_gone(response):
    assert response.status_code == 410
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


# Retiring


@pytest.mark.django_db
def test_a_lead_retires_a_gif_from_its_page_with_a_reason(lead_client, on_the_shelf):
    response = act(lead_client, on_the_shelf, "retire", "Superseded.", follow=True)

    assert refreshed(on_the_shelf).status == Gif.Status.RETIRED
    assert response.redirect_chain[-1][0] == on_the_shelf.get_absolute_url()
    assert "its public link still works" in page_of(response)


@pytest.mark.django_db
def test_a_retired_gifs_public_link_keeps_working(lead_client, on_the_shelf):
    act(lead_client, on_the_shelf, "retire")

    for path in every_public_path(on_the_shelf):
        assert fetch(Client(), path).status_code == 200, path


@pytest.mark.django_db
def test_a_retired_gif_leaves_search(lead, agent_client, on_the_shelf):
    assert found_in_search(agent_client) == [on_the_shelf.pk]

    act(client_of(lead), on_the_shelf, "retire")

    assert found_in_search(agent_client) == []


@pytest.mark.django_db
def test_the_page_says_who_retired_it_when_and_why(lead_client, on_the_shelf):
    act(lead_client, on_the_shelf, "retire", "Superseded by a better one.")

    page = page_of(lead_client.get(on_the_shelf.get_absolute_url()))

    assert "Retired on " in page
    assert "by dana: Superseded by a better one." in page


# Taking down


@pytest.mark.django_db
def test_a_lead_takes_a_gif_down_from_its_page(lead_client, on_the_shelf):
    response = act(lead_client, on_the_shelf, "takedown", "Rights.", follow=True)

    gif = refreshed(on_the_shelf)
    assert (gif.status, gif.taken_down) == (Gif.Status.RETIRED, True)
    assert "410 Gone" in page_of(response)


@pytest.mark.django_db
def test_taking_down_from_the_gifs_page_asks_to_confirm_first(
    lead_client, on_the_shelf
):
    # The GIF's page offers a button to the confirmation, not one that acts.
    confirm_url = reverse("library:gif_take_down_confirm", args=[on_the_shelf.pk])
    page = page_of(lead_client.get(on_the_shelf.get_absolute_url()))
    assert f'formaction="{confirm_url}"' in page
    assert (
        f'formaction="{reverse(PAGE_ACTIONS["takedown"], args=[on_the_shelf.pk])}"'
        not in page
    )

    confirmation = lead_client.get(confirm_url)

    assert confirmation.status_code == 200
    assert not refreshed(on_the_shelf).taken_down, "asking changes nothing"
    asked = page_of(confirmation)
    assert f"Take down “{on_the_shelf.title}”?" in asked
    assert "answers 410 Gone" in asked
    assert "A copy a chat tool or a browser already keeps may still show" in asked
    assert f'href="{on_the_shelf.get_absolute_url()}">Cancel<' in asked

    # Confirming is the POST, with its reason.
    response = lead_client.post(
        reverse(PAGE_ACTIONS["takedown"], args=[on_the_shelf.pk]),
        {"reason": "Rights.", "page": "confirm"},
    )
    assert response.status_code == 302
    assert refreshed(on_the_shelf).taken_down


@pytest.mark.django_db
def test_the_reason_typed_on_the_gifs_page_carries_over_to_the_confirmation(
    lead_client, on_the_shelf
):
    confirm_url = reverse("library:gif_take_down_confirm", args=[on_the_shelf.pk])

    # What "Take down…" sends: the GIF page's form, reason included.
    confirmation = lead_client.post(confirm_url, {"reason": " The rights holder. "})

    assert confirmation.status_code == 200
    asked = page_of(confirmation)
    assert f"Take down “{on_the_shelf.title}”?" in asked
    assert 'value="The rights holder."' in asked
    assert not refreshed(on_the_shelf).taken_down, "asking changes nothing"
    assert not on_the_shelf.events.filter(action=GifEvent.Action.TAKEN_DOWN).exists()


@pytest.mark.django_db
def test_the_confirmation_asks_again_for_a_missing_reason(lead_client, on_the_shelf):
    response = lead_client.post(
        reverse(PAGE_ACTIONS["takedown"], args=[on_the_shelf.pk]),
        {"reason": "", "page": "confirm"},
    )

    assert response.status_code == 400
    assert f"Take down “{on_the_shelf.title}”?" in page_of(response)
    assert "Say why it is taken down." in page_of(response)
    assert not refreshed(on_the_shelf).taken_down


@pytest.mark.django_db
def test_the_confirmation_of_a_gif_already_taken_down_says_so(lead_client, taken_down):
    url = reverse("library:gif_take_down_confirm", args=[taken_down.pk])

    response = lead_client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == taken_down.get_absolute_url()
    assert "nothing was changed" in page_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("who", ["anonymous", "agent", "curator", "lead"])
def test_every_public_file_of_a_taken_down_gif_is_gone_for_everyone(
    method, who, client_for, taken_down
):
    client = client_for(who)

    for path in every_public_path(taken_down):
        assert_gone(fetch(client, path, method))


@pytest.mark.django_db
def test_a_cached_copy_cannot_revalidate_a_taken_down_gif(client, on_the_shelf):
    etag = fetch(client, on_the_shelf.original_path)["ETag"]
    on_the_shelf.take_down(by=None, reason="Rights.")

    assert_gone(fetch(client, on_the_shelf.original_path, If_None_Match=etag))


@pytest.mark.django_db
def test_a_taken_down_gif_leaves_search_and_loses_its_urls(
    lead, agent_client, on_the_shelf
):
    lead_client = client_of(lead)
    api_act(lead_client, on_the_shelf, "takedown")

    gif = lead_client.get(f"/api/gifs/{on_the_shelf.pk}/").json()
    assert found_in_search(agent_client) == []
    assert gif["taken_down"] is True
    assert gif["url"] is gif["still_url"] is gif["preview_url"] is None


@pytest.mark.django_db
def test_a_retired_gif_can_be_taken_down_too(lead_client, retired):
    act(lead_client, retired, "takedown", "The rights holder asked us to.")

    assert refreshed(retired).taken_down
    assert_gone(fetch(Client(), retired.original_path))


@pytest.mark.django_db
def test_taking_down_a_flagged_gif_resolves_its_flags(lead_client, flagged):
    api_act(lead_client, flagged, "takedown")

    raised = AgentFlag.objects.get(gif=flagged)
    assert raised.resolution == AgentFlag.Resolution.RETIRED
    assert raised.resolved_at is not None


@pytest.mark.django_db
def test_the_page_says_who_took_it_down_when_and_why(lead_client, taken_down):
    page = page_of(lead_client.get(taken_down.get_absolute_url()))

    assert "Taken down on " in page
    assert "by dana: The rights holder asked us to." in page


@pytest.mark.django_db
def test_a_retirement_undone_by_a_restore_is_not_shown_after_a_takedown(
    lead_client, retired
):
    act(lead_client, retired, "restore", "Needed again.")
    act(lead_client, retired, "takedown", "The rights holder asked us to.")

    page = page_of(lead_client.get(retired.get_absolute_url()))

    assert "by dana: The rights holder asked us to." in page
    assert "Retired on " not in page


@pytest.mark.django_db
def test_a_lead_still_sees_what_was_taken_down_on_its_page(lead_client, taken_down):
    file_url = reverse("library:taken_down_file", args=[taken_down.pk])

    page = page_of(lead_client.get(taken_down.get_absolute_url()))
    response = fetch(lead_client, file_url)

    assert f'src="{file_url}"' in page
    assert f'src="{taken_down.original_path}"' not in page
    assert response.status_code == 200
    assert response["Content-Type"] == taken_down.content_type
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_curator_sees_no_taken_down_file(curator_client, taken_down):
    file_url = reverse("library:taken_down_file", args=[taken_down.pk])

    page = page_of(curator_client.get(taken_down.get_absolute_url()))

    assert fetch(curator_client, file_url).status_code == 403
    assert "the file is no longer served" in page
    assert f'src="{taken_down.original_path}"' not in page


@pytest.mark.django_db
def test_a_taken_down_gifs_page_offers_no_review_and_says_so(lead_client, taken_down):
    review_url = reverse("library:review", args=[taken_down.pk])

    page = page_of(lead_client.get(taken_down.get_absolute_url()))

    assert review_url not in page
    assert '<span class="status status-retired">Taken down</span>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["lead", "curator"])
def test_the_review_page_of_a_taken_down_gif_says_who_took_it_down(
    who, request, taken_down
):
    client = client_of(request.getfixturevalue(who))
    restore_url = reverse("library:gif_restore", args=[taken_down.pk])

    page = page_of(client.get(reverse("library:review", args=[taken_down.pk])))

    assert "by dana: The rights holder asked us to." in page
    assert '<span class="status status-retired">Taken down</span>' in page
    assert "data-review" not in page
    for path in every_public_path(taken_down):
        assert path not in page, path
    assert (restore_url in page) == (who == "lead")
    assert f'href="{taken_down.get_absolute_url()}"' in page


@pytest.mark.django_db
def test_the_edit_page_of_a_taken_down_gif_shows_no_broken_preview(
    lead_client, taken_down
):
    page = page_of(lead_client.get(reverse("library:gif_edit", args=[taken_down.pk])))

    assert taken_down.preview_path not in page
    assert "the file is no longer served" in page
    assert '<span class="status status-retired">Taken down</span>' in page


@pytest.mark.django_db
def test_the_lead_only_file_is_for_taken_down_gifs(lead_client, on_the_shelf):
    file_url = reverse("library:taken_down_file", args=[on_the_shelf.pk])

    assert fetch(lead_client, file_url).status_code == 404


# Restoring


@pytest.mark.django_db
def test_restoring_a_taken_down_gif_serves_its_files_again(lead_client, taken_down):
    act(lead_client, taken_down, "restore", "The claim was withdrawn.")

    gif = refreshed(taken_down)
    assert (gif.status, gif.taken_down) == (Gif.Status.APPROVED, False)
    for path in every_public_path(gif):
        assert fetch(Client(), path).status_code == 200, path


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["retired", "taken_down"])
def test_a_restored_gif_is_found_in_search_again(state, request, lead, agent_client):
    gif = request.getfixturevalue(state)

    act(client_of(lead), gif, "restore", "Back by popular demand.")

    assert found_in_search(agent_client) == [gif.pk]


# History


@pytest.mark.django_db
def test_each_step_lands_in_the_history_with_its_reason(lead_client, on_the_shelf):
    act(lead_client, on_the_shelf, "retire", "Superseded.")
    act(lead_client, on_the_shelf, "takedown", "Rights holder complained.")
    act(lead_client, on_the_shelf, "restore", "The claim was withdrawn.")

    assert history(on_the_shelf) == [
        (GifEvent.Action.RETIRED, "dana", "Superseded."),
        (GifEvent.Action.TAKEN_DOWN, "dana", "Rights holder complained."),
        (
            GifEvent.Action.REINSTATED,
            "dana",
            "Back on the shelf after its takedown: The claim was withdrawn.",
        ),
    ]


@pytest.mark.django_db
def test_the_history_on_the_page_shows_the_reasons(lead_client, retired):
    act(lead_client, retired, "restore", "Needed again.")

    page = page_of(lead_client.get(retired.get_absolute_url()))

    assert "Superseded by a better one." in page
    assert "Back on the shelf after retirement: Needed again." in page


# Refusals on the page


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_the_page_asks_for_a_reason(action, reason, lead_client, on_the_shelf):
    response = act(lead_client, on_the_shelf, action, reason)

    gif = refreshed(on_the_shelf)
    assert response.status_code == 400
    assert (gif.status, gif.taken_down) == (Gif.Status.APPROVED, False)
    assert "Say why" in page_of(response)


@pytest.mark.django_db
def test_restoring_from_the_review_page_without_a_reason_stays_on_it(
    lead_client, taken_down
):
    response = lead_client.post(
        reverse("library:gif_restore", args=[taken_down.pk]),
        {"reason": " ", "page": "review"},
    )

    page = page_of(response)
    assert response.status_code == 400
    assert refreshed(taken_down).taken_down
    assert "There is nothing to review: its files are no longer served." in page
    assert "Say why" in page
    assert reverse("library:gif_restore", args=[taken_down.pk]) in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("gif_name", "action"),
    [
        ("pending_gif", "retire"),
        ("pending_gif", "takedown"),
        ("on_the_shelf", "restore"),
        ("retired", "retire"),
        ("taken_down", "takedown"),
    ],
)
def test_the_page_refuses_what_the_gifs_state_does_not_allow(
    gif_name, action, request, lead_client
):
    gif = request.getfixturevalue(gif_name)
    before = (refreshed(gif).status, refreshed(gif).taken_down)

    response = act(lead_client, gif, action, "A reason.", follow=True)

    # Back on the GIF's page: a refresh must not send the form again.
    assert response.redirect_chain == [(gif.get_absolute_url(), 302)]
    assert "nothing was changed" in page_of(response)
    assert (refreshed(gif).status, refreshed(gif).taken_down) == before


@pytest.mark.django_db
def test_retiring_in_a_second_tab_names_who_retired_it_not_who_approved_it(
    lead_client, other_curator, on_the_shelf
):
    Gif.objects.filter(pk=on_the_shelf.pk).update(reviewed_by=other_curator)
    on_the_shelf.record(GifEvent.Action.APPROVED, by=other_curator)
    act(lead_client, on_the_shelf, "retire", "Superseded.")

    response = act(lead_client, on_the_shelf, "retire", "Superseded.", follow=True)

    page = page_of(response)
    assert "“Thumbs up” is already retired by dana; nothing was changed." in page
    assert "already retired by carol" not in page


@pytest.mark.django_db
def test_taking_down_twice_names_who_took_it_down(lead, curator, taken_down):
    Gif.objects.filter(pk=taken_down.pk).update(reviewed_by=curator)

    with pytest.raises(ReviewError) as refused:
        refreshed(taken_down).take_down(by=lead, reason="Again.")

    assert str(refused.value) == (
        "“Thumbs up” is already taken down by dana; nothing was changed."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown", "restore"])
def test_a_pending_gif_is_refused_as_still_waiting_for_review(
    action, lead_client, pending_gif
):
    response = act(lead_client, pending_gif, action, "A reason.", follow=True)

    page = page_of(response)
    assert "“Pending wave” is still waiting for review" in page
    assert "already pending" not in page


@pytest.mark.django_db
def test_the_gif_page_offers_the_shelf_form_to_leads_only(
    lead_client, curator, on_the_shelf
):
    form_url = reverse("library:gif_take_down", args=[on_the_shelf.pk])

    lead_page = page_of(lead_client.get(on_the_shelf.get_absolute_url()))
    curator_page = page_of(client_of(curator).get(on_the_shelf.get_absolute_url()))

    assert form_url in lead_page
    assert form_url not in curator_page


@pytest.mark.django_db
def test_two_leads_taking_down_at_once_record_it_once(lead, on_the_shelf):
    stale = Gif.objects.get(pk=on_the_shelf.pk)
    on_the_shelf.take_down(by=lead, reason="First.")

    with pytest.raises(ReviewError, match="nothing was changed"):
        stale.take_down(by=lead, reason="Second.")

    assert history(on_the_shelf) == [(GifEvent.Action.TAKEN_DOWN, "dana", "First.")]


# The API


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "status", "taken_down"),
    [("retire", "retired", False), ("takedown", "retired", True)],
)
def test_the_api_retires_and_takes_down(
    action, status, taken_down, lead_client, on_the_shelf
):
    response = api_act(lead_client, on_the_shelf, action)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["taken_down"]) == (
        on_the_shelf.pk,
        status,
        taken_down,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["retired", "taken_down"])
def test_the_api_restores_a_retired_or_taken_down_gif(state, request, lead_client):
    gif = request.getfixturevalue(state)

    response = api_act(lead_client, gif, "restore", "Needed again.")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["taken_down"]) == (
        "approved",
        False,
    )


@pytest.mark.django_db
def test_the_api_takes_a_form_encoded_reason(lead_client, on_the_shelf):
    response = lead_client.post(
        f"/api/gifs/{on_the_shelf.pk}/retire/", {"reason": "Superseded."}
    )

    assert response.status_code == 200
    assert history(on_the_shelf) == [(GifEvent.Action.RETIRED, "dana", "Superseded.")]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown", "restore"])
@pytest.mark.parametrize("reason", [None, "", "  "])
def test_the_api_needs_a_reason(action, reason, lead_client, retired, on_the_shelf):
    gif = retired if action == "restore" else on_the_shelf
    before = (refreshed(gif).status, refreshed(gif).taken_down)

    status, code, _ = refusal(api_act(lead_client, gif, action, reason))

    assert (status, code) == (400, "missing_reason")
    assert (refreshed(gif).status, refreshed(gif).taken_down) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("gif_name", "action"),
    [
        ("on_the_shelf", "restore"),
        ("pending_gif", "takedown"),
        ("pending_gif", "retire"),
        ("pending_gif", "restore"),
        ("retired", "retire"),
        ("taken_down", "takedown"),
    ],
)
def test_the_api_refuses_what_the_gifs_state_does_not_allow(
    gif_name, action, request, lead_client
):
    gif = request.getfixturevalue(gif_name)

    status, code, error = refusal(api_act(lead_client, gif, action))

    assert (status, code) == (409, "status_changed")
    assert "nothing was changed" in error


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown", "restore"])
def test_the_api_refuses_a_curator_on_a_gif_nobody_flagged(
    action, curator_client, retired, on_the_shelf
):
    gif = retired if action == "restore" else on_the_shelf
    before = (refreshed(gif).status, refreshed(gif).taken_down)

    status, code, error = refusal(api_act(curator_client, gif, action))

    assert (status, code) == (403, "forbidden")
    assert "team leads" in error
    assert (refreshed(gif).status, refreshed(gif).taken_down) == before


@pytest.mark.django_db
def test_a_curator_retires_a_flagged_gif_through_the_api(curator_client, flagged):
    response = api_act(curator_client, flagged, "retire", "Offends customers.")

    assert response.status_code == 200
    assert refreshed(flagged).status == Gif.Status.RETIRED
    assert not AgentFlag.objects.open().filter(gif=flagged).exists()


@pytest.mark.django_db
def test_a_curator_restores_a_flagged_gif_through_the_api(curator_client, flagged):
    response = api_act(curator_client, flagged, "restore", "Harmless.")

    raised = AgentFlag.objects.get(gif=flagged)
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert raised.resolution == AgentFlag.Resolution.RESTORED
    assert history(flagged)[-1] == (GifEvent.Action.RESTORED, "bob", "Harmless.")


@pytest.mark.django_db
def test_a_curator_cannot_take_down_even_a_flagged_gif(curator_client, flagged):
    status, _, _ = refusal(api_act(curator_client, flagged, "takedown"))

    assert status == 403
    assert not refreshed(flagged).taken_down


@pytest.mark.django_db
def test_a_curator_cannot_bring_back_a_gif_another_retired_from_a_flag(
    curator_client, other_curator, flagged
):
    flagged.retire(by=other_curator, reason="Offends customers.")

    status, code, error = refusal(api_act(curator_client, flagged, "restore"))

    assert (status, code) == (409, "status_changed")
    assert "no open flag" in error
    assert refreshed(flagged).status == Gif.Status.RETIRED


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown", "restore"])
def test_the_api_answers_an_unknown_gif_with_404(action, lead_client):
    response = post_json(lead_client, f"/api/gifs/999999/{action}/", {"reason": "x"})

    assert response.status_code == 404
    assert response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown", "restore"])
def test_the_api_refuses_a_wrong_http_method(action, lead_client, on_the_shelf):
    response = lead_client.get(f"/api/gifs/{on_the_shelf.pk}/{action}/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert refreshed(on_the_shelf).status == Gif.Status.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["retire", "takedown", "restore"])
def test_the_page_actions_refuse_a_wrong_http_method(action, lead_client, retired):
    response = lead_client.get(reverse(PAGE_ACTIONS[action], args=[retired.pk]))

    assert response.status_code == 405
    assert refreshed(retired).status == Gif.Status.RETIRED
