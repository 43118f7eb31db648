import hashlib
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from library.models import ApiToken, AppropriatenessTag, Gif, MoodTag
from library.openapi import ERROR_CODES
from tests import images

CONTRACT_FIELDS = {
    "id",
    "title",
    "alt_text",
    "use_when",
    "avoid_when",
    "use_when_ru",
    "avoid_when_ru",
    "status",
    "format",
    "width",
    "height",
    "frames",
    "duration_ms",
    "loops",
    "bytes",
    "sha256",
    "mood",
    "situation",
    "appropriateness",
    "url",
    "still_url",
    "preview_url",
}
GIFS_URL = "/api/gifs/"


def gif_url(gif_or_pk):
    return f"/api/gifs/{getattr(gif_or_pk, 'pk', gif_or_pk)}/"


def post_gif(client, data=None, name="reaction.gif", headers=None, **fields):
    data = images.gif_bytes() if data is None else data
    return client.post(
        GIFS_URL, {"file": images.named(data, name), **fields}, headers=headers
    )


def patch(client, gif, changes, **extra):
    return client.patch(
        gif_url(gif), json.dumps(changes), content_type="application/json", **extra
    )


def error_of(response):
    """The error sentence of a JSON error response, checking its shape: a
    sentence, and beside it one of the documented codes."""
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["code"] in ERROR_CODES
    return body["error"]


def code_of(response):
    """The machine code of a JSON error response, beside its sentence."""
    error_of(response)
    return response.json().get("code")


def files_in(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file())


def tag_names(gif, vocabulary):
    return sorted(tag.name for tag in getattr(gif, vocabulary).all())


# Uploading


@pytest.mark.django_db
def test_posting_a_gif_returns_201_with_the_whole_contract(curator_client):
    data = images.gif_bytes(count=4, size=(64, 48), duration=80, loop=0)

    response = post_gif(
        curator_client,
        data,
        title="Thanks a lot",
        alt_text="A cat bows.",
        mood="Thank you, Happy",
        situation="Thanks for your patience",
    )

    assert response.status_code == 201
    body = response.json()
    gif = Gif.objects.get()
    assert body.keys() >= CONTRACT_FIELDS
    assert body["id"] == gif.pk
    assert response["Location"] == gif_url(gif)
    assert body["title"] == "Thanks a lot"
    assert body["alt_text"] == "A cat bows."
    assert body["status"] == "pending"
    assert body["format"] == "gif"
    assert (body["width"], body["height"]) == (64, 48)
    assert body["frames"] == 4
    assert body["duration_ms"] == 320
    assert body["loops"] == 0  # plays forever
    assert body["bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["mood"] == ["Happy", "Thank you"]
    assert body["situation"] == ["Thanks for your patience"]
    assert body["appropriateness"] == []
    # Nothing is public until a curator approves it.
    assert body["url"] is None
    assert body["still_url"] is None
    assert body["preview_url"] is None


@pytest.mark.django_db
def test_a_posted_gif_is_pending_and_owned_by_the_uploader(curator_client, curator):
    post_gif(curator_client, name="slow_clap.gif")

    gif = Gif.objects.get()
    assert gif.status == Gif.Status.PENDING
    assert gif.uploaded_by == curator
    assert gif.title == "Slow clap"


@pytest.mark.django_db
def test_tag_names_with_spaces_survive_the_comma_separated_list(curator_client):
    response = post_gif(
        curator_client,
        mood=" thank you ,On it",
        situation="Working on it, Please hold",
    )

    assert response.status_code == 201
    gif = Gif.objects.get()
    assert tag_names(gif, "mood") == ["On it", "Thank you"]
    assert tag_names(gif, "situation") == ["Please hold", "Working on it"]


@pytest.mark.django_db
def test_posting_an_unknown_tag_is_refused_naming_it(curator_client, media_root):
    response = post_gif(curator_client, mood="Happy, Sleepy")

    assert response.status_code == 400
    message = error_of(response)
    assert "Sleepy" in message
    vocabulary = ", ".join(MoodTag.objects.values_list("name", flat=True))
    assert f"Choose from: {vocabulary}." in message
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_the_format_is_decided_by_the_bytes_not_the_name(curator_client):
    response = post_gif(curator_client, images.png_bytes(size=(40, 30)), "still.gif")

    body = response.json()
    assert response.status_code == 201
    assert body["format"] == "png"
    assert (body["width"], body["height"], body["frames"]) == (40, 30, 1)
    assert body["duration_ms"] == 0


@pytest.mark.django_db
def test_posting_a_file_that_is_not_an_image_is_refused(curator_client, media_root):
    response = post_gif(curator_client, b"just words\n", name="notes.txt")

    assert response.status_code == 400
    assert "not an image the shelf accepts" in error_of(response)
    assert code_of(response) == "image_refused"
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_posting_an_empty_file_is_refused(curator_client, media_root):
    response = post_gif(curator_client, b"", name="empty.gif")

    assert response.status_code == 400
    assert "empty" in error_of(response)
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_posting_a_duplicate_names_the_gif_already_on_the_shelf(
    curator_client, upload_gif
):
    data = images.gif_bytes(seed=5)
    existing = upload_gif(data=data, title="Slow clap")

    response = post_gif(curator_client, data, name="copy.gif")

    assert response.status_code == 400
    assert error_of(response) == (
        f"This exact file is already on the shelf as GIF #{existing.pk} "
        "(“Slow clap”, pending review): use that one, or upload a different file."
    )
    assert code_of(response) == "duplicate"
    assert response.json()["duplicate_of"] == existing.pk
    assert Gif.objects.count() == 1


@pytest.mark.django_db
def test_posting_a_rejected_file_again_says_how_to_reopen_it(
    curator_client, upload_gif
):
    data = images.gif_bytes(seed=6)
    existing = upload_gif(data=data, title="Eye roll", status=Gif.Status.REJECTED)

    response = post_gif(curator_client, data, name="again.gif")

    assert response.status_code == 400
    assert code_of(response) == "duplicate"
    assert response.json()["duplicate_of"] == existing.pk
    assert f"POST a reason to /api/gifs/{existing.pk}/reopen/" in error_of(response)
    assert "upload a different file" in error_of(response)


@pytest.mark.django_db
def test_a_duplicate_is_refused_in_russian_with_its_next_step(
    curator_client, upload_gif
):
    data = images.gif_bytes(seed=7)
    existing = upload_gif(data=data, title="Slow clap")

    response = curator_client.post(
        GIFS_URL,
        {"file": images.named(data, "copy.gif")},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert code_of(response) == "duplicate"
    assert f"гифка №{existing.pk}" in error_of(response)
    assert "загрузите другой файл" in error_of(response)


@pytest.mark.django_db
def test_posting_a_too_large_file_gets_413(curator, media_root, settings):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 1_000
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    client.get(reverse("library:upload"))  # any form page sets the CSRF cookie

    response = post_gif(
        client,
        images.gif_bytes(count=30),
        name="huge.gif",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 413
    assert "“huge.gif” is larger than 1 KB" in error_of(response)
    assert code_of(response) == "too_large"
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_posting_a_too_large_file_gets_413_whoever_parsed_the_body(
    curator_client, settings
):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 1_000

    response = post_gif(curator_client, images.gif_bytes(count=30), name="huge.gif")

    assert response.status_code == 413
    assert "“huge.gif” is larger than 1 KB" in error_of(response)


@pytest.mark.django_db
def test_a_request_declaring_too_large_a_body_gets_a_json_413(curator_client, settings):
    response = curator_client.generic(
        "POST",
        GIFS_URL,
        CONTENT_LENGTH=str(settings.GIFSHELF_MAX_REQUEST_BYTES + 1),
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
    )

    assert response.status_code == 413
    assert "too large" in error_of(response)
    assert code_of(response) == "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_a_json_body_over_the_limit_gets_a_json_413(
    curator, pending_gif, settings, debug
):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    _, key = ApiToken.issue(curator, "Bulk editor")
    client = Client(raise_request_exception=False)

    response = patch(
        client,
        pending_gif,
        {"title": "Long", "use_when": "x" * 2_000},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 413
    assert code_of(response) == "too_large"
    assert "larger than 1 KB" in error_of(response)
    pending_gif.refresh_from_db()
    assert pending_gif.title == "Pending wave"


@pytest.mark.django_db
def test_a_session_form_over_the_limit_gets_a_json_413_before_its_csrf_check(
    csrf_client, pending_gif, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = csrf_client.post(
        f"/api/gifs/{pending_gif.pk}/reject/",
        {"reason": "x" * 2_000},
        headers=csrf_header(csrf_client),
    )

    assert response.status_code == 413
    assert code_of(response) == "too_large"
    pending_gif.refresh_from_db()
    assert pending_gif.status == Gif.Status.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "files",
    [
        pytest.param({}, id="none"),
        pytest.param(
            {
                "file": [
                    images.named(images.gif_bytes(seed=1), "a.gif"),
                    images.named(images.gif_bytes(seed=2), "b.gif"),
                ]
            },
            id="two",
        ),
    ],
)
def test_posting_other_than_one_file_is_refused(curator_client, files):
    response = curator_client.post(GIFS_URL, {"title": "Hi", **files})

    assert response.status_code == 400
    assert "exactly one image" in error_of(response)
    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_an_agent_cannot_post_a_gif(agent_client):
    response = post_gif(agent_client)

    assert response.status_code == 403
    assert code_of(response) == "forbidden"
    assert not Gif.objects.exists()


# Reading


@pytest.mark.django_db
def test_getting_an_approved_gif_gives_absolute_public_urls(agent_client, approved_gif):
    response = agent_client.get(gif_url(approved_gif))

    assert response.status_code == 200
    body = response.json()
    assert body.keys() >= CONTRACT_FIELDS
    assert body["status"] == "approved"
    public_id = approved_gif.public_id.hex
    assert re.fullmatch(r"http://testserver/g/[0-9a-f]{32}\.gif", body["url"])
    assert body["url"] == f"http://testserver/g/{public_id}.gif"
    assert body["still_url"] == f"http://testserver/g/{public_id}.still.png"
    assert body["preview_url"] == f"http://testserver/g/{public_id}.preview.webp"


@pytest.mark.django_db
def test_the_public_url_serves_the_original_to_anyone(client, upload_gif):
    data = images.gif_bytes(seed=9)
    gif = upload_gif(data=data, status=Gif.Status.APPROVED)
    client.force_login(gif.uploaded_by)
    url = client.get(gif_url(gif)).json()["url"]
    client.logout()

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data


@pytest.mark.django_db
def test_getting_a_pending_gif_shows_its_facts_but_no_urls(curator_client, pending_gif):
    body = curator_client.get(gif_url(pending_gif)).json()

    assert body["id"] == pending_gif.pk
    assert body["title"] == "Pending wave"
    assert body["status"] == "pending"
    assert body["sha256"] == pending_gif.sha256
    assert (body["url"], body["still_url"], body["preview_url"]) == (None, None, None)


@pytest.mark.django_db
def test_an_agent_asking_for_a_pending_gif_gets_a_json_404(agent_client, pending_gif):
    # Agents see only the shared shelf: a pending GIF is not there for them.
    response = agent_client.get(gif_url(pending_gif))

    assert response.status_code == 404
    assert code_of(response) == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_a_gif_that_does_not_exist_gives_a_json_404(curator_client, method):
    response = curator_client.generic(
        method, gif_url(999_999), "{}", content_type="application/json"
    )

    assert response.status_code == 404
    assert code_of(response) == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/gifs/abc/"),
        ("POST", "/api/gifs/abc/approve"),
        ("GET", "/api/nothing/here/"),
        ("PATCH", "/api/gif/1/"),
    ],
)
def test_an_address_the_api_does_not_have_gets_a_json_404(
    curator_client, settings, debug, method, url
):
    settings.DEBUG = debug

    response = curator_client.generic(method, url, "{}", "application/json")

    assert response.status_code == 404
    assert code_of(response) == "not_found"
    assert url in error_of(response)
    assert "/api/openapi.json" in error_of(response)


@pytest.mark.django_db
def test_an_unknown_api_address_is_json_for_anyone_in_russian_too(anonymous_client):
    response = anonymous_client.get("/api/gifs/abc/", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 404
    assert code_of(response) == "not_found"
    assert "ничего нет" in error_of(response)


# Editing


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["curator", "lead"])
def test_curators_and_leads_edit_words_and_tags(client_for, pending_gif, role):
    changes = {
        "title": "Big thanks",
        "alt_text": "A dog wags its tail.",
        "use_when": "a customer sent a kind note",
        "avoid_when": "the case is still open",
        "mood": ["Grateful", "Thank you"],
        "situation": "Problem solved, Goodbye",
    }

    response = patch(client_for(role), pending_gif, changes)

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Big thanks"
    assert body["mood"] == ["Grateful", "Thank you"]
    assert body["situation"] == ["Goodbye", "Problem solved"]
    pending_gif.refresh_from_db()
    assert pending_gif.title == "Big thanks"
    assert pending_gif.alt_text == "A dog wags its tail."
    assert pending_gif.use_when == "a customer sent a kind note"
    assert pending_gif.avoid_when == "the case is still open"
    assert tag_names(pending_gif, "mood") == ["Grateful", "Thank you"]


@pytest.mark.django_db
def test_an_edit_keeps_what_it_does_not_mention(client_for, upload_gif):
    gif = upload_gif(title="Wave", alt_text="A wave.")
    set_by_lead = {"mood": ["Happy"], "appropriateness": ["Playful"]}
    assert patch(client_for("lead"), gif, set_by_lead).status_code == 200

    response = patch(client_for("curator"), gif, {"title": "Big wave"})

    assert response.status_code == 200
    gif.refresh_from_db()
    assert (gif.title, gif.alt_text) == ("Big wave", "A wave.")
    assert tag_names(gif, "mood") == ["Happy"]
    assert tag_names(gif, "appropriateness") == ["Playful"]


@pytest.mark.django_db
def test_a_lead_sets_appropriateness(lead_client, pending_gif):
    response = patch(
        lead_client, pending_gif, {"appropriateness": "Money question, First contact"}
    )

    assert response.status_code == 200
    assert response.json()["appropriateness"] == ["First contact", "Money question"]
    assert tag_names(pending_gif, "appropriateness") == [
        "First contact",
        "Money question",
    ]


@pytest.mark.django_db
def test_a_curator_cannot_set_appropriateness_and_nothing_changes(
    curator_client, pending_gif
):
    response = patch(
        curator_client,
        pending_gif,
        {"title": "Sneaky", "appropriateness": ["Playful"]},
    )

    assert response.status_code == 403
    assert "team leads" in error_of(response)
    pending_gif.refresh_from_db()
    assert pending_gif.title == "Pending wave"
    assert tag_names(pending_gif, "appropriateness") == []


@pytest.mark.django_db
def test_an_agent_cannot_edit(agent_client, approved_gif):
    response = patch(agent_client, approved_gif, {"title": "Mine now"})

    assert response.status_code == 403
    assert error_of(response)
    approved_gif.refresh_from_db()
    assert approved_gif.title == "Approved thanks"


@pytest.mark.django_db
def test_unknown_fields_are_refused_and_nothing_changes(curator_client, pending_gif):
    response = patch(
        curator_client, pending_gif, {"title": "Approved!", "status": "approved"}
    )

    assert response.status_code == 400
    assert "status" in error_of(response)
    pending_gif.refresh_from_db()
    assert pending_gif.status == Gif.Status.PENDING
    assert pending_gif.title == "Pending wave"


@pytest.mark.django_db
def test_an_unknown_tag_is_refused_naming_it(curator_client, pending_gif):
    response = patch(curator_client, pending_gif, {"mood": ["Happy", "Smug"]})

    assert response.status_code == 400
    assert "Smug" in error_of(response)
    assert tag_names(pending_gif, "mood") == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", [5, True], ids=repr)
def test_a_tag_field_that_is_not_names_is_refused_in_json(
    curator_client, pending_gif, value
):
    response = patch(curator_client, pending_gif, {"mood": value})

    assert response.status_code == 400
    assert "mood" in error_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["mood", "appropriateness"])
@pytest.mark.parametrize("value", [None, [None], ["Happy", 5]], ids=repr)
def test_a_tag_field_of_null_is_refused_and_keeps_the_tags(
    lead_client, upload_gif, field, value
):
    gif = upload_gif(
        title="Tagged wave",
        status=Gif.Status.APPROVED,
        mood=[MoodTag.objects.get(name="Happy")],
        appropriateness=[AppropriatenessTag.objects.get(name="Playful")],
    )

    response = patch(lead_client, gif, {field: value})

    assert response.status_code == 400
    assert error_of(response) == (
        f"Give {field} as a list of tag names or as comma-separated text; "
        "an empty list clears them."
    )
    assert tag_names(gif, "mood") == ["Happy"]
    assert tag_names(gif, "appropriateness") == ["Playful"]


@pytest.mark.django_db
def test_an_empty_list_clears_a_tag_field(lead_client, upload_gif):
    gif = upload_gif(
        title="Tagged wave",
        status=Gif.Status.APPROVED,
        mood=[MoodTag.objects.get(name="Happy")],
        appropriateness=[AppropriatenessTag.objects.get(name="Playful")],
    )

    response = patch(lead_client, gif, {"appropriateness": []})

    assert response.status_code == 200
    assert response.json()["appropriateness"] == []
    assert tag_names(gif, "appropriateness") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe", b'["title"]', b'"Hello"'], ids=repr
)
def test_a_body_that_is_not_a_json_object_is_refused(curator_client, pending_gif, body):
    response = curator_client.patch(
        gif_url(pending_gif), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON object" in error_of(response)


@pytest.mark.django_db
def test_an_empty_title_is_refused(curator_client, pending_gif):
    response = patch(curator_client, pending_gif, {"title": ""})

    assert response.status_code == 400
    assert error_of(response).startswith("title: ")
    assert code_of(response) == "invalid"
    pending_gif.refresh_from_db()
    assert pending_gif.title == "Pending wave"


# Trailing slashes


@pytest.mark.django_db
def test_an_upload_posted_without_the_trailing_slash_is_kept(curator_client):
    response = curator_client.post(
        "/api/gifs", {"file": images.named(images.gif_bytes(), "wave.gif")}
    )

    assert response.status_code == 201
    assert response["Location"] == gif_url(Gif.objects.get())


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_an_edit_sent_without_the_trailing_slash_is_applied(
    curator_client, pending_gif, settings, debug
):
    settings.DEBUG = debug

    response = curator_client.patch(
        f"/api/gifs/{pending_gif.pk}",
        json.dumps({"title": "No slash"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    pending_gif.refresh_from_db()
    assert pending_gif.title == "No slash"


def test_api_addresses_are_still_reversed_with_their_trailing_slash():
    assert reverse("library:api_gifs") == GIFS_URL
    assert reverse("library:api_approve", args=[7]) == "/api/gifs/7/approve/"


# Methods and logging in


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("put", GIFS_URL, "GET, HEAD, POST"),
        ("delete", GIFS_URL, "GET, HEAD, POST"),
        ("delete", "/api/gifs/1/", "GET, HEAD, PATCH"),
        ("put", "/api/gifs/1/", "GET, HEAD, PATCH"),
        ("post", "/api/gifs/1/", "GET, HEAD, PATCH"),
    ],
)
def test_wrong_methods_get_a_json_405(curator_client, method, url, allowed):
    response = getattr(curator_client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert code_of(response) == "method_not_allowed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [("post", GIFS_URL), ("get", "/api/gifs/1/"), ("patch", "/api/gifs/1/")],
)
def test_anonymous_requests_get_a_json_401(anonymous_client, method, url):
    response = getattr(anonymous_client, method)(url)

    assert response.status_code == 401
    assert "Log in" in error_of(response)
    assert code_of(response) == "unauthorized"


# CSRF


@pytest.fixture
def csrf_client(curator):
    """A curator's browser session with Django's CSRF checks switched on."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    client.get(reverse("library:upload"))  # any form page sets the CSRF cookie
    return client


def csrf_header(client):
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


@pytest.mark.django_db
def test_a_session_post_without_the_csrf_token_gets_a_json_403(csrf_client, media_root):
    response = post_gif(csrf_client)

    assert response.status_code == 403
    assert "X-CSRFToken" in error_of(response)
    assert code_of(response) == "csrf_failed"
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_a_session_post_with_the_csrf_header_works(csrf_client):
    response = post_gif(csrf_client, headers=csrf_header(csrf_client))

    assert response.status_code == 201
    assert Gif.objects.count() == 1


@pytest.mark.django_db
def test_a_session_patch_without_the_csrf_token_gets_a_json_403(
    csrf_client, pending_gif
):
    response = patch(csrf_client, pending_gif, {"title": "Forged"})

    assert response.status_code == 403
    assert "CSRF" in error_of(response)
    pending_gif.refresh_from_db()
    assert pending_gif.title == "Pending wave"


@pytest.mark.django_db
def test_a_session_patch_with_the_csrf_header_works(csrf_client, pending_gif):
    response = patch(
        csrf_client, pending_gif, {"title": "Fine"}, headers=csrf_header(csrf_client)
    )

    assert response.status_code == 200
    pending_gif.refresh_from_db()
    assert pending_gif.title == "Fine"


@pytest.mark.django_db
def test_the_poster_url_is_the_still_a_card_shows(agent_client, upload_gif):
    blank = images.solid((255, 255, 255), (120, 90))
    cartoon = images.scene_frames(6, size=(120, 90), seed=3)
    upload_gif(
        data=images.encode([blank, *cartoon[1:]], "GIF", duration=80),
        title="Fades in",
        status=Gif.Status.APPROVED,
    )
    upload_gif(
        data=images.encode(cartoon, "GIF", duration=80),
        title="Plain",
        status=Gif.Status.APPROVED,
    )

    results = agent_client.get(reverse("library:api_gifs")).json()["results"]

    by_title = {result["title"]: result for result in results}
    fades_in, plain = by_title["Fades in"], by_title["Plain"]
    assert fades_in["poster_url"] == fades_in["url"].replace(".gif", ".frame1.png")
    assert plain["poster_url"] == plain["still_url"]
    assert agent_client.get(fades_in["poster_url"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["🙂", "!!!", " 🙂 ?! "])
def test_searching_for_only_emoji_or_punctuation_is_a_400_that_says_what_to_type(
    agent_client, approved_gif, typed
):
    response = agent_client.get(GIFS_URL, {"q": typed})

    assert response.status_code == 400
    assert error_of(response) == (
        "q needs letters or numbers: type a word, such as a mood or a situation "
        "(“thanks”, “sorry”), or leave q out for the whole shelf."
    )

    russian = agent_client.get(GIFS_URL, {"q": typed}, HTTP_ACCEPT_LANGUAGE="ru")
    assert error_of(russian).startswith("В q нужны буквы или цифры")


@pytest.mark.django_db
def test_a_word_among_punctuation_and_an_empty_q_still_search(
    agent_client, approved_gif
):
    assert agent_client.get(GIFS_URL, {"q": "!!🙂"}).status_code == 400
    assert agent_client.get(GIFS_URL, {"q": "!!hello!!"}).status_code == 200
    assert agent_client.get(GIFS_URL, {"q": ""}).json()["count"] == 1


# Searching: what the documented parameters mean


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("mood=Happy&mood=Thank+you", "mood"),
        ("situation=Apology&situation=Waiting", "situation"),
        ("context=upset&context=outage", "context"),
    ],
)
def test_a_choice_given_twice_is_refused_naming_it(agent_client, query, name):
    response = agent_client.get(f"{GIFS_URL}?{query}")

    assert response.status_code == 400
    assert code_of(response) == "invalid"
    assert error_of(response).startswith(f"{name} is given more than once")


@pytest.mark.django_db
def test_the_same_mood_sent_twice_is_one_mood(agent_client, upload_gif):
    thanks = MoodTag.objects.get(name="Thank you")
    bow = upload_gif(title="Bow", mood=[thanks], status=Gif.Status.APPROVED)

    response = agent_client.get(f"{GIFS_URL}?mood=Thank+you&mood=thank+YOU")

    assert [gif["id"] for gif in response.json()["results"]] == [bow.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "most"),
    [
        ("title", 120),
        ("alt_text", 500),
        ("alt_text_ru", 500),
        ("use_when", 1000),
        ("avoid_when_ru", 1000),
    ],
)
def test_an_edit_past_a_documented_length_is_refused_naming_the_field(
    curator_client, pending_gif, field, most
):
    at_most = patch(curator_client, pending_gif, {field: "a" * most})
    over = patch(curator_client, pending_gif, {field: "b" * (most + 1)})

    assert at_most.status_code == 200
    assert over.status_code == 400
    assert code_of(over) == "invalid"
    assert error_of(over).startswith(f"{field}: ")
    pending_gif.refresh_from_db()
    assert getattr(pending_gif, field) == "a" * most
