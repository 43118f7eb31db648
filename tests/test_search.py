"""The picker's search: what agents find as they type, and in which order.

CI runs this file on SQLite (FTS5) and on PostgreSQL (a GIN tsvector index):
every case must give the same answer on both, so none of them may depend on
the database. Searches go through GET /api/gifs/, as the picker sends them.
"""

import hashlib
import itertools
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from library import search as search_index
from library.models import (
    AgentFlag,
    ApiToken,
    ConversationContext,
    Copy,
    Gif,
    MoodTag,
    SituationTag,
    TagAlias,
)
from tests import images

SEARCH_URL = "/api/gifs/"
ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def every_search_reaches_the_index(settings):
    """The index is what these tests check, and some change the shelf the
    way no member can (a status set directly): no answer comes from the
    cache of agents' answers, which tests/test_search_cache.py checks."""
    settings.GIFSHELF_SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def lead_api(lead):
    """The team lead's own session, for edits: the agent keeps `client`."""
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def shelve(upload_gif, lead_api):
    """Put an approved GIF on the shelf the way the team does: uploaded with
    its title, alt text, moods and situations; usage notes and appropriateness
    tags set afterwards by a team lead's edit."""

    seeds = itertools.count()

    def make(title, *, alt_text="", mood=(), situation=(), status=None, **edits):
        gif = upload_gif(
            # Slow enough not to flash: flash warnings are tested on their own.
            data=images.gif_bytes(seed=next(seeds), duration=400),
            title=title,
            alt_text=alt_text,
            mood=[MoodTag.objects.get(name=name) for name in mood],
            situation=[SituationTag.objects.get(name=name) for name in situation],
            status=status or Gif.Status.APPROVED,
        )
        if edits:
            response = edit(lead_api, gif, **edits)
            assert response.status_code == 200, response.content
        return gif

    return make


def edit(client, gif, **changes):
    return client.patch(
        reverse("library:api_gif", args=[gif.pk]),
        json.dumps(changes),
        content_type="application/json",
    )


def copied(gif, times, by):
    for _ in range(times):
        gif.record_copy(by=by, format=Copy.Format.LINK)


def search(client, q="", **params):
    response = client.get(SEARCH_URL, {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def titles(client, q="", **params):
    """The titles found for `q`, in the order the picker shows them."""
    return [result["title"] for result in search(client, q, **params)["results"]]


def error_of(response):
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


def copies_url(gif_or_pk):
    return reverse("library:api_copies", args=[getattr(gif_or_pk, "pk", gif_or_pk)])


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


# What it matches


@pytest.mark.django_db
def test_words_are_found_in_titles_alt_text_use_notes_moods_and_situations(
    agent_client, shelve
):
    shelve("Quokka grin")
    shelve("Plain one", alt_text="A marmot waves both paws.")
    shelve("Plain two", use_when="the customer mentions their walrus")
    shelve("Plain four", mood=["Thinking"])
    shelve("Plain five", situation=["Feature request"])

    queries = ("quokka", "marmot", "walrus", "thinking", "feature")
    found = {query: titles(agent_client, query) for query in queries}

    assert found == {
        "quokka": ["Quokka grin"],
        "marmot": ["Plain one"],
        "walrus": ["Plain two"],
        "thinking": ["Plain four"],
        "feature": ["Plain five"],
    }


@pytest.mark.django_db
def test_words_saying_where_a_gif_is_not_for_do_not_find_it(agent_client, shelve):
    # An agent in an outage types "outage": the GIFs to avoid there must not
    # be what comes up, let alone first (as a whole-tag match would put them).
    shelve("Confetti", avoid_when="an outage is still going on")
    shelve("Fireworks", appropriateness=["Outage or bug report"])
    shelve("Подмигивание", avoid_when_ru="во время сбоя")
    shelve("Hang in there", use_when="an outage drags on")

    assert titles(agent_client, "outage") == ["Hang in there"]
    assert titles(agent_client, "outage or bug report") == []
    assert titles(agent_client, "сбоя") == []


@pytest.mark.django_db
def test_an_appropriateness_tag_does_not_rank_a_gif_first(agent_client, shelve, agent):
    unsuitable = shelve("Playful otter", appropriateness=["Playful"])
    popular = shelve("Playful seal")
    copied(popular, 3, agent)

    # Two title matches: the one copied more comes first.
    assert titles(agent_client, "playful") == [popular.title, unsuitable.title]


@pytest.mark.django_db
def test_every_word_must_match_somewhere_in_the_gif(agent_client, shelve):
    shelve("Cat in a hat")
    shelve("Cat alone")
    shelve("Hat alone")
    shelve("Sleepy dog", alt_text="It wears a hat.", mood=["Thinking"])

    assert titles(agent_client, "cat hat") == ["Cat in a hat"]
    assert titles(agent_client, "hat thinking") == ["Sleepy dog"]
    assert titles(agent_client, "cat dog") == []


@pytest.mark.django_db
def test_each_keystroke_finds_what_the_finished_word_will(agent_client, shelve):
    shelve("Bowing cat", mood=["Thank you"])
    shelve("Sorry face")

    typed = ["t", "th", "tha", "than", "thank", "thank y", "thank yo", "thank you"]
    found = {query: titles(agent_client, query) for query in typed}

    assert found == {query: ["Bowing cat"] for query in typed}


@pytest.mark.django_db
def test_words_match_from_their_start_not_from_their_middle(agent_client, shelve):
    shelve("Bowing cat", mood=["Thank you"])
    shelve("Спасибо за терпение")

    assert titles(agent_client, "спас") == ["Спасибо за терпение"]
    assert titles(agent_client, "ank") == []
    assert titles(agent_client, "асибо") == []


# Case, in every language


@pytest.mark.django_db
def test_case_never_matters_in_any_language(agent_client, shelve):
    shelve("Спасибо за терпение")
    shelve("ÉTÉ INDIEN")
    shelve("Straße frei")
    shelve("Γεια σας")

    queries = {
        "спасибо": "Спасибо за терпение",
        "СПАСИБО": "Спасибо за терпение",
        "été": "ÉTÉ INDIEN",
        "Été": "ÉTÉ INDIEN",
        "indien": "ÉTÉ INDIEN",
        # Casefolding, not lower(): ß is "ss", and Σ is σ wherever it stands.
        "strasse": "Straße frei",
        "STRASSE": "Straße frei",
        "straße": "Straße frei",
        "ΓΕΙΑ ΣΑΣ": "Γεια σας",
        "γεια σασ": "Γεια σας",
    }
    found = {query: titles(agent_client, query) for query in queries}

    assert found == {query: [title] for query, title in queries.items()}


@pytest.mark.django_db
def test_a_word_typed_without_its_accents_finds_it_on_both_databases(
    agent_client, shelve
):
    shelve("Été fini")
    shelve("Café crème")

    assert titles(agent_client, "ete") == ["Été fini"]
    assert titles(agent_client, "cafe creme") == ["Café crème"]


@pytest.mark.django_db
def test_an_accent_typed_as_a_combining_mark_still_matches(agent_client, shelve):
    shelve("Été fini")

    assert titles(agent_client, "e\u0301te\u0301") == ["Été fini"]


# Tag aliases


@pytest.mark.django_db
def test_an_alias_finds_the_gifs_of_the_tag_it_stands_for(agent_client, shelve):
    shelve("Bowing cat", mood=["Thank you"])
    shelve("Waving dog", mood=["Happy"])

    TagAlias.objects.create(name="спасибо", target="Thank you")
    TagAlias.objects.create(name="thanks", target="Thank you")

    assert titles(agent_client, "спасибо") == ["Bowing cat"]
    assert titles(agent_client, "СПАСИБО") == ["Bowing cat"]
    assert titles(agent_client, "thanks") == ["Bowing cat"]


@pytest.mark.django_db
def test_an_alias_made_before_the_upload_finds_the_new_gif(agent_client, shelve):
    TagAlias.objects.create(name="спасибо", target="Thank you")

    shelve("Bowing cat", mood=["Thank you"])

    assert titles(agent_client, "спасибо") == ["Bowing cat"]


@pytest.mark.django_db
def test_an_alias_target_may_be_written_in_any_case(agent_client, shelve):
    shelve("Bowing cat", mood=["Thank you"])

    TagAlias.objects.create(name="merci", target="THANK YOU")

    assert titles(agent_client, "merci") == ["Bowing cat"]


@pytest.mark.django_db
def test_deleting_an_alias_stops_it_finding_the_tag(agent_client, shelve):
    shelve("Bowing cat", mood=["Thank you"])
    alias = TagAlias.objects.create(name="спасибо", target="Thank you")
    assert titles(agent_client, "спасибо") == ["Bowing cat"]

    alias.delete()

    assert titles(agent_client, "спасибо") == []


@pytest.mark.django_db
def test_pointing_an_alias_at_another_tag_moves_what_it_finds(agent_client, shelve):
    shelve("Bowing cat", mood=["Thank you"])
    shelve("Sad dog", mood=["Sorry"])
    alias = TagAlias.objects.create(name="oops", target="Thank you")

    alias.target = "Sorry"
    alias.save()

    assert titles(agent_client, "oops") == ["Sad dog"]


@pytest.mark.django_db
def test_an_alias_of_a_tag_with_a_non_ascii_name_finds_its_gifs(agent_client, shelve):
    MoodTag.objects.create(name="Ça va")
    shelve("Nodding owl", mood=["Ça va"])

    TagAlias.objects.create(name="howdy", target="Ça va")

    assert titles(agent_client, "howdy") == ["Nodding owl"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("vocabulary", "tag_model", "old", "new"),
    [
        ("mood", MoodTag, "Thinking", "Pondering"),
        ("situation", SituationTag, "Please hold", "One moment"),
    ],
)
def test_renaming_a_tag_finds_its_gifs_by_the_new_name_only(
    agent_client, shelve, vocabulary, tag_model, old, new
):
    shelve("Chin stroke", **{vocabulary: [old]})
    tag = tag_model.objects.get(name=old)

    tag.name = new
    tag.save()

    assert titles(agent_client, new) == ["Chin stroke"]
    assert titles(agent_client, old) == []


# Leaving words out


@pytest.mark.django_db
def test_a_minus_word_leaves_out_what_holds_it(agent_client, shelve):
    shelve("Cat says thanks", mood=["Thank you"])
    shelve("Cat nods", mood=["Sorry"])
    shelve("Dog says thanks", mood=["Thank you"])
    TagAlias.objects.create(name="спасибо", target="Thank you")

    assert titles(agent_client, "cat -sorry") == ["Cat says thanks"]  # a tag
    assert titles(agent_client, "thanks -dog") == ["Cat says thanks"]  # a title
    assert titles(agent_client, "cat -спасибо") == ["Cat nods"]  # an alias
    assert titles(agent_client, "-cat") == ["Dog says thanks"]  # nothing else typed


# Ranking


@pytest.mark.django_db
def test_a_whole_tag_match_comes_first_then_a_title_match_then_the_rest(
    agent_client, shelve, agent
):
    quiet_rest = shelve("Owl", use_when="a thank you note arrives")
    popular_rest = shelve("Penguin bows", alt_text="It says thank you with a bow.")
    quiet_title = shelve("Thank you kindly")
    quiet_tag = shelve("Cat bows", mood=["Thank you"])
    popular_title = shelve("Thank you so much")
    popular_tag = shelve("Dog bows", mood=["Thank you", "Happy"])
    # Words of a tag, but not the whole tag: "thank" and "you" start words in it.
    words_of_a_tag = shelve("Fox", situation=["Thanks for your patience"])
    newer_quiet_rest = shelve("Hen", alt_text="A hen nods a thank you.")
    copied(popular_rest, 9, agent)
    copied(popular_title, 3, agent)
    copied(popular_tag, 2, agent)
    copied(words_of_a_tag, 1, agent)

    found = titles(agent_client, "thank you")

    assert found == [
        popular_tag.title,
        quiet_tag.title,
        popular_title.title,
        quiet_title.title,
        popular_rest.title,
        words_of_a_tag.title,
        newer_quiet_rest.title,  # equally unpopular: the newer first
        quiet_rest.title,
    ]


@pytest.mark.django_db
def test_an_alias_typed_whole_counts_as_a_whole_tag_match(agent_client, shelve, agent):
    in_the_title = shelve("Thanks a million")
    tagged = shelve("Bowing cat", mood=["Thank you"])
    copied(in_the_title, 5, agent)
    TagAlias.objects.create(name="thanks", target="Thank you")

    assert titles(agent_client, "thanks") == [tagged.title, in_the_title.title]


@pytest.mark.django_db
def test_a_tag_typed_whole_by_its_russian_name_counts_as_a_whole_tag_match(
    agent_client, shelve, agent
):
    russian = MoodTag.objects.get(name="Thank you").name_ru
    in_the_title = shelve(f"{russian}!")
    tagged = shelve("Bowing cat", mood=["Thank you"])
    copied(in_the_title, 5, agent)

    assert titles(agent_client, russian.upper()) == [tagged.title, in_the_title.title]


@pytest.mark.django_db
def test_copying_a_gif_moves_it_up_among_equal_matches(agent_client, shelve):
    older = shelve("Slow clap")
    shelve("Clap clap")
    assert titles(agent_client, "clap") == ["Clap clap", "Slow clap"]

    response = agent_client.post(copies_url(older), {"format": "link"})

    assert response.status_code == 201
    assert titles(agent_client, "clap") == ["Slow clap", "Clap clap"]


@pytest.mark.django_db
def test_a_word_inside_another_title_word_is_not_a_title_match(
    agent_client, shelve, agent
):
    in_the_title = shelve("Please hold on")
    in_the_alt_text = shelve("Threshold", alt_text="Hold the line.")
    copied(in_the_alt_text, 3, agent)

    assert titles(agent_client, "hold") == [in_the_title.title, in_the_alt_text.title]


# Only what is on the shelf


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "curator", "lead"])
def test_only_approved_unflagged_gifs_are_found_whoever_searches(
    client_for, shelve, agent, role
):
    shelve("Shelf approved", mood=["Happy"])
    shelve("Shelf pending", mood=["Happy"], status=Gif.Status.PENDING)
    shelve("Shelf rejected", mood=["Happy"], status=Gif.Status.REJECTED)
    shelve("Shelf retired", mood=["Happy"], status=Gif.Status.RETIRED)
    flagged = shelve("Shelf flagged", mood=["Happy"])
    flagged.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    client = client_for(role)

    assert titles(client, "shelf") == ["Shelf approved"]
    assert titles(client, "") == ["Shelf approved"]
    assert titles(client, "happy", mood="Happy") == ["Shelf approved"]
    assert search(client, "shelf")["count"] == 1


@pytest.mark.django_db
def test_a_gif_restored_after_a_flag_is_found_again(agent_client, shelve, agent, lead):
    gif = shelve("Thumbs up")
    gif.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    assert titles(agent_client, "thumbs") == []

    gif.restore(by=lead)

    assert titles(agent_client, "thumbs") == ["Thumbs up"]


# The index follows every edit


@pytest.mark.django_db
def test_a_title_edited_through_the_api_is_found_by_the_new_word_only(
    agent_client, shelve, lead_api
):
    gif = shelve("Grumpy walrus")

    response = edit(lead_api, gif, title="Cheerful otter")

    assert response.status_code == 200
    assert titles(agent_client, "otter") == ["Cheerful otter"]
    assert titles(agent_client, "walrus") == []


@pytest.mark.django_db
def test_tags_changed_through_the_api_are_found_by_the_new_tags_only(
    agent_client, shelve, lead_api
):
    gif = shelve("Owl", mood=["Thinking"], situation=["Greeting"])

    edit(lead_api, gif, mood=["Happy"], situation=["Please hold"])
    edit(lead_api, gif, appropriateness=["Playful"])

    found = {q: titles(agent_client, q) for q in ("happy", "hold", "playful")}
    # An appropriateness tag says where it is unsuitable: no word of it finds.
    assert found == {"happy": ["Owl"], "hold": ["Owl"], "playful": []}
    assert titles(agent_client, "thinking") == []
    assert titles(agent_client, "greeting") == []


@pytest.mark.django_db
def test_alt_text_and_usage_notes_edited_through_the_api_are_found(
    agent_client, shelve, lead_api
):
    gif = shelve("Owl", alt_text="An owl blinks.")

    edit(
        lead_api,
        gif,
        alt_text="An owl winks.",
        use_when="a customer spots the joke",
        avoid_when="the invoice is overdue",
    )

    found = {q: titles(agent_client, q) for q in ("winks", "joke", "invoice")}
    # "Avoid when" says where not to send it: its words do not find it.
    assert found == {"winks": ["Owl"], "joke": ["Owl"], "invoice": []}
    assert titles(agent_client, "blinks") == []


@pytest.mark.django_db
def test_an_edit_on_the_gif_page_is_found(agent_client, shelve, curator):
    gif = shelve("Grumpy walrus", mood=["Angry"])
    page = Client()
    page.force_login(curator)

    response = page.post(
        reverse("library:gif_edit", args=[gif.pk]),
        {
            "title": "Cheerful otter",
            "alt_text": "An otter claps.",
            "use_when": "",
            "avoid_when": "",
            "mood": ["Happy"],
        },
    )

    assert response.status_code == 302
    assert titles(agent_client, "cheerful happy") == ["Cheerful otter"]
    assert titles(agent_client, "angry") == []


@pytest.mark.django_db
def test_an_edit_in_the_admin_is_found(agent_client, shelve, lead_api):
    gif = shelve("Grumpy walrus", mood=["Angry"])

    response = lead_api.post(
        reverse("admin:library_gif_change", args=[gif.pk]),
        {
            "title": "Cheerful otter",
            "alt_text": "An otter claps.",
            "use_when": "a release went out",
            "avoid_when": "",
            "mood": "Happy",
            "situation": "Good news",
            "appropriateness": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert titles(agent_client, "cheerful release good") == ["Cheerful otter"]
    assert titles(agent_client, "angry") == []


# Odd input

MANY_WORDS = " ".join(f"w{number}" for number in range(1500))
ODD_QUERIES = [
    '"',
    '"thank you',
    "'",
    "*",
    "thank*",
    "*thank",
    ":",
    "title:thank",
    "search_tags:thank",
    "{search_title}: thank",
    "^thank",
    "thank:*",
    "&",
    "|",
    "!",
    "thank & you",
    "thank | you",
    "!thank",
    "(",
    ")",
    "()",
    "(thank",
    "thank)",
    "NEAR",
    "NEAR(thank you)",
    "thank NEAR/2 you",
    "AND",
    "OR",
    "NOT",
    "thank AND you",
    "thank OR you",
    "NOT thank",
    "thank NOT you",
    "+thank",
    "🙏",
    "thank 🙏",
    "-🙏",
    "-",
    "--",
    "- -",
    "-thank",
    "-thank -you",
    "?!.,;…",
    "%",
    "_",
    "%_%",
    "\\",
    "'; DROP TABLE library_gif; --",
    "\x00",
    "thank\x00you",
    "\u200b\u200d\u0301",
    "thank\tyou\n",
    "x² ½ ١٢٣",
    "a" * 10_000,
    MANY_WORDS,
    " ".join(f"-{word}" for word in MANY_WORDS.split()),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ODD_QUERIES, ids=[repr(query)[:30] for query in ODD_QUERIES]
)
def test_odd_input_never_breaks_the_search(agent_client, shelve, query):
    shelve("Thank you card", mood=["Thank you"])

    response = agent_client.get(SEARCH_URL, {"q": query})

    body = response.json()
    if not search_index.parse(query):  # no letter or digit: nothing to search
        assert response.status_code == 400, response.content[:500]
        assert "q needs letters or numbers" in body["error"]
        return
    assert response.status_code == 200, response.content[:500]
    assert isinstance(body["count"], int)
    assert len(body["results"]) == body["count"]


@pytest.mark.django_db
def test_search_syntax_typed_in_the_box_is_taken_as_plain_words(agent_client, shelve):
    shelve("Thank you card")
    shelve("Sorry face")

    queries = {
        "thank OR sorry": [],  # every word is required, "or" included
        "thank | sorry": [],
        "NOT sorry": [],
        "NEAR(thank card)": [],
        "title:thank": [],
        "thank*": ["Thank you card"],
        '"thank you"': ["Thank you card"],
        "(thank)": ["Thank you card"],
        "thank:": ["Thank you card"],
        "thank 🙏": ["Thank you card"],
        "!sorry": ["Sorry face"],
    }
    found = {query: titles(agent_client, query) for query in queries}

    assert found == queries


@pytest.mark.django_db
def test_an_empty_query_shows_the_whole_shelf_and_one_without_words_is_refused(
    agent_client, shelve
):
    shelve("Thank you card")
    shelve("Sorry face")

    for query in ("", "   "):
        assert sorted(titles(agent_client, query)) == ["Sorry face", "Thank you card"]
    for query in ("🙏", "?!", "-", '"'):
        assert agent_client.get(SEARCH_URL, {"q": query}).status_code == 400


# Conversation contexts

APPROPRIATENESS = [
    "First contact",
    "Money question",
    "Outage or bug report",
    "Formal customer",
    "Upset customer",
    "Playful",
    "Celebratory",
]
# What each seeded context hides and warns about (shared/domain.md, rules 4-10).
CONTEXTS = {
    "first-contact": (
        "First contact",
        {"First contact", "Playful", "Celebratory"},
        set(),
    ),
    "money-question": (
        "Money question",
        {"Money question", "Playful", "Celebratory"},
        set(),
    ),
    "outage": (
        "Outage or bug report",
        {"Outage or bug report", "Celebratory"},
        {"Playful"},
    ),
    # It sends no GIF at all, so it warns about none (migration 0034).
    "formal": ("Formal customer", {"Formal customer", "Playful"}, set()),
    "upset": ("Upset customer", {"Upset customer", "Celebratory"}, {"Playful"}),
}


@pytest.fixture
def one_of_each_appropriateness(shelve):
    """A GIF per appropriateness tag, titled after it, one with two, one with none."""
    for name in APPROPRIATENESS:
        shelve(name, appropriateness=[name])
    shelve("Playful and celebratory", appropriateness=["Playful", "Celebratory"])
    shelve("Suits anything")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", CONTEXTS)
def test_a_context_hides_what_it_rules_out_and_warns_about_what_it_flags(
    agent_client, one_of_each_appropriateness, slug
):
    # The tag rules, kept for when a lead lets GIFs into a first contact or a
    # formal conversation again (see the test below).
    ConversationContext.objects.filter(slug=slug).update(hides_every_gif=False)
    name, hides, warns = CONTEXTS[slug]
    hidden = set(hides)
    if hides & {"Playful", "Celebratory"}:
        hidden.add("Playful and celebratory")
    everything = {*APPROPRIATENESS, "Playful and celebratory", "Suits anything"}

    results = search(agent_client, context=slug)["results"]

    shown = {result["title"]: result["warnings"] for result in results}
    assert set(shown) == everything - hidden
    for title, warnings in shown.items():
        if title in warns:
            assert len(warnings) == 1, (title, warnings)
            assert title.lower() in warnings[0].lower()
            assert name.lower() in warnings[0].lower()
        else:
            assert warnings == [], (title, warnings)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", CONTEXTS)
def test_a_first_contact_or_a_formal_customer_gets_no_gif_at_all(
    agent_client, one_of_each_appropriateness, slug
):
    """Rules 5 and 4: no GIFs there, as seeded; a lead may change that."""
    answer = search(agent_client, context=slug)

    sends_none = slug in ("first-contact", "formal")
    assert answer["context_hides_every_gif"] is sends_none
    assert (answer["count"] == 0) is sends_none
    assert (answer["results"] == []) is sends_none
    assert search(agent_client, "suits", context=slug)["count"] == (
        0 if sends_none else 1
    )


@pytest.mark.django_db
def test_without_a_context_nothing_is_hidden_and_no_context_warns(
    agent_client, one_of_each_appropriateness
):
    results = search(agent_client)["results"]

    assert len(results) == len(APPROPRIATENESS) + 2
    assert all(result["warnings"] == [] for result in results)


@pytest.mark.django_db
def test_a_context_narrows_a_search_too(agent_client, shelve):
    shelve("Party cat", appropriateness=["Celebratory"])
    shelve("Calm cat")

    assert titles(agent_client, "cat", context="outage") == ["Calm cat"]
    assert sorted(titles(agent_client, "cat")) == ["Calm cat", "Party cat"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"context": "party"}, "party"),
        ({"mood": "Ecstatic"}, "Ecstatic"),
        ({"situation": "Launch day"}, "Launch day"),
        ({"page": "two"}, "page"),
    ],
)
def test_an_unknown_context_mood_situation_or_page_is_a_400(
    agent_client, approved_gif, params, named
):
    response = agent_client.get(SEARCH_URL, {"q": "", **params})

    assert response.status_code == 400
    assert named in error_of(response)


@pytest.mark.django_db
def test_mood_and_situation_narrow_the_results_by_name_in_any_case(
    agent_client, shelve
):
    shelve("Happy cat", mood=["Happy"], situation=["Greeting"])
    shelve("Happy dog", mood=["Happy"], situation=["Goodbye"])
    shelve("Sad cat", mood=["Sorry"], situation=["Greeting"])

    assert sorted(titles(agent_client, mood="happy")) == ["Happy cat", "Happy dog"]
    assert titles(agent_client, "cat", mood="Happy") == ["Happy cat"]
    assert titles(agent_client, mood="HAPPY", situation="goodbye") == ["Happy dog"]


# The search API


@pytest.mark.django_db
def test_each_result_carries_guidance_and_warnings(agent_client, shelve):
    SituationTag.objects.filter(name="Please hold").update(
        use_when="you need a minute", avoid_when="the wait is long"
    )
    shelve(
        "Own notes",
        situation=["Please hold"],
        use_when="the customer sends a kind word.",
        avoid_when="they are still waiting",
    )
    shelve("Tag notes", situation=["Please hold"])
    flashing = shelve("Strobe")
    Gif.objects.filter(pk=flashing.pk).update(
        flash_risk=True, flash_per_second=5, review_flags=["contains_text"]
    )

    results = {result["title"]: result for result in search(agent_client)["results"]}

    assert results["Own notes"]["guidance"] == (
        "Use when the customer sends a kind word. Avoid when they are still waiting."
    )
    assert results["Tag notes"]["guidance"] == (
        "Use when you need a minute. Avoid when the wait is long."
    )
    assert results["Strobe"]["warnings"] == [
        "Flash risk: it flashes 5 times a second.",
        "Review flag: Contains text.",
    ]
    assert results["Own notes"]["warnings"] == []


@pytest.fixture
def thirty_otters(shelve, agent):
    """30 GIFs with several tags each: "few" finds 5 of them, "otter" all."""
    gifs = []
    for number in range(30):
        gif = shelve(
            f"Otter {'few' if number < 5 else 'many'} {number}",
            alt_text=f"Otter number {number} waves.",
            mood=["Happy", "Thank you"],
            situation=["Greeting", "Good news"],
            appropriateness=["Playful", "Formal customer"],
        )
        gifs.append(gif)
    copied(gifs[0], 1, agent)
    return gifs


@pytest.mark.django_db
def test_results_come_24_to_a_page(agent_client, thirty_otters):
    first = search(agent_client, "otter")
    second = search(agent_client, "otter", page=2)

    assert (first["count"], first["page"], first["pages"]) == (30, 1, 2)
    assert (second["count"], second["page"], second["pages"]) == (30, 2, 2)
    assert len(first["results"]) == 24
    assert len(second["results"]) == 6
    ids = [result["id"] for result in first["results"] + second["results"]]
    assert sorted(ids) == sorted(gif.pk for gif in thirty_otters)
    assert ids[0] == thirty_otters[0].pk  # the one copied leads


@pytest.mark.django_db
def test_a_page_past_the_last_is_empty_not_the_last_again(agent_client, thirty_otters):
    past = search(agent_client, "otter", page=3)

    assert (past["count"], past["page"], past["pages"]) == (30, 3, 2)
    assert past["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["0", "-1", "two", str(2**53), str(10**30), "9" * 5_000]
)
def test_a_page_below_one_or_past_what_json_readers_keep_exact_is_refused(
    agent_client, page
):
    response = agent_client.get(SEARCH_URL, {"page": page})

    assert response.status_code == 400
    assert response.json() == {
        "error": "page must be a whole number from 1 to 9007199254740991.",
        "code": "invalid",
    }


@pytest.mark.django_db
def test_the_last_page_json_readers_keep_exact_is_answered_empty(agent_client):
    response = agent_client.get(SEARCH_URL, {"page": str(2**53 - 1)})

    assert response.status_code == 200
    assert response.json()["page"] == 2**53 - 1
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_a_search_costs_the_same_few_queries_for_5_or_24_results(
    agent_client, thirty_otters, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as for_five:
        assert search(agent_client, "few", context="outage")["count"] == 5
    with CaptureQueriesContext(connection) as for_a_page:
        assert search(agent_client, "otter", context="outage")["count"] == 30

    assert len(for_a_page) == len(for_five), [q["sql"] for q in for_a_page]
    # Session, user, their permissions (their own and their role's); the
    # contexts, then what they hide and warn about; the tags and aliases the
    # words may name whole; the count with the page's place in the ranking
    # (two on PostgreSQL); the page's GIFs, then their people, their tags of
    # every vocabulary and their near-duplicates.
    with django_assert_max_num_queries(12):
        search(agent_client, "otter", context="outage")


@pytest.mark.django_db
def test_search_needs_a_login_or_a_token(anonymous_client, approved_gif):
    response = anonymous_client.get(SEARCH_URL, {"q": "thanks"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="gifshelf"'
    assert error_of(response)


@pytest.mark.django_db
def test_a_member_without_a_role_may_not_search(client, approved_gif):
    client.force_login(User.objects.create_user("eve"))

    response = client.get(SEARCH_URL, {"q": "thanks"})

    assert response.status_code == 403
    assert error_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_search_accepts_no_other_method(agent_client, method):
    response = getattr(agent_client, method)(SEARCH_URL)

    assert response.status_code == 405
    assert "GET" in response["Allow"]


# Copies


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["link", "rich", "markdown", "drag"])
def test_a_copy_is_recorded_and_counted(agent_client, agent, approved_gif, format):
    response = agent_client.post(
        copies_url(approved_gif), {"format": format}, content_type="application/json"
    )

    assert response.status_code == 201
    copy = Copy.objects.get()
    assert (copy.gif, copy.agent, copy.format, copy.context) == (
        approved_gif,
        agent,
        format,
        None,
    )
    body = response.json()
    assert body["id"] == copy.pk
    assert body["gif"] == approved_gif.pk
    assert body["format"] == format
    assert body["context"] is None
    approved_gif.refresh_from_db()
    assert approved_gif.copy_count == 1


@pytest.mark.django_db
def test_a_copy_costs_the_session_with_its_member_and_one_write(
    agent_client, approved_gif
):
    with CaptureQueriesContext(connection) as statements:
        response = agent_client.post(copies_url(approved_gif), {"format": "link"})

    assert response.status_code == 201
    sent = [query["sql"] for query in statements]
    # PostgreSQL counts the copy and stores it in one statement (a round
    # trip each costs more than either); SQLite, in process, in BEGIN, the
    # count, the row and COMMIT.
    writes = {"postgresql": 1, "sqlite": 4}[connection.vendor]
    assert len(sent) == 1 + writes, sent
    approved_gif.refresh_from_db()
    assert approved_gif.copy_count == 1
    assert Copy.objects.get().pk == response.json()["id"]


@pytest.mark.django_db
def test_a_copy_may_name_its_conversation_context(agent_client, approved_gif):
    response = agent_client.post(
        copies_url(approved_gif), {"format": "rich", "context": "outage"}
    )

    assert response.status_code == 201
    assert response.json()["context"] == "outage"
    assert Copy.objects.get().context.slug == "outage"


@pytest.mark.django_db
def test_a_copy_in_a_context_that_rules_the_gif_out_is_recorded_and_says_so(
    agent_client, approved_gif
):
    # The tag named after the outage context: only that context hides it.
    outage = ConversationContext.objects.get(slug="outage")
    approved_gif.appropriateness.add(outage.hides.get(name="Outage or bug report"))

    ruled_out = agent_client.post(
        copies_url(approved_gif), {"format": "link", "context": "outage"}
    )
    no_gif_at_all = agent_client.post(
        copies_url(approved_gif), {"format": "link", "context": "first-contact"}
    )
    fitting = agent_client.post(
        copies_url(approved_gif), {"format": "link", "context": "upset"}
    )

    assert ruled_out.status_code == 201
    assert ruled_out.json()["ruled_out"].startswith("Ruled out for “Outage")
    assert "Do not send it" in ruled_out.json()["ruled_out"]
    assert "house rules send none here" in no_gif_at_all.json()["ruled_out"]
    assert fitting.json()["ruled_out"] is None
    assert Copy.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{}, {"format": "gif"}, {"format": ""}, {"format": "link", "context": "party"}],
)
def test_a_copy_without_a_known_format_or_context_is_refused(
    agent_client, approved_gif, data
):
    response = agent_client.post(
        copies_url(approved_gif), data, content_type="application/json"
    )

    assert response.status_code == 400
    assert error_of(response)
    assert not Copy.objects.exists()
    approved_gif.refresh_from_db()
    assert approved_gif.copy_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("context", [["outage"], {"slug": "outage"}, 5, True])
def test_a_copy_whose_context_is_not_a_slug_is_told_so(
    agent_client, approved_gif, context
):
    response = agent_client.post(
        copies_url(approved_gif),
        {"format": "link", "context": context},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "context is a conversation context's slug" in error_of(response)
    assert not Copy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{bad", "[1]", '"link"'])
def test_a_copy_whose_body_is_not_a_json_object_is_told_so(
    agent_client, approved_gif, body
):
    response = agent_client.post(
        copies_url(approved_gif), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert error_of(response) == "Send a JSON object or form fields."
    assert not Copy.objects.exists()


@pytest.mark.django_db
def test_only_what_agents_can_find_can_be_copied(
    agent_client, agent, curator, lead, pending_gif, shelve
):
    rejected = shelve("Rejected", status=Gif.Status.REJECTED)
    flagged = shelve("Flagged")
    flagged.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    retired = shelve("Retired")
    retired.retire(by=lead, reason="Overused.")
    taken_down = shelve("Taken down")
    taken_down.take_down(by=lead, reason="A rights holder asked.")
    restored = shelve("Restored")
    restored.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    restored.restore(by=curator)

    for gif in (pending_gif, rejected, flagged, retired, taken_down):
        response = agent_client.post(copies_url(gif), {"format": "link"})
        assert response.status_code == 404, gif.title
        assert error_of(response)
    for unknown in (10**9, 2**63 - 1, 2**63, 10**23):  # past 2**63: no GIF's id
        response = agent_client.post(copies_url(unknown), {"format": "link"})
        assert response.status_code == 404, unknown
        assert error_of(response) == "No such GIF on the shelf."
    response = agent_client.post(copies_url(restored), {"format": "link"})
    assert response.status_code == 201

    # The copy's own check of what is listed agrees with the search's.
    assert set(Gif.objects.listed().values_list("pk", flat=True)) == {restored.pk}
    assert list(Copy.objects.values_list("gif", flat=True)) == [restored.pk]
    counted = Gif.objects.filter(copy_count__gt=0)
    assert dict(counted.values_list("pk", "copy_count")) == {restored.pk: 1}


@pytest.mark.django_db
def test_copies_are_posted_only(agent_client, approved_gif):
    response = agent_client.get(copies_url(approved_gif))

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.django_db
def test_copies_need_a_login_and_a_role(client, approved_gif):
    assert client.post(copies_url(approved_gif), {"format": "link"}).status_code == 401
    client.force_login(User.objects.create_user("eve"))
    assert client.post(copies_url(approved_gif), {"format": "link"}).status_code == 403
    assert not Copy.objects.exists()


# Personal API tokens


@pytest.mark.django_db
def test_a_personal_token_searches_without_a_session(agent, shelve):
    shelve("Bowing cat", mood=["Thank you"])
    token, key = ApiToken.issue(agent, "Slack bot")

    response = Client().get(SEARCH_URL, {"q": "thank"}, headers=bearer(key))

    assert response.status_code == 200
    assert [r["title"] for r in response.json()["results"]] == ["Bowing cat"]
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_token_records_its_last_use_to_the_minute_without_a_write_per_request(
    agent,
):
    token, key = ApiToken.issue(agent, "Slack bot")
    bot = Client()
    this_minute = timezone.now().replace(second=0, microsecond=0)
    early, late = (this_minute + timedelta(seconds=s) for s in (5, 55))

    with mock.patch("django.utils.timezone.now", return_value=early):
        assert bot.get(SEARCH_URL, headers=bearer(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == early

    with (
        mock.patch("django.utils.timezone.now", return_value=late),
        CaptureQueriesContext(connection) as queries,
    ):
        assert bot.get(SEARCH_URL, headers=bearer(key)).status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == early

    # Ten seconds later, but in the next minute of the clock: the profile
    # would show the minute before, so this request writes its own.
    next_minute = late + timedelta(seconds=10)
    with mock.patch("django.utils.timezone.now", return_value=next_minute):
        assert bot.get(SEARCH_URL, headers=bearer(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == next_minute


@pytest.mark.django_db
def test_a_personal_token_records_copies_without_a_csrf_token(agent, approved_gif):
    _, key = ApiToken.issue(agent, "Slack bot")
    browserless = Client(enforce_csrf_checks=True)

    response = browserless.post(
        copies_url(approved_gif),
        {"format": "markdown"},
        content_type="application/json",
        headers=bearer(key),
    )

    assert response.status_code == 201
    assert Copy.objects.get().agent == agent


@pytest.mark.django_db
def test_a_session_copy_without_the_csrf_token_is_refused(agent, approved_gif):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)

    response = browser.post(copies_url(approved_gif), {"format": "link"})

    assert response.status_code == 403
    assert "CSRF" in error_of(response)
    assert not Copy.objects.exists()


@pytest.mark.django_db
def test_a_session_copy_with_the_csrf_token_is_recorded(agent, approved_gif):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    secret = get_random_string(32)
    browser.cookies["csrftoken"] = secret

    response = browser.post(
        copies_url(approved_gif), {"format": "link"}, headers={"X-CSRFToken": secret}
    )

    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_revoked_or_wrong_token_is_a_401(agent, approved_gif, method):
    token, key = ApiToken.issue(agent, "Slack bot")
    token.revoke()
    url = SEARCH_URL if method == "get" else copies_url(approved_gif)

    for sent in (key, "gs_not-a-token", ""):
        response = getattr(Client(enforce_csrf_checks=True), method)(
            url, {"format": "link"}, headers=bearer(sent)
        )
        assert response.status_code == 401, sent
        assert response["WWW-Authenticate"] == 'Bearer realm="gifshelf"'
        assert error_of(response)
    assert not Copy.objects.exists()


@pytest.mark.django_db
def test_a_token_of_a_member_without_a_role_or_no_longer_active_gets_nothing(
    approved_gif,
):
    eve = User.objects.create_user("eve")
    _, key = ApiToken.issue(eve, "Script")
    assert Client().get(SEARCH_URL, headers=bearer(key)).status_code == 403

    eve.is_active = False
    eve.save()

    assert Client().get(SEARCH_URL, headers=bearer(key)).status_code == 401


@pytest.mark.django_db
def test_only_a_hash_of_a_token_is_stored(agent):
    token, key = ApiToken.issue(agent, "Slack bot")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()

    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert not [value for value in stored.values() if key in str(value)]


# The index the picker pages through (ranked) agrees with the plain ranking


@pytest.fixture
def crafted_shelf(shelve, agent, lead):
    """GIFs in every tier for "thank you", with popularity ties, contexts,
    moods, situations, an alias, and GIFs that come and go off the shelf."""
    TagAlias.objects.create(name="спасибо", target="Thank you")
    made = [
        shelve("Thank you cat", mood=["Thank you"], appropriateness=["Playful"]),
        shelve("Bowing dog", mood=["Thank you", "Happy"], situation=["Goodbye"]),
        shelve("Thank you kindly", situation=["Greeting"]),
        shelve("Thankful_otter waves", alt_text="An otter says thank you."),
        shelve("Owl", use_when="a thank you note arrives"),
        shelve("Party hat", mood=["Happy"], appropriateness=["Celebratory"]),
        shelve("Sorry cat", mood=["Sorry"], appropriateness=["Formal customer"]),
        shelve("Спасибо большое", mood=["Thank you"]),
        shelve("Hold on", situation=["Please hold"], use_when="thank them first"),
        shelve("You rock", mood=["Happy"], appropriateness=["Playful", "Celebratory"]),
    ]
    for gif, times in zip(made, [2, 0, 2, 5, 0, 3, 1, 0, 2, 0], strict=True):
        copied(gif, times, agent)
    flagged = shelve("Thank you flagged", mood=["Thank you"])
    flagged.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    restored = shelve("Thank you restored", mood=["Thank you"])
    restored.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    restored.restore(by=lead)
    shelve("Thank you pending", mood=["Thank you"], status=Gif.Status.PENDING)
    retired = shelve("Thank you retired", mood=["Thank you"])
    retired.retire(by=lead, reason="Worn out.")
    return made


RANKING_CASES = [
    {},
    {"query": "thank you"},
    {"query": "thank"},
    {"query": "th"},
    {"query": "спасибо"},
    {"query": "thankful"},
    {"query": "otter"},
    {"query": "cat"},
    {"query": "thank -cat"},
    {"query": "-cat"},
    {"query": "-thank -happy"},
    {"query": "🙏"},
    {"query": "thank you", "context": "outage"},
    {"query": "", "context": "formal"},
    {"query": "-sorry", "context": "upset"},
    {"query": "", "mood": "Happy"},
    {"query": "thank", "mood": "Thank you"},
    {"query": "", "situation": "Greeting", "context": "outage"},
    {"query": "nothing like it"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", RANKING_CASES, ids=[str(c) for c in RANKING_CASES])
def test_the_paged_ranking_is_the_plain_ranking(crafted_shelf, case):

    choices = {
        "query": case.get("query", ""),
        "mood": MoodTag.objects.filter(name=case.get("mood")).first(),
        "situation": SituationTag.objects.filter(name=case.get("situation")).first(),
        "context": ConversationContext.objects.filter(slug=case.get("context")).first(),
    }
    expected = list(Gif.objects.pick(**choices).values_list("pk", flat=True))

    for per_page in (1, 3, 24):
        ranked = Gif.objects.ranked(**choices, per_page=per_page)
        assert ranked.count() == len(expected)
        for start, stop in ((0, per_page), (0, 3), (2, 5), (4, 100), (9, 10)):
            window = [gif.pk for gif in ranked[start:stop]]
            assert window == expected[start:stop], (per_page, start, stop)


@pytest.mark.django_db
def test_a_page_of_cards_loads_what_for_cards_loads_and_honours_filters(
    shelve, upload_gif, agent
):
    """ranked() loads its pages by a plain statement (cards_by_pk): the cards
    must be the ones for_cards() gives, field for field, and a filtered
    queryset must keep its filter."""
    shown = shelve("Thank you wave", mood=["Thank you"], situation=["Greeting"])
    waiting = upload_gif(title="Not yet reviewed")
    pks = [shown.pk, waiting.pk]

    loaded = Gif.objects.cards_by_pk(pks)
    expected = Gif.objects.for_cards().in_bulk(pks)
    assert loaded.keys() == expected.keys() == set(pks)
    for pk in pks:
        card, reference = loaded[pk], expected[pk]
        deferred = card.get_deferred_fields()
        assert deferred == reference.get_deferred_fields()
        fields = [f.attname for f in Gif._meta.concrete_fields]
        assert len(fields) - len(deferred) > 20
        assert {
            name: getattr(card, name) for name in fields if name not in deferred
        } == {name: getattr(reference, name) for name in fields if name not in deferred}
        assert (card._state.db, card._state.adding) == (reference._state.db, False)
        assert card.uploaded_by.username == reference.uploaded_by.username
        assert card.mood_tags == reference.mood_tags
        assert card.situation_tags == reference.situation_tags
    assert [tag.name for tag in loaded[shown.pk].mood_tags] == ["Thank you"]

    # Whatever narrows the queryset narrows the cards.
    assert Gif.objects.approved().cards_by_pk(pks).keys() == {shown.pk}
    assert Gif.objects.extra(where=["1 = 0"]).cards_by_pk(pks) == {}
    prefetched = Gif.objects.prefetch_related("copies").cards_by_pk(pks)
    with CaptureQueriesContext(connection) as queries:
        assert list(prefetched[shown.pk].copies.all()) == []
    assert len(queries) == 0


@pytest.mark.django_db
def test_refreshing_the_index_reads_a_gifs_tags_once(shelve):
    gif = shelve("Thank you wave", mood=["Thank you"], situation=["Greeting"])
    TagAlias.objects.create(name="cheers", target="Thank you")
    Gif.objects.filter(pk=gif.pk).update(search_tags="", search_facets="")
    gif = Gif.objects.get(pk=gif.pk)

    with CaptureQueriesContext(connection) as queries:
        gif.refresh_search_document()

    vocabularies = ("library_moodtag", "library_situationtag", "library_appropr")
    tag_reads = [q for q in queries if any(t in q["sql"] for t in vocabularies)]
    assert len(tag_reads) == 1, [q["sql"][:120] for q in tag_reads]
    stored = Gif.objects.get(pk=gif.pk)
    tags = [gif.mood_tags[0], gif.situation_tags[0]]
    names = [name for tag in tags for name in tag.names]
    assert "Thank you" in names and len(names) > 2  # Russian names too
    assert stored.search_tags == search_index.tag_keys([*names, "cheers"])
    assert stored.search_facets == search_index.facets(
        [("mood", gif.mood_tags[0].pk), ("situation", gif.situation_tags[0].pk)]
    )


@pytest.mark.django_db
def test_the_index_follows_flags_status_and_copies(agent_client, shelve, agent, lead):
    quiet = shelve("Thank you quiet", mood=["Thank you"])
    loud = shelve("Thank you loud", mood=["Thank you"])
    assert titles(agent_client, "thank") == ["Thank you loud", "Thank you quiet"]

    copied(quiet, 2, agent)
    assert titles(agent_client, "thank") == ["Thank you quiet", "Thank you loud"]

    AgentFlag.objects.create(gif=quiet, raised_by=agent, reason="other")
    AgentFlag.objects.create(gif=quiet, raised_by=lead, reason="other")
    assert titles(agent_client, "thank") == ["Thank you loud"]
    quiet.restore(by=lead)
    assert titles(agent_client, "thank") == ["Thank you quiet", "Thank you loud"]

    Gif.objects.filter(pk=loud.pk).update(status=Gif.Status.RETIRED)
    assert search(agent_client, "thank")["count"] == 1
    Gif.objects.filter(pk=loud.pk).update(status=Gif.Status.APPROVED)
    assert search(agent_client, "")["count"] == 2

    quiet.delete()
    assert titles(agent_client, "") == ["Thank you loud"]
