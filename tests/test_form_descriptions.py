"""Every aria-describedby on a form names text on the page: a field's help
and its errors, which screen readers then read with the field."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from library.models import MoodTag


class Descriptions(HTMLParser):
    """The ids on a page, the text inside each, and what points at them."""

    def __init__(self):
        super().__init__()
        self.ids = Counter()
        self.text = {}
        self.open = []  # (tag, id) of the elements being read
        self.described = []  # (field name or id, the ids it points at)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if element_id := attrs.get("id"):
            self.ids[element_id] += 1
            self.text.setdefault(element_id, "")
        if described := attrs.get("aria-describedby"):
            key = attrs.get("name") or attrs.get("id") or tag
            self.described.append((key, described.split()))
        if tag not in ("input", "br", "img", "meta", "link"):
            self.open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        while self.open:
            opened, _ = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self.open:
            if element_id:
                self.text[element_id] += data


def descriptions(response):
    parser = Descriptions()
    parser.feed(response.content.decode())
    return parser


def dangling(page):
    """What aria-describedby points at that is not exactly one element."""
    return [
        (key, [ref for ref in refs if page.ids[ref] != 1])
        for key, refs in page.described
        if any(page.ids[ref] != 1 for ref in refs)
    ]


def described(page, name):
    """The text each id named by field `name`'s aria-describedby holds."""
    [refs] = [refs for key, refs in page.described if key == name]
    return {ref: " ".join(page.text.get(ref, "").split()) for ref in refs}


@pytest.fixture
def logged_in_as(curator, lead, agent):
    """A client of its own for each member."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return {"curator": make(curator), "lead": make(lead), "agent": make(agent)}


@pytest.mark.django_db
def test_upload_fields_are_described_by_their_help_and_their_errors(
    curator_client,
):
    response = curator_client.post(
        reverse("library:upload"), {"title": "x" * 121, "mood": ["Sleepy"]}
    )

    page = descriptions(response)
    assert response.status_code == 400
    assert described(page, "title") == {
        "id_title_helptext": "Leave empty to use each file's name.",
        "id_title_error": "Ensure this value has at most 120 characters (it has 121).",
    }
    assert described(page, "files") == {
        "id_files_helptext": "GIF, PNG, animated PNG, WebP or JPEG. "
        "Up to 20 files, each up to 15 MB.",
    }
    # Boxes are described on their fieldset, as Django's own template does.
    vocabulary = ", ".join(MoodTag.objects.values_list("name", flat=True))
    assert described(page, "fieldset") == {
        "id_mood_error": f"Not in the moods: Sleepy. Choose from: {vocabulary}."
    }
    assert dangling(page) == []


@pytest.mark.django_db
def test_edit_fields_are_described_by_their_help_and_their_errors(
    curator_client, approved_gif
):
    response = curator_client.post(
        reverse("library:gif_edit", args=[approved_gif.pk]),
        {"title": "Bowing", "alt_text": "x" * 501, "use_when_ru": ""},
    )

    page = descriptions(response)
    alt_text = described(page, "alt_text")
    assert list(alt_text) == ["id_alt_text_helptext", "id_alt_text_error"]
    assert alt_text["id_alt_text_error"] == (
        "Ensure this value has at most 500 characters (it has 501)."
    )
    assert "id_use_when_ru_helptext" in described(page, "use_when_ru")
    assert dangling(page) == []


PAGES = [
    pytest.param("curator", "get", "library:upload", None, {}, id="upload"),
    pytest.param("curator", "get", "library:gif_edit", "gif", {}, id="edit"),
    pytest.param(
        "lead",
        "post",
        "library:gif_edit",
        "gif",
        {"title": "", "alt_text": "x" * 2000},
        id="edit-refused",
    ),
    pytest.param(
        "curator",
        "post",
        "library:aliases",
        None,
        {"name": "", "target": "Nope"},
        id="alias-refused",
    ),
    pytest.param("lead", "post", "library:gif_take_down", "gif", {}, id="take-down"),
    pytest.param("lead", "get", "library:house_rules_edit", None, {}, id="rules"),
    pytest.param(
        "lead",
        "post",
        "library:house_rules_edit",
        None,
        {"text": ""},
        id="rules-refused",
    ),
    pytest.param("lead", "post", "library:context_create", None, {}, id="context"),
    pytest.param("agent", "get", "library:preferences", None, {}, id="preferences"),
    pytest.param("lead", "get", "library:review", "pending", {}, id="review"),
    pytest.param(
        "lead", "get", "library:bulk_appropriateness", None, {}, id="appropriateness"
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "method", "name", "gif", "data"), PAGES)
def test_every_description_a_field_points_at_is_on_the_page(
    logged_in_as, approved_gif, pending_gif, role, method, name, gif, data
):
    args = {"gif": [approved_gif.pk], "pending": [pending_gif.pk], None: []}[gif]

    response = getattr(logged_in_as[role], method)(reverse(name, args=args), data)

    page = descriptions(response)
    assert response.status_code in (200, 400)
    assert page.described  # the page has described fields to check
    assert dangling(page) == []
