"""A search that finds nothing because of a typo offers the words the agent
meant: "thnaks" finds nothing, "thanks" does. On both databases."""

import pytest

from library import search
from library.models import ConversationContext, Gif, MoodTag

KNOWN = sorted(
    [
        *("thank", "thanks", "you", "sorry", "working", "on", "it", "спасибо"),
        *("clap", "cat", "round", "congratulations"),
    ]
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("thnaks", "thanks"),
        ("cta", "cat"),  # two letters swapped, in a short word
        ("sory", "sorry"),
        ("wrking on it", "working on it"),
        ("спосибо", "спасибо"),  # Russian typos too
        ("Slow clpa", "Slow clap"),  # words that match stay as typed
        ("congradulatoins", "congratulations"),  # two typos in a long word
    ],
)
def test_a_misspelt_word_is_put_right(typed, meant):
    assert search.corrected(typed, KNOWN) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "than",  # begins a known word: the search finds it already
        "xyzzy",  # nothing close
        "wrecking",  # three typos from “working”: too far to guess
        "refund",  # a real word two changes from “round”, meant as typed
        "-thnak",  # a word to leave out is not looked for
        "th",  # too short to guess
    ],
)
def test_no_guess_when_nothing_needs_putting_right(typed):
    assert search.corrected(typed, KNOWN) is None


def api_search(client, **params):
    response = client.get("/api/gifs/", params)
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_a_search_that_finds_nothing_says_what_would(agent_client, upload_gif):
    upload_gif(
        title="Bowing cat",
        mood=[MoodTag.objects.get(name="Thank you")],
        status=Gif.Status.APPROVED,
    )

    missed = api_search(agent_client, q="thnak")
    found = api_search(agent_client, q="thank")

    assert missed["count"] == 0
    assert missed["did_you_mean"] == "thank"
    assert found["did_you_mean"] is None  # found something: nothing to suggest
    assert [gif["title"] for gif in found["results"]] == ["Bowing cat"]
    assert api_search(agent_client, q="bowign")["did_you_mean"] == "bowing"


@pytest.mark.django_db
def test_short_words_agents_type_are_not_taken_for_filler_words(
    agent_client, upload_gif
):
    # Alt text and notes are full of function words ("the", "now", "что"): a chat
    # word typed as meant is one letter from one of them.
    upload_gif(
        title="Take a bow",
        alt_text="the fix is under way and they will hear from you now",
        alt_text_ru="ради того, чтобы его починить",
        status=Gif.Status.APPROVED,
    )

    for typed in ("thx", "wow", "yay", "hey", "ого"):
        answer = api_search(agent_client, q=typed)
        assert answer["count"] == 0
        assert answer["did_you_mean"] is None, typed
    page = agent_client.get("/", {"q": "thx"}).content.decode()
    assert "Did you mean" not in page


@pytest.mark.django_db
def test_real_typos_still_get_their_suggestion(agent_client, upload_gif):
    upload_gif(
        title="Thanks for your patience",
        alt_text="say sorry when the customer waited",
        alt_text_ru="спасибо за терпение",
        status=Gif.Status.APPROVED,
    )

    for typed, meant in [
        ("thnaks", "thanks"),
        ("sory", "sorry"),
        ("спасиба", "спасибо"),
        ("patiance", "patience"),
    ]:
        assert api_search(agent_client, q=typed)["did_you_mean"] == meant, typed
    page = agent_client.get("/", {"q": "thnaks"}).content.decode()
    assert "Did you mean" in page and "“thanks”" in page


@pytest.mark.django_db
def test_no_suggestion_that_would_find_nothing_either(agent_client, upload_gif):
    upload_gif(
        title="Party parrot",
        status=Gif.Status.APPROVED,
        appropriateness=["Upset customer"],
    )
    upset = ConversationContext.objects.get(slug="upset")
    assert upset.hides.filter(name="Upset customer").exists()

    anywhere = api_search(agent_client, q="parot")
    in_upset = api_search(agent_client, q="parot", context="upset")

    assert anywhere["did_you_mean"] == "parrot"
    assert in_upset["did_you_mean"] is None  # the context rules the GIF out


@pytest.mark.django_db
def test_words_of_gifs_not_on_the_shelf_are_never_suggested(agent_client, upload_gif):
    upload_gif(title="Secret pending wink")  # awaits review

    assert api_search(agent_client, q="wnik")["did_you_mean"] is None


@pytest.mark.django_db
def test_a_gif_taken_off_the_shelf_is_no_longer_suggested(
    agent_client, lead, upload_gif
):
    gif = upload_gif(title="Slow clap", status=Gif.Status.APPROVED)
    assert api_search(agent_client, q="clpa")["did_you_mean"] == "clap"

    gif.retire(by=lead, reason="Overused.")

    assert api_search(agent_client, q="clpa")["did_you_mean"] is None
