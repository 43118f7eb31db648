"""Text people type may be one long word (a pasted link, a reason held down
on one key): it wraps, and no page scrolls sideways on a 390 px phone. Column
headers, ours, keep their words whole."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from library.models import AgentFlag, ApiToken, Gif, MoodTag, TagAlias
from tests import images

PHONE = {"width": 390, "height": 844}


def one_word(letter, length=500):
    return letter.upper() + letter * (length - 1)


@pytest.fixture
def long_words(lead, agent, upload_gif):
    """A GIF (and a tag, an alias, a token) whose every text is one long word."""
    happy = MoodTag.objects.get(name="Happy")
    happy.use_when = one_word("u")
    happy.save()
    gif = upload_gif(
        data=images.gif_bytes(seed=700, duration=200),
        title="Long words",
        alt_text=one_word("a"),
        mood=[happy],
        status=Gif.Status.APPROVED,
    )
    Gif.objects.filter(pk=gif.pk).update(
        use_when=one_word("w"), avoid_when=one_word("v")
    )
    gif.retire(by=lead, reason=one_word("r"))
    gif.reinstate(by=lead, reason=one_word("s"))
    unflagged = upload_gif(
        data=images.gif_bytes(seed=701, duration=200),
        title="Long guidance",
        mood=[happy],
        status=Gif.Status.APPROVED,
    )
    Gif.objects.filter(pk=unflagged.pk).update(use_when=one_word("g"))
    gif.flag(by=agent, reason=AgentFlag.Reason.OTHER, note=one_word("n"))
    TagAlias.objects.create(name=one_word("l", 100), target="Happy")
    ApiToken.issue(lead, one_word("k", 80))
    return {"flagged": gif, "listed": unflagged, "happy": happy}


def test_long_words_wrap_instead_of_widening_a_phone_page(log_in, lead, long_words):
    page = log_in(lead)
    page.set_viewport_size(PHONE)
    flagged, listed = long_words["flagged"], long_words["listed"]
    pages = {
        "GIF page (history, notes)": flagged.get_absolute_url(),
        "review page (flag note)": reverse("library:review", args=[flagged.pk]),
        "picker (chosen tag's guidance)": reverse("library:home") + "?mood=Happy",
        "picker preview (guidance)": reverse(
            "library:picker_preview", args=[listed.pk]
        ),
        "tag guidance": reverse(
            "library:tag_guidance", args=["mood", long_words["happy"].pk]
        ),
        "aliases": reverse("library:aliases"),
        "preferences (token name)": reverse("library:preferences"),
    }

    wide = {}
    for name, path in pages.items():
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[name] = width

    assert wide == {}
    # The words are there, wrapped: not cut off.
    page.goto(flagged.get_absolute_url())
    history = page.locator(".history").get_by_text(one_word("r")[:40])
    expect(history).to_be_visible()
    assert history.bounding_box()["width"] <= PHONE["width"]


def test_column_headers_keep_their_words_whole(log_in, lead):
    # Long guidance squeezes the other columns of a wide table.
    sentence = "Use it when the customer has written back to say thanks " * 6
    for tag in MoodTag.objects.all()[:6]:
        tag.use_when, tag.avoid_when = sentence, sentence
        tag.save()
    page = log_in(lead)  # 1280 px wide
    page.goto(reverse("library:vocabularies"))

    # Each header on one line: a word broken in two ("GIF / s") takes two.
    lines = page.evaluate(
        """() => [...document.querySelectorAll('.guidance-table thead th')].map(th => {
            const range = document.createRange();
            range.selectNodeContents(th);
            const rects = [...range.getClientRects()];
            const tops = new Set(rects.map(r => Math.round(r.top)));
            return [th.textContent.trim(), tops.size];
        })"""
    )

    assert lines
    assert [text for text, count in lines if count > 1] == []
