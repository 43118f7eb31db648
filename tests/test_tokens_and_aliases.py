"""Personal API tokens on the preferences page, and the tag alias page."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from library.models import ApiToken, Gif, MoodTag, SituationTag, TagAlias


def row_of(html, name):
    """The table row that lists the token called `name`."""
    start = html.index(f">{name}</td>")
    return html[start : html.index("</tr>", start)]


def search(client, query, **headers):
    response = client.get("/api/gifs/", {"q": query}, **headers)
    assert response.status_code == 200, response.content
    return [result["title"] for result in response.json()["results"]]


@pytest.mark.django_db
def test_a_new_token_is_shown_once_and_then_works_as_a_bearer_token(
    agent_client, upload_gif
):
    upload_gif(title="Thank you", status=Gif.Status.APPROVED)

    created = agent_client.post(
        reverse("library:token_create"), {"name": "Slack macro"}, follow=True
    )
    key = created.context["new_token"]
    again = agent_client.get(reverse("library:preferences"))

    assert key.startswith("gs_") and key in created.content.decode()
    assert key not in again.content.decode()
    assert "Slack macro" in again.content.decode()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert search(Client(), "thank", **bearer) == ["Thank you"]


@pytest.mark.django_db
def test_only_a_hash_of_the_token_is_kept(agent_client):
    created = agent_client.post(
        reverse("library:token_create"), {"name": "Bot"}, follow=True
    )
    key = created.context["new_token"]

    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.hint, token.name)
    assert token.key_hash == ApiToken.hash(key)


@pytest.mark.django_db
def test_a_revoked_token_stops_working(agent_client, agent):
    token, key = ApiToken.issue(agent, "Old bot")

    agent_client.post(reverse("library:token_revoke", args=[token.pk]))

    response = Client().get("/api/gifs/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert "Bearer" in response["WWW-Authenticate"]


@pytest.mark.django_db
def test_a_revoked_token_is_told_it_was_revoked_and_when(agent_client, agent):
    token, key = ApiToken.issue(agent, "Old bot")
    agent_client.post(reverse("library:token_revoke", args=[token.pk]))
    token.refresh_from_db()

    response = Client().get("/api/gifs/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401
    revoked_at = token.revoked_at.astimezone(UTC)
    assert response.json()["code"] == "token_revoked"
    assert response.json()["error"] == (
        f"That API token was revoked on {revoked_at:%Y-%m-%d %H:%M} (UTC): make a "
        "new one on the preferences page."
    )


@pytest.mark.django_db
def test_a_token_revoked_after_it_expired_says_it_was_revoked(agent):
    token, key = ApiToken.issue(agent, "Old script", ApiToken.Lifetime.MONTH)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        revoked_at=datetime(2026, 4, 2, 14, 5, tzinfo=UTC),
    )

    response = Client().get("/api/gifs/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401
    assert response.json()["error"] == (
        "That API token was revoked on 2026-04-02 14:05 (UTC): make a new one on "
        "the preferences page."
    )


@pytest.mark.django_db
def test_revoking_asks_first_and_says_what_stops(agent_client, agent):
    token, key = ApiToken.issue(agent, "Zendesk macro")
    url = reverse("library:token_revoke", args=[token.pk])

    listed = agent_client.get(reverse("library:preferences")).content.decode()
    asked = agent_client.get(url)

    assert f'href="{url}"' in listed
    assert asked.status_code == 200
    assert "Revoke “Zendesk macro”?" in asked.content.decode()
    assert "stops working at once" in asked.content.decode()
    # Only asking: the token still works.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/gifs/", **bearer).status_code == 200

    agent_client.post(url)

    assert Client().get("/api/gifs/", **bearer).status_code == 401
    assert agent_client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lifetime", "days"), [("30", 30), ("365", 365), ("", 90), ("0", None)]
)
def test_a_new_token_works_for_the_time_chosen(agent_client, lifetime, days):
    agent_client.post(
        reverse("library:token_create"), {"name": "Bot", "lifetime": lifetime}
    )

    token = ApiToken.objects.get()
    if days is None:
        assert token.expires_at is None
    else:
        left = token.expires_at - timezone.now()
        assert timedelta(days=days, minutes=-1) < left <= timedelta(days=days)


@pytest.mark.django_db
def test_an_expired_token_stops_working_and_says_when_it_expired(agent):
    token, key = ApiToken.issue(agent, "Old script", ApiToken.Lifetime.MONTH)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/gifs/", **bearer).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.make_aware(timezone.datetime(2026, 3, 1, 9, 30))
    )
    response = Client().get("/api/gifs/", **bearer)

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response.json()["error"] == (
        "That API token expired on 2026-03-01 09:30 (UTC): make a new one on the "
        "preferences page."
    )


@pytest.mark.django_db
def test_the_preferences_page_shows_when_each_token_stops_working(agent_client, agent):
    ApiToken.issue(agent, "Forever bot")
    ApiToken.issue(agent, "Quarterly bot", ApiToken.Lifetime.QUARTER)
    expired, _ = ApiToken.issue(agent, "Old bot", ApiToken.Lifetime.MONTH)
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    html = agent_client.get(reverse("library:preferences")).content.decode()

    assert "until revoked" in row_of(html, "Forever bot")
    quarter = timezone.now() + timedelta(days=90)
    assert f"{timezone.localtime(quarter):%-d %b %Y}" in row_of(html, "Quarterly bot")
    assert "Expired " in row_of(html, "Old bot")
    assert ">Remove<" in row_of(html, "Old bot")


@pytest.mark.django_db
def test_the_bearer_scheme_is_read_in_any_case(agent):
    _, key = ApiToken.issue(agent, "Shell script")

    response = Client().get("/api/gifs/", HTTP_AUTHORIZATION=f"bearer {key}")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Token {key}", "{key}", "Basic {key}"])
def test_a_token_sent_under_another_scheme_is_told_to_use_bearer(agent, header):
    _, key = ApiToken.issue(agent, "Shell script")

    response = Client().get("/api/gifs/", HTTP_AUTHORIZATION=header.format(key=key))

    assert response.status_code == 401
    assert response.json()["code"] == "wrong_scheme"
    assert "Authorization: Bearer <token>" in response.json()["error"]
    assert key not in response.json()["error"]


@pytest.mark.django_db
def test_a_browser_session_keeps_working_behind_a_proxys_basic_login(agent_client):
    response = agent_client.get("/api/gifs/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_mistyped_token_is_told_what_may_be_wrong(agent):
    ApiToken.issue(agent, "Bot")

    response = Client().get("/api/gifs/", HTTP_AUTHORIZATION="Bearer gs_typo")

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert response.json()["error"] == (
        "That API token is not valid: check that it was copied whole, or make a "
        "new one on the preferences page."
    )


@pytest.mark.django_db
def test_nobody_revokes_someone_elses_token(curator_client, agent):
    token, key = ApiToken.issue(agent, "Alice's bot")

    response = curator_client.post(reverse("library:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    still = Client().get("/api/gifs/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert still.status_code == 200


@pytest.mark.django_db
def test_an_alias_makes_a_tag_findable_by_another_word(curator_client, upload_gif):
    thanks = MoodTag.objects.get(name="Thank you")
    upload_gif(title="Bowing cat", mood=[thanks], status=Gif.Status.APPROVED)

    response = curator_client.post(
        reverse("library:aliases"), {"name": "спасибо", "target": "thank YOU"}
    )

    assert response.status_code == 302
    assert TagAlias.objects.get().target == "Thank you"
    assert search(curator_client, "СПАСИБО") == ["Bowing cat"]


@pytest.mark.django_db
def test_removing_an_alias_makes_its_word_find_nothing(curator_client, upload_gif):
    thanks = MoodTag.objects.get(name="Thank you")
    upload_gif(title="Bowing cat", mood=[thanks], status=Gif.Status.APPROVED)
    alias = TagAlias.objects.create(name="merci", target="Thank you")
    assert search(curator_client, "merci") == ["Bowing cat"]

    curator_client.post(reverse("library:alias_delete", args=[alias.pk]))

    assert search(curator_client, "merci") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "target", "error"),
    [
        ("thanks", "No such tag", "There is no tag called “No such tag”"),
        ("Thank you", "thank you", "An alias needs a different word."),
        # Search leaves out the words of where a GIF is unsuitable.
        ("cheeky", "Playful", "An alias stands for a mood or a situation."),
    ],
)
def test_an_alias_must_stand_for_a_real_tag_in_other_words(
    curator_client, name, target, error
):
    response = curator_client.post(
        reverse("library:aliases"), {"name": name, "target": target}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not TagAlias.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["🙂", "!!!", "👍 🙏"])
def test_an_alias_with_no_letter_or_digit_is_refused(curator_client, name):
    response = curator_client.post(
        reverse("library:aliases"), {"name": name, "target": "Happy"}
    )

    assert response.status_code == 200
    assert (
        f"“{name}” has no letter or digit, and search needs one: nobody could "
        "search for it. Give a word."
    ) in response.content.decode()
    assert "now finds" not in response.content.decode()
    assert not TagAlias.objects.exists()


@pytest.mark.django_db
def test_an_alias_with_a_digit_is_kept(curator_client):
    response = curator_client.post(
        reverse("library:aliases"), {"name": "👍 2", "target": "Happy"}
    )

    assert response.status_code == 302
    assert TagAlias.objects.get().name == "👍 2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "vocabulary", "tag"),
    [("happy", "mood", "Happy"), ("PLAYFUL", "appropriateness tag", "Playful")],
)
def test_an_alias_named_like_another_tag_is_refused(
    curator_client, upload_gif, name, vocabulary, tag
):
    patience = SituationTag.objects.get(name="Thanks for your patience")
    upload_gif(title="Bowing cat", situation=[patience], status=Gif.Status.APPROVED)

    response = curator_client.post(
        reverse("library:aliases"),
        {"name": name, "target": "Thanks for your patience"},
    )

    assert response.status_code == 200
    assert (
        f"“{name}” is already the name of a tag ({vocabulary}: “{tag}”). An alias "
        "needs a word that is no tag's name."
    ) in unescape(response.content.decode())
    assert not TagAlias.objects.exists()
    assert search(curator_client, name) == []


@pytest.mark.django_db
def test_the_same_alias_twice_is_refused(curator_client):
    TagAlias.objects.create(name="thanks", target="Thank you")

    response = curator_client.post(
        reverse("library:aliases"), {"name": "THANKS", "target": "Thank you"}
    )

    assert "already stands for" in response.content.decode()
    assert TagAlias.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "page", "post"),
    [
        ("anonymous", 302, 302),
        ("agent", 403, 403),
        ("curator", 200, 302),
        ("lead", 200, 302),
    ],
)
def test_curators_and_leads_manage_aliases(client_for, role, page, post):
    client = client_for(role)

    assert client.get(reverse("library:aliases")).status_code == page
    response = client.post(
        reverse("library:aliases"), {"name": "ty", "target": "Thank you"}
    )
    assert response.status_code == post
    assert TagAlias.objects.exists() is (post == 302 and role != "anonymous")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "issued"),
    [("anonymous", 302, False), ("agent", 302, True), ("lead", 302, True)],
)
def test_every_member_may_create_a_token_for_themselves(
    client_for, role, status, issued
):
    response = client_for(role).post(reverse("library:token_create"), {"name": "Bot"})

    assert response.status_code == status
    assert ApiToken.objects.exists() is issued


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "target", "kept"),
    [
        ("🙂", "Happy", False),
        ("happy", "Thanks for your patience", False),
        ("smiley", "No such tag", False),
        ("smiley", "happy", True),
    ],
)
def test_the_admin_keeps_the_aliases_pages_rules(lead_client, name, target, kept):
    response = lead_client.post(
        reverse("admin:library_tagalias_add"), {"name": name, "target": target}
    )

    assert response.status_code == (302 if kept else 200)
    assert TagAlias.objects.filter(name=name).exists() is kept
    if kept:
        assert TagAlias.objects.get().target == "Happy"


@pytest.mark.django_db
def test_an_alias_saved_unchanged_in_the_admin_is_not_its_own_duplicate(lead_client):
    alias = TagAlias.objects.create(name="smiley", target="Happy")

    response = lead_client.post(
        reverse("admin:library_tagalias_change", args=[alias.pk]),
        {"name": "Smiley", "target": "Happy"},
    )

    assert response.status_code == 302
    assert TagAlias.objects.get().name == "Smiley"
