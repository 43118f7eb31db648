import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from library.models import Gif, MoodTag, Preferences
from tests import images
from tests.test_languages import english_left, in_russian

SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
RESULT = re.compile(r'<li class="result (accepted|refused)">(.*?)</li>', re.S)


def upload(client, *files, follow=True, **fields):
    """Post files (name, bytes) to the upload page as the browser's form does,
    and, as the browser does, go on to the page the answer sends it to."""
    chosen = [images.named(data, name) for name, data in files]
    if token := client.cookies.get("csrftoken"):
        fields["csrfmiddlewaretoken"] = token.value
    return client.post(
        reverse("library:upload"), {"files": chosen, **fields}, follow=follow
    )


def reported_on_a_page_of_its_own(response):
    """Whether the upload's answer sent the browser to its report (fetched
    with GET, so that reloading it sends nothing again)."""
    statuses = [status for _, status in response.redirect_chain]
    return statuses == [303] and response.status_code == 200


def results(response):
    """The upload report, one line per file name, as the curator reads it."""
    report = {}
    for outcome, html in RESULT.findall(response.content.decode()):
        name, _, message = unescape(re.sub(r"<[^>]+>", "", html)).partition(": ")
        links = re.findall(r'href="([^"]+)"', html)
        report[name] = {"outcome": outcome, "message": message, "links": links}
    return report


def page_html(response):
    """The page as sent, entities decoded and whitespace collapsed."""
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


class FormValues(HTMLParser):
    """The values the upload form shows: text typed, boxes ticked."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input" or "name" not in attrs:
            return
        kind = attrs.get("type", "text")
        if kind == "checkbox":
            if "checked" in attrs:
                self.values.setdefault(attrs["name"], []).append(attrs["value"])
        elif kind in ("text", "file"):
            self.values[attrs["name"]] = attrs.get("value", "")


def form_values(response):
    parser = FormValues()
    parser.feed(response.content.decode())
    return parser.values


def files_in(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def browser(curator):
    """A curator's browser: CSRF checks on, the form's token sent back."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    client.get(reverse("library:upload"))
    return client


@pytest.mark.django_db
def test_the_upload_page_offers_the_form_to_a_curator(curator_client):
    response = curator_client.get(reverse("library:upload"))

    assert response.status_code == 200
    assert 'name="files"' in response.content.decode()
    # Screen readers name the file chooser by its label.
    assert '<label for="id_files">' in response.content.decode()
    assert "Thank you" in page_html(response)  # the mood vocabulary is offered


@pytest.mark.django_db
def test_one_uploaded_file_becomes_a_pending_gif_of_the_uploader(
    curator_client, curator
):
    response = upload(curator_client, ("happy_dance.gif", images.gif_bytes()))

    gif = Gif.objects.get()
    assert response.status_code == 200
    assert gif.status == Gif.Status.PENDING
    assert gif.uploaded_by == curator
    assert gif.title == "Happy dance"
    line = results(response)["happy_dance.gif"]
    assert line["outcome"] == "accepted"
    assert line["message"] == "added as “Happy dance”, waiting for review."
    assert line["links"] == [gif.get_absolute_url()]
    assert "1 added for review" in page_html(response)


@pytest.mark.django_db
def test_the_title_and_alt_text_given_are_used(curator_client):
    upload(
        curator_client,
        ("IMG_0042.gif", images.gif_bytes()),
        title="Slow clap",
        alt_text="A man claps slowly.",
    )

    gif = Gif.objects.get()
    assert (gif.title, gif.alt_text) == ("Slow clap", "A man claps slowly.")


@pytest.mark.django_db
def test_mood_and_situation_names_given_are_applied(curator_client):
    upload(
        curator_client,
        ("thanks.gif", images.gif_bytes()),
        mood=["Thank you", "happy"],
        situation=["Thanks for your patience"],
    )

    gif = Gif.objects.get()
    assert sorted(tag.name for tag in gif.mood.all()) == ["Happy", "Thank you"]
    assert [tag.name for tag in gif.situation.all()] == ["Thanks for your patience"]
    page = page_html(curator_client.get(gif.get_absolute_url()))
    assert ">Thank you</li>" in page
    assert ">Thanks for your patience</li>" in page


@pytest.mark.django_db
def test_an_unknown_mood_is_refused_with_the_vocabulary_listed(
    curator_client, media_root
):
    response = upload(
        curator_client, ("thanks.gif", images.gif_bytes()), mood=["Sleepy", "Happy"]
    )

    vocabulary = ", ".join(MoodTag.objects.values_list("name", flat=True))
    assert response.status_code == 400
    assert f"Not in the moods: Sleepy. Choose from: {vocabulary}." in page_html(
        response
    )
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_several_files_each_get_a_gif_or_a_reason_in_one_response(
    browser, media_root, settings
):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 5_000
    first = images.gif_bytes(seed=1)

    response = upload(
        browser,
        ("first.gif", first),
        ("notes.txt", b"Not a picture at all.\n"),
        ("second.png", images.png_bytes()),
        ("huge.gif", images.gif_bytes(count=30, size=(400, 300))),
        ("drawing.svg", SVG),
        ("first-again.gif", first),
    )

    report = results(response)
    assert response.status_code == 200
    assert "2 added for review, 4 refused" in page_html(response)
    # Refusals first, for the curator to act on; then the rest, as chosen.
    assert list(report) == [
        "huge.gif",
        "notes.txt",
        "drawing.svg",
        "first-again.gif",
        "first.gif",
        "second.png",
    ]
    assert {name: line["outcome"] for name, line in report.items()} == {
        "first.gif": "accepted",
        "second.png": "accepted",
        "notes.txt": "refused",
        "huge.gif": "refused",
        "drawing.svg": "refused",
        "first-again.gif": "refused",
    }
    assert "not an image the shelf accepts" in report["notes.txt"]["message"]
    assert "larger than 5 KB" in report["huge.gif"]["message"]
    assert "SVG drawings are not accepted" in report["drawing.svg"]["message"]
    assert report["first-again.gif"]["message"] == (
        "The same file was chosen twice in this upload: it was added once, "
        "as “First”. See that GIF."
    )
    gifs = Gif.objects.all()
    assert sorted(gif.title for gif in gifs) == ["First", "Second"]
    assert files_in(media_root) == sorted(
        media_root / name for gif in gifs for name in gif.file_names()
    )


@pytest.mark.django_db
def test_what_was_typed_comes_back_when_every_file_was_refused(
    browser, media_root, settings
):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 5_000
    settings.GIFSHELF_MAX_FRAMES = 5

    response = upload(
        browser,
        ("huge.gif", images.gif_bytes(count=30, size=(400, 300))),
        ("long.gif", images.gif_bytes(count=6)),
        title="Slow clap",
        alt_text="A man claps slowly.",
        mood=["Thank you", "happy"],
    )

    assert "0 added for review, 2 refused" in page_html(response)
    assert form_values(response) == {
        "files": "",  # no browser lets a page choose files again
        "title": "Slow clap",
        "alt_text": "A man claps slowly.",
        "mood": ["Happy", "Thank you"],
    }
    assert "To try the refused files again, choose them again" in page_html(response)
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_what_was_typed_comes_back_when_some_files_were_refused(browser):
    response = upload(
        browser,
        ("good.gif", images.gif_bytes()),
        ("notes.txt", b"Not a picture at all.\n"),
        title="Slow clap",
        situation=["Thanks for your patience"],
    )

    assert "1 added for review, 1 refused" in page_html(response)
    values = form_values(response)
    assert values["title"] == "Slow clap"
    assert values["situation"] == ["Thanks for your patience"]


@pytest.mark.django_db
def test_the_form_is_empty_again_once_every_file_was_added(browser):
    response = upload(
        browser, ("good.gif", images.gif_bytes()), title="Slow clap", mood=["Happy"]
    )

    assert "1 added for review" in page_html(response)
    assert form_values(response) == {"files": "", "title": "", "alt_text": ""}


def report_address(response):
    return response.redirect_chain[-1][0]


@pytest.mark.django_db
def test_reloading_the_report_of_an_upload_sends_nothing_again(browser, curator):
    response = upload(browser, ("m09.gif", images.gif_bytes()))
    assert reported_on_a_page_of_its_own(response)

    reloaded = browser.get(report_address(response))

    assert reloaded.status_code == 200
    assert "1 added for review" in page_html(reloaded)
    line = results(reloaded)["m09.gif"]
    assert line["outcome"] == "accepted"
    assert line["message"] == "added as “M09”, waiting for review."
    assert Gif.objects.get().uploaded_by == curator


@pytest.mark.django_db
def test_reloading_the_report_of_a_refused_upload_keeps_what_was_typed(browser):
    response = upload(
        browser, ("notes.txt", b"Not a picture.\n"), title="Slow clap", mood=["Happy"]
    )

    reloaded = browser.get(report_address(response))

    assert "0 added for review, 1 refused" in page_html(reloaded)
    assert form_values(reloaded)["title"] == "Slow clap"
    assert form_values(reloaded)["mood"] == ["Happy"]


@pytest.mark.django_db
def test_each_upload_keeps_its_own_report(browser):
    first = upload(browser, ("first.gif", images.gif_bytes(seed=1)))
    second = upload(browser, ("second.gif", images.gif_bytes(seed=2)))

    assert list(results(browser.get(report_address(first)))) == ["first.gif"]
    assert list(results(browser.get(report_address(second)))) == ["second.gif"]


@pytest.mark.django_db
def test_the_report_is_only_for_the_curator_who_uploaded(
    browser, other_curator, client
):
    response = upload(browser, ("mine.gif", images.gif_bytes()), title="Mine")
    client.force_login(other_curator)

    theirs = client.get(report_address(response))

    assert theirs.status_code == 200
    assert results(theirs) == {}
    assert form_values(theirs)["title"] == ""


REFUSALS = [
    pytest.param(
        "huge.gif",
        lambda: images.gif_bytes(count=30),
        {"GIFSHELF_MAX_UPLOAD_BYTES": 1_000},
        "The file is larger than 1 KB, the most the shelf takes.",
        id="too-large",
    ),
    pytest.param(
        "wide.gif",
        lambda: images.gif_bytes(count=1, size=(1200, 1000)),
        {"GIFSHELF_MAX_PIXELS": 1_000_000},
        "The image is 1200 × 1000 pixels (1.2 MP); the shelf takes up to 1 MP.",
        id="too-many-pixels",
    ),
    pytest.param(
        "long.gif",
        lambda: images.gif_bytes(count=6),
        {"GIFSHELF_MAX_FRAMES": 5},
        "The animation has 6 frames; the shelf takes up to 5.",
        id="too-many-frames",
    ),
    pytest.param(
        "heavy.gif",
        lambda: images.gif_bytes(count=30, size=(400, 300)),
        {"GIFSHELF_MAX_TOTAL_PIXELS": 2_000_000},
        "400 × 300 pixels in 30 frames is 3 million pixels to decode; "
        "the shelf takes up to 2 million.",
        id="too-many-total-pixels",
    ),
    pytest.param(
        "notes.txt",
        lambda: b"Remember to water the plants.\n",
        {},
        "This file is not an image the shelf accepts.",
        id="not-an-image",
    ),
    pytest.param(
        "drawing.svg",
        lambda: SVG,
        {},
        "SVG drawings are not accepted, because they can carry scripts.",
        id="svg",
    ),
    pytest.param(
        "sneaky.gif",
        lambda: SVG,
        {},
        "SVG drawings are not accepted, because they can carry scripts.",
        id="svg-named-gif",
    ),
    pytest.param(
        "cut.gif",
        lambda: images.gif_bytes()[:300],
        {},
        "The file starts like a GIF but could not be read",
        id="truncated-gif",
    ),
    pytest.param(
        "cut.png",
        lambda: images.png_bytes()[:-30],
        {},
        "The file starts like a PNG but could not be read",
        id="truncated-png",
    ),
    pytest.param(
        "empty.gif",
        lambda: b"",
        {},
        "The file is empty",
        id="empty",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make_data", "limits", "reason"), REFUSALS)
def test_a_refused_file_is_explained_and_leaves_nothing_behind(
    curator_client, media_root, settings, name, make_data, limits, reason
):
    for setting, value in limits.items():
        setattr(settings, setting, value)

    response = upload(curator_client, (name, make_data()))

    assert reported_on_a_page_of_its_own(response)
    line = results(response)[name]
    assert line["outcome"] == "refused"
    assert reason in line["message"]
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_a_too_large_file_is_refused_in_the_browser(browser, media_root, settings):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 1_000

    response = upload(browser, ("huge.gif", images.gif_bytes(count=30)))

    assert reported_on_a_page_of_its_own(response)
    line = results(response)["huge.gif"]
    assert line["outcome"] == "refused"
    assert "larger than 1 KB" in line["message"]
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_an_empty_file_is_refused_with_a_reason_beside_the_good_ones(
    curator_client, media_root
):
    response = upload(
        curator_client, ("empty.gif", b""), ("good.gif", images.gif_bytes())
    )

    report = results(response)
    assert report["good.gif"]["outcome"] == "accepted"
    assert report["empty.gif"]["outcome"] == "refused"
    assert "The file is empty" in report["empty.gif"]["message"]
    assert "Save it again and upload that copy" in report["empty.gif"]["message"]


@pytest.mark.django_db
def test_an_empty_file_stores_nothing(curator_client, media_root):
    response = upload(curator_client, ("empty.gif", b""))

    assert reported_on_a_page_of_its_own(response)
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_an_exact_duplicate_is_refused_with_a_link_to_the_gif_on_the_shelf(
    curator_client, upload_gif, media_root
):
    data = images.gif_bytes(seed=7)
    existing = upload_gif(data=data, title="Slow clap", status=Gif.Status.APPROVED)
    files_before = files_in(media_root)

    response = upload(curator_client, ("clap-copy.gif", data))

    assert reported_on_a_page_of_its_own(response)
    line = results(response)["clap-copy.gif"]
    assert line["outcome"] == "refused"
    assert (
        "This exact file is already on the shelf as “Slow clap” (approved)."
        in (line["message"])
    )
    assert line["links"] == [existing.get_absolute_url()]
    assert list(Gif.objects.all()) == [existing]
    assert files_in(media_root) == files_before


@pytest.mark.django_db
def test_posting_no_file_asks_for_one(curator_client):
    response = curator_client.post(reverse("library:upload"), {"title": "Nothing"})

    assert response.status_code == 400
    assert "Choose at least one image to upload." in page_html(response)


@pytest.mark.django_db
def test_more_files_than_allowed_at_once_are_refused_together(
    curator_client, media_root, settings
):
    settings.GIFSHELF_MAX_FILES_PER_UPLOAD = 2
    files = [(f"{seed}.gif", images.gif_bytes(seed=seed)) for seed in range(3)]

    response = upload(curator_client, *files)

    assert response.status_code == 400
    assert "Upload at most 2 files at once." in page_html(response)
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


class UnreadableBody:
    """A request body that fails the test the moment anything reads it."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read


def post_too_large(client, settings):
    """An upload declaring a body larger than any allowed one, never read."""
    return client.generic(
        "POST",
        reverse("library:upload"),
        CONTENT_LENGTH=str(settings.GIFSHELF_MAX_REQUEST_BYTES + 1),
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        **{"wsgi.input": UnreadableBody()},
    )


@pytest.mark.django_db
def test_a_request_declaring_too_large_a_body_is_refused_before_it_is_read(
    curator_client, settings
):
    response = post_too_large(curator_client, settings)

    assert response.status_code == 413
    assert "That upload is too large." in response.content.decode()
    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_too_large_an_upload_gets_the_sites_page_saying_the_limits(
    curator_client, settings
):
    response = post_too_large(curator_client, settings)

    page = page_html(response)
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Too large to upload</h1>" in page
    assert (
        "Each file may be up to 15 MB, and one upload may carry up to 20 files." in page
    )
    assert "Nothing was uploaded. Go back, choose fewer files" in page
    assert '<nav aria-label="Main">' in page  # the site's header, to go on from
    assert f'<a href="{reverse("library:upload")}">Back to the upload page</a>' in page
    # The middleware around it still add their headers.
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_too_large_page_speaks_the_members_language(curator, settings):
    Preferences.objects.create(user=curator, language="ru")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(curator)

    response = post_too_large(client, settings)

    page = page_html(response)
    assert response.status_code == 413
    assert "Слишком много для одной загрузки" in page
    assert "Загрузка слишком большая." in page
    assert english_left(response.content.decode(), data=["curator"]) == []


@pytest.mark.django_db
def test_an_upload_larger_than_the_request_limit_gets_413_and_stores_nothing(
    curator_client, media_root, settings
):
    settings.GIFSHELF_MAX_REQUEST_BYTES = 5_000

    response = upload(
        curator_client, ("heavy.gif", images.gif_bytes(count=30, size=(400, 300)))
    )

    assert response.status_code == 413
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_an_agent_cannot_upload(agent_client, media_root):
    response = upload(agent_client, ("mine.gif", images.gif_bytes()))

    assert response.status_code == 403
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in(anonymous_client, media_root):
    response = upload(anonymous_client, ("mine.gif", images.gif_bytes()), follow=False)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_the_upload_page_refuses_other_methods(curator_client):
    response = curator_client.put(reverse("library:upload"))

    assert response.status_code == 405


def welcome_scene():
    return images.scene_frames(count=12, size=(200, 150), seed=4)


def welcome_copy(scale):
    """The welcome scene resized: a near-duplicate of it, not the same file."""
    return images.encode(images.resized(welcome_scene(), scale), "GIF", duration=80)


@pytest.mark.django_db
def test_the_report_says_when_an_upload_looks_like_a_gif_on_the_shelf(browser):
    upload(browser, ("welcome.gif", images.encode(welcome_scene(), "GIF", duration=80)))
    original = Gif.objects.get()
    original.status = Gif.Status.APPROVED
    original.save(update_fields=["status"])
    unrelated = images.encode(
        images.scene_frames(count=12, size=(200, 150), seed=9), "GIF", duration=80
    )

    report = results(
        upload(
            browser, ("welcome-small.gif", welcome_copy(0.6)), ("other.gif", unrelated)
        )
    )

    copy = report["welcome-small.gif"]
    assert copy["message"] == (
        "added as “Welcome small”, waiting for review. It looks much like a GIF "
        "already on the shelf: “Welcome”."
    )
    assert copy["links"][-1] == original.get_absolute_url()
    assert report["other.gif"]["message"] == "added as “Other”, waiting for review."


@pytest.mark.django_db
def test_a_look_alike_still_pending_is_not_said_to_be_on_the_shelf(browser):
    welcome = images.encode(welcome_scene(), "GIF", duration=80)
    upload(browser, ("welcome.gif", welcome))

    # The exact copy and the resized one, side by side in one report.
    report = results(
        upload(
            browser, ("welcome.gif", welcome), ("welcome-small.gif", welcome_copy(0.6))
        )
    )

    assert report["welcome.gif"]["message"] == (
        "This exact file is already on the shelf as “Welcome” (pending review). "
        "See that GIF."
    )
    assert report["welcome-small.gif"]["message"] == (
        "added as “Welcome small”, waiting for review. It looks much like a GIF "
        "waiting for review: “Welcome”."
    )


def look_alikes_in(browser, statuses):
    """Two GIFs a third upload looks like, "Welcome" and "Welcome big", put in
    `statuses`."""
    upload(
        browser,
        ("welcome.gif", images.encode(welcome_scene(), "GIF", duration=80)),
        ("welcome-big.gif", welcome_copy(0.8)),
    )
    for title, status in zip(["Welcome", "Welcome big"], statuses, strict=True):
        Gif.objects.filter(title=title).update(status=status)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statuses", "said"),
    [
        (
            ["pending", "pending"],
            "It looks much like GIFs waiting for review: “Welcome”, “Welcome big”.",
        ),
        (
            ["approved", "pending"],
            "It looks much like GIFs already on the shelf: “Welcome”, "
            "“Welcome big” (pending review).",
        ),
        (
            ["rejected", "retired"],
            "It looks much like GIFs uploaded before: “Welcome” (rejected), "
            "“Welcome big” (retired).",
        ),
        (
            ["pending", "rejected"],
            "It looks much like GIFs uploaded before: “Welcome” (pending review), "
            "“Welcome big” (rejected).",
        ),
    ],
    ids=["all-pending", "approved-and-pending", "none-on-the-shelf", "no-approved"],
)
def test_the_report_says_which_look_alikes_are_not_on_the_shelf(
    browser, statuses, said
):
    look_alikes_in(browser, statuses)

    report = results(upload(browser, ("welcome-small.gif", welcome_copy(0.6))))

    assert report["welcome-small.gif"]["message"] == (
        f"added as “Welcome small”, waiting for review. {said}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statuses", "said"),
    [
        (
            ["pending", "pending"],
            "Она очень похожа на гифки, которые ждут проверки: «Welcome», "
            "«Welcome big».",
        ),
        (
            ["approved", "pending"],
            "Она очень похожа на гифки, которые уже есть на полке: «Welcome», "
            "«Welcome big» (на проверке).",
        ),
        (
            ["rejected", "rejected"],
            "Она очень похожа на гифки, загруженные раньше: «Welcome» (отклонена), "
            "«Welcome big» (отклонена).",
        ),
    ],
    ids=["all-pending", "approved-and-pending", "none-on-the-shelf"],
)
def test_the_look_alikes_are_placed_in_russian_too(browser, statuses, said):
    in_russian(browser)
    look_alikes_in(browser, statuses)

    response = upload(browser, ("welcome-small.gif", welcome_copy(0.6)))

    assert results(response)["welcome-small.gif"]["message"] == (
        f"добавлена как «Welcome small» и ждёт проверки. {said}"
    )
    names = ["curator", "Welcome", "welcome", "big", "small", "gif"]
    assert english_left(response.content.decode(), data=names) == []


@pytest.mark.django_db
def test_one_look_alike_waiting_for_review_is_said_so_in_russian(browser):
    in_russian(browser)
    upload(browser, ("welcome.gif", images.encode(welcome_scene(), "GIF", duration=80)))

    response = upload(browser, ("welcome-small.gif", welcome_copy(0.6)))

    assert results(response)["welcome-small.gif"]["message"] == (
        "добавлена как «Welcome small» и ждёт проверки. Она очень похожа на "
        "гифку, которая ждёт проверки: «Welcome»."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("chosen", "fields", "form_error"),
    [
        ([], {"mood": ["Sleepy"]}, "Not in the moods: Sleepy."),
        ([], {"title": "x" * 130}, "Ensure this value has at most 120 characters"),
        (
            [("a.gif", 1), ("b.gif", 2), ("c.gif", 3), ("d.gif", 4)],
            {},
            "Upload at most 3 files at once.",
        ),
    ],
    ids=["unknown-mood", "long-title", "too-many-files"],
)
def test_a_file_too_large_is_named_beside_the_other_errors_of_the_form(
    browser, media_root, settings, chosen, fields, form_error
):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 5_000
    settings.GIFSHELF_MAX_FILES_PER_UPLOAD = 3
    files = [(name, images.gif_bytes(seed=seed)) for name, seed in chosen]

    response = upload(
        browser,
        ("huge.gif", images.gif_bytes(count=30, size=(400, 300))),
        *files,
        **fields,
    )

    page = page_html(response)
    assert response.status_code == 400
    assert form_error in page
    assert "“huge.gif” is larger than 5 KB, the most the shelf takes." in page
    assert not Gif.objects.exists()
    assert files_in(media_root) == []
