"""Every aria-describedby on a form names text on the page: a field's help
and its errors, which screen readers then read with the field."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from library.forms import focus_first_error
from library.models import AppropriatenessTag, MoodTag


class Descriptions(HTMLParser):
    """The ids on a page, the text inside each, and what points at them."""

    def __init__(self):
        super().__init__()
        self.ids = Counter()
        self.text = {}
        self.open = []  # (tag, id) of the elements being read
        self.described = []  # (field name or id, the ids it points at)
        self.fields = []  # the attributes of each input, textarea and select

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if element_id := attrs.get("id"):
            self.ids[element_id] += 1
            self.text.setdefault(element_id, "")
        if described := attrs.get("aria-describedby"):
            key = attrs.get("name") or attrs.get("id") or tag
            self.described.append((key, described.split()))
        if tag in ("input", "textarea", "select"):
            self.fields.append(attrs)
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


def autofocused(page):
    """The id of each field with the autofocus (a page may have one)."""
    return [attrs["id"] for attrs in page.fields if "autofocus" in attrs]


def fields_named(page, name):
    return [attrs for attrs in page.fields if attrs.get("name") == name]


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
        "id_files_error": "Choose at least one image to upload.",
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


# A refused form comes back with what to correct marked invalid, its error
# read with it, and the focus on it.


@pytest.mark.django_db
def test_a_rejection_without_a_reason_marks_the_reason_and_focuses_it(
    lead_client, pending_gif
):
    response = lead_client.post(
        reverse("library:reject", args=[pending_gif.pk]), {"reason": " "}
    )

    page = descriptions(response)
    [reason] = fields_named(page, "reason")
    assert reason["aria-invalid"] == "true"
    assert described(page, "reason") == {
        "id_reason_helptext": "The uploader sees it on their uploads page.",
        "id_reason_error": "Say why you reject it: the uploader sees the reason.",
    }
    assert autofocused(page) == ["id_reason"]
    assert "Not rejected: correct what is marked below." in response.content.decode()
    assert dangling(page) == []


@pytest.mark.django_db
def test_an_upload_without_a_file_marks_the_file_input_and_focuses_it(
    curator_client,
):
    response = curator_client.post(reverse("library:upload"), {"title": "Nothing"})

    page = descriptions(response)
    assert response.status_code == 400
    [files] = fields_named(page, "files")
    assert files["aria-invalid"] == "true"
    assert described(page, "files")["id_files_error"] == (
        "Choose at least one image to upload."
    )
    assert autofocused(page) == ["id_files"]


@pytest.mark.django_db
def test_appropriateness_with_nothing_ticked_ties_each_box_to_its_error(
    lead_client, pending_gif, approved_gif
):
    response = lead_client.post(
        reverse("library:bulk_appropriateness_apply"), {"change": "add"}
    )

    page = descriptions(response)
    assert response.status_code == 400
    gif_boxes = fields_named(page, "gifs")
    assert len(gif_boxes) == 2
    for box in gif_boxes:
        assert box["aria-invalid"] == "true"
        assert box["aria-describedby"].split() == ["gifs-error"]
    assert " ".join(page.text["gifs-error"].split()) == (
        "Tick the GIFs to change, or choose every GIF that matches."
    )
    tag_boxes = fields_named(page, "tags")
    assert len(tag_boxes) == AppropriatenessTag.objects.count()
    for box in tag_boxes:
        assert box["aria-invalid"] == "true"
        assert box["aria-describedby"].split()[-1] == "id_tags_error"
    assert " ".join(page.text["id_tags_error"].split()) == (
        "Choose the “Unsuitable for” tags to add or remove."
    )
    # The first field in error on the page: the list of GIFs, above the tags.
    assert autofocused(page) == [gif_boxes[0]["id"]]
    assert dangling(page) == []


@pytest.mark.django_db
def test_appropriateness_with_no_tag_ticked_focuses_the_first_tag(
    lead_client, approved_gif
):
    response = lead_client.post(
        reverse("library:bulk_appropriateness_apply"),
        {"change": "add", "gifs": [approved_gif.pk]},
    )

    page = descriptions(response)
    first = fields_named(page, "tags")[0]
    assert first["aria-describedby"].split() == ["id_tags_0-guidance", "id_tags_error"]
    assert autofocused(page) == ["id_tags_0"]
    assert "aria-invalid" not in fields_named(page, "gifs")[0]
    assert dangling(page) == []


@pytest.mark.parametrize(
    "choices",
    [
        [("a", "A"), ("b", "B"), ("c", "C")],
        [("Warm", [("a", "A"), ("b", "B")]), ("Cold", [("c", "C")])],  # grouped
    ],
    ids=["plain", "grouped"],
)
def test_a_refused_group_of_boxes_gives_the_focus_to_its_first_box_only(choices):
    class Boxes(forms.Form):
        picked = forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple
        )

    form = Boxes({})
    assert focus_first_error(form) == "picked"

    page = str(form["picked"])
    assert page.count("autofocus") == 1
    assert re.search(r'<input type="checkbox"[^>]*value="a"[^>]*autofocus', page)
