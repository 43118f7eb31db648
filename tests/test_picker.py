"""The agent's picker through the Django client: the page and its partials,
filter chips with counts, conversation contexts kept in the session, the rows
above an empty search, favourites, the preview panel and preferences."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library import views
from library.models import (
    AgentFlag,
    AppropriatenessTag,
    ConversationContext,
    Copy,
    Favourite,
    Gif,
    MoodTag,
    Preferences,
    SituationTag,
)
from tests import images

HTMX = {"HTTP_HX_REQUEST": "true"}


def mood(name):
    return MoodTag.objects.get(name=name)


def situation(name):
    return SituationTag.objects.get(name=name)


def unsuitable(name):
    return AppropriatenessTag.objects.get(name=name)


@pytest.fixture
def on_shelf(upload_gif):
    """on_shelf(title, **tags) puts an approved GIF on the shelf."""

    def put(title, **fields):
        fields.setdefault("alt_text", f"{title}, animated.")
        return upload_gif(title=title, status=Gif.Status.APPROVED, **fields)

    return put


@pytest.fixture
def shelf(on_shelf):
    """A small shelf: two grateful GIFs, one sorry one, one for celebrations
    (hidden in an outage) and one playful one (a warning in an outage)."""
    return {
        "thanks": on_shelf(
            "Thank you!",
            mood=[mood("Grateful")],
            situation=[situation("Thanks for your patience")],
        ),
        "bow": on_shelf("Deep bow", mood=[mood("Grateful")]),
        "sorry": on_shelf(
            "Sorry!", mood=[mood("Sorry")], situation=[situation("Apology")]
        ),
        "party": on_shelf(
            "Party time",
            mood=[mood("Celebrating")],
            appropriateness=[unsuitable("Celebratory")],
        ),
        "wink": on_shelf(
            "Winking face",
            mood=[mood("Happy")],
            appropriateness=[unsuitable("Playful")],
        ),
    }


def page_of(response):
    return response.content.decode()


def main_of(response):
    page = page_of(response)
    return page[page.index('<main id="main">') :]


def results(client, headers=None, **params):
    """The results partial, as htmx asks for it."""
    return client.get(
        reverse("library:picker_results"), params, **HTMX, **(headers or {})
    )


def choose_context(client, slug, stamp=None, **extra):
    data = {"context": slug, **({"stamp": stamp} if stamp else {})}
    return client.post(reverse("library:picker_context"), data, **extra)


# Access


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, name, args",
    [
        ("get", "library:home", []),
        ("get", "library:picker_results", []),
        ("get", "library:picker_preview", [1]),
        ("get", "library:preferences", []),
        ("post", "library:picker_context", []),
        ("post", "library:favourite", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, method, name, args):
    response = getattr(anonymous_client, method)(reverse(name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "curator", "lead"])
def test_every_role_can_pick_a_gif(client_for, shelf, role):
    client = client_for(role)

    page = main_of(client.get(reverse("library:home")))
    partial = page_of(results(client, q="thank"))

    assert "Thank you!" in page
    assert "Thank you!" in partial
    assert client.get(reverse("library:preferences")).status_code == 200


@pytest.mark.django_db
def test_a_member_without_a_role_is_refused(client, shelf):
    client.force_login(User.objects.create_user("stranger"))

    assert client.get(reverse("library:home")).status_code == 403
    assert results(client, q="thank").status_code == 403


@pytest.mark.django_db
def test_choosing_a_context_needs_a_post(agent_client):
    response = agent_client.get(reverse("library:picker_context"))

    assert response.status_code == 405


@pytest.mark.django_db
def test_favourites_need_a_post(agent_client, shelf):
    response = agent_client.get(reverse("library:favourite", args=[shelf["bow"].pk]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_the_header_links_the_preferences(agent_client):
    page = page_of(agent_client.get(reverse("library:home")))
    navigation = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]

    assert reverse("library:preferences") in navigation


# The page and its results


@pytest.mark.django_db
def test_only_listed_gifs_are_on_offer(agent_client, on_shelf, upload_gif, agent):
    on_shelf("On the shelf")
    upload_gif(title="Still pending")
    flagged = on_shelf("Flagged by someone")
    flagged.flag(by=agent, reason=AgentFlag.Reason.BROKEN)

    page = main_of(agent_client.get(reverse("library:home")))

    assert "On the shelf" in page
    assert "Still pending" not in page
    assert "Flagged by someone" not in page


@pytest.mark.django_db
def test_the_page_searches_without_javascript(agent_client, shelf):
    response = agent_client.get(reverse("library:home"), {"q": "sorry"})

    page = main_of(response)
    assert 'value="sorry"' in page
    assert "Sorry!" in page
    assert "Deep bow" not in page
    assert "1 match for “sorry”" in page
    assert 'action="/"' in page and 'method="get"' in page


@pytest.mark.django_db
def test_the_search_box_is_focused_and_typing_fetches_the_results_partial(
    agent_client,
):
    page = main_of(agent_client.get(reverse("library:home")))

    assert 'id="picker-q"' in page and "autofocus" in page
    assert f'hx-get="{reverse("library:picker_results")}"' in page
    assert "input changed delay:150ms" in page


@pytest.mark.django_db
def test_the_results_partial_holds_only_results_and_pushes_the_query(
    agent_client, shelf
):
    response = results(agent_client, q="thank")

    partial = page_of(response)
    assert "<html" not in partial
    assert "Thank you!" in partial
    assert "Sorry!" not in partial
    assert response["HX-Push-Url"] == "/?q=thank"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, query, title",
    [
        ("en", "thank", "<title>“thank” · gifshelf</title>"),
        ("en", "", "<title>Picker · gifshelf</title>"),
        ("en", "🙂", "<title>Picker · gifshelf</title>"),  # nothing searched
        ("ru", "thank", "<title>«thank» · gifshelf</title>"),
    ],
)
def test_the_results_partial_brings_the_page_title_a_full_page_has(
    agent_client, shelf, language, query, title
):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    partial = page_of(results(agent_client, headers=headers, q=query))
    full = page_of(agent_client.get(reverse("library:home"), {"q": query}, **headers))

    # htmx puts a title at the root of the partial in the document's.
    assert partial.lstrip().startswith(title)
    assert title in full


@pytest.mark.django_db
def test_the_results_partial_does_not_push_the_url_it_is_already_on(
    agent_client, shelf
):
    response = results(
        agent_client,
        headers={"HTTP_HX_CURRENT_URL": "http://testserver/?q=thank"},
        q="thank",
    )

    assert "HX-Push-Url" not in response


@pytest.mark.django_db
def test_a_search_typed_on_from_the_last_replaces_its_history_entry(
    agent_client, shelf
):
    response = results(
        agent_client,
        headers={
            "HTTP_HX_CURRENT_URL": "http://testserver/?q=than",
            "HTTP_PICKER_HISTORY": "replace",
        },
        q="thank",
    )

    assert response["HX-Replace-Url"] == "/?q=thank"
    assert "HX-Push-Url" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["🙂", "!!!", "🙂 ?!"])
def test_a_search_of_only_emoji_or_punctuation_says_it_searched_nothing(
    agent_client, shelf, typed
):
    page = page_of(results(agent_client, q=typed))

    assert (
        "Search needs letters or numbers. Type a word, such as a mood or a "
        "situation (“thanks”, “sorry”); until then this is the whole shelf, "
        "unsearched." in page
    )
    assert typed not in page  # not echoed back, nor into the chips' links
    assert "q=" not in page
    assert "5 GIFs" in page
    assert "match" not in page.replace("No GIFs match", "")  # no "5 matches"


@pytest.mark.django_db
def test_an_unsearchable_query_that_a_filter_empties_says_what_to_type(
    agent_client, shelf
):
    page = page_of(results(agent_client, q="🙂", mood="Grateful", situation="Apology"))

    assert "Type a word, such as a mood or a situation" in page
    assert "Nothing matches with the mood Grateful in the situation Apology." in page
    assert "🙂" not in page
    assert "%F0%9F%99%82" not in page  # nor in a link to drop a filter


@pytest.mark.django_db
def test_a_search_for_a_word_among_punctuation_still_searches(agent_client, shelf):
    page = page_of(results(agent_client, q="!!sorry!!"))

    assert "letters or numbers" not in page
    assert "1 match for “!!sorry!!”" in page


@pytest.mark.django_db
def test_the_note_on_an_unsearchable_query_is_in_russian(agent_client, shelf):
    page = page_of(
        results(agent_client, q="🙂", headers={"HTTP_ACCEPT_LANGUAGE": "ru"})
    )

    assert "Для поиска нужны буквы или цифры. Введите слово" in page
    assert "5 гифок" in page


@pytest.mark.django_db
def test_the_results_partial_opened_as_a_page_goes_to_the_picker(agent_client):
    response = agent_client.get(
        reverse("library:picker_results"), {"q": "thank", "mood": "Grateful"}
    )

    assert response.status_code == 302
    assert response.url == "/?q=thank&mood=Grateful"


@pytest.mark.django_db
def test_cards_show_title_chips_guidance_and_a_lazy_sized_preview(
    agent_client, on_shelf
):
    gif = on_shelf(
        "Thank you!",
        mood=[mood("Grateful")],
        situation=[situation("Thanks for your patience")],
    )
    Gif.objects.filter(pk=gif.pk).update(
        use_when="the customer waited patiently", avoid_when="you still owe them"
    )
    gif.refresh_from_db()

    page = page_of(results(agent_client, q="thank"))

    width, height = gif.preview_size
    assert f'src="{gif.preview_path}"' in page
    assert f'width="{width}" height="{height}" loading="lazy"' in page
    assert '<li class="chip mood">Grateful</li>' in page
    assert '<li class="chip situation">Thanks for your patience</li>' in page
    assert "Use when the customer waited patiently." in page
    assert f'data-link="http://testserver{gif.original_path}"' in page
    # Reduced motion asks for the still instead.
    assert (
        f'<source media="(prefers-reduced-motion: reduce)" srcset="{gif.still_path}">'
        in page
    )
    # Without JavaScript the card opens the GIF's own page.
    assert f'href="{reverse("library:gif_detail", args=[gif.pk])}"' in page


@pytest.mark.django_db
def test_cards_show_flash_and_review_flag_warnings(agent_client, on_shelf):
    gif = on_shelf("Strobe")
    Gif.objects.filter(pk=gif.pk).update(
        flash_risk=True, flash_per_second=5, review_flags=["contains_text"]
    )

    page = page_of(results(agent_client, q="strobe"))

    assert "Flash risk: it flashes 5 times a second." in page
    assert "Review flag: Contains text." in page


@pytest.mark.django_db
def test_an_agent_who_turned_animation_off_gets_stills(agent_client, agent, shelf):
    Preferences.objects.create(user=agent, animate=False)

    page = page_of(results(agent_client, q="sorry"))

    gif = shelf["sorry"]
    assert f'src="{gif.still_path}" data-moving="{gif.preview_path}"' in page
    assert 'data-animate="false"' in main_of(agent_client.get("/"))


@pytest.mark.django_db
def test_the_copy_button_names_the_agents_default_format(agent_client, agent, shelf):
    Preferences.objects.create(user=agent, copy_format="markdown")

    page = page_of(results(agent_client, q="sorry"))

    assert 'data-copy="markdown"' in page
    assert "Copy Markdown" in page


@pytest.mark.django_db
def test_many_results_come_a_page_at_a_time(agent_client, on_shelf, monkeypatch):
    monkeypatch.setattr(views, "PICKER_PAGE_SIZE", 2)
    for title in ("Wave one", "Wave two", "Wave three"):
        on_shelf(title)

    first = page_of(results(agent_client, q="wave"))
    more = results(agent_client, q="wave", page=2)

    assert first.count("data-card-link") == 2
    assert "/picker/results/?q=wave&amp;page=2" in first
    assert page_of(more).count("data-card-link") == 1
    assert "Show more" not in page_of(more)
    assert "HX-Push-Url" not in more


# Empty states


@pytest.mark.django_db
def test_an_empty_shelf_says_so(agent_client):
    page = main_of(agent_client.get(reverse("library:home")))

    assert "Nothing approved on the shelf yet." in page


@pytest.mark.django_db
def test_a_search_that_finds_nothing_suggests_what_to_try(agent_client, shelf):
    page = page_of(results(agent_client, q="zebra crossing"))

    assert "Nothing matches “zebra crossing”." in page
    assert "Try fewer words" in page


@pytest.mark.django_db
def test_an_earlier_context_click_that_arrives_last_does_not_win(agent_client, shelf):
    # "Outage" clicked, then "Any conversation": the browser abandons the
    # first request, but the server gets it after the second.
    choose_context(agent_client, "", stamp="1700000000002", **HTMX)
    late = page_of(
        agent_client.post(
            reverse("library:picker_context"),
            {"context": "outage", "stamp": "1700000000001"},
            **HTMX,
        )
    )

    assert 'id="context-any" class="context-chip" aria-pressed="true"' in late
    assert "5 GIFs" in page_of(results(agent_client))  # unfiltered: the later wins


@pytest.mark.django_db
def test_a_later_context_click_wins_and_one_without_a_stamp_always_applies(
    agent_client, shelf
):
    choose_context(agent_client, "outage", stamp="1700000000001", **HTMX)
    choose_context(agent_client, "", stamp="1700000000002", **HTMX)
    assert "5 GIFs" in page_of(results(agent_client))

    choose_context(agent_client, "outage")  # a plain form, no JavaScript
    assert "fit for “Outage or bug report”" in page_of(results(agent_client))


@pytest.mark.django_db
def test_a_search_that_the_context_empties_says_how_many_it_hides(agent_client, shelf):
    choose_context(agent_client, "outage")

    page = page_of(results(agent_client, q="party"))

    assert "Nothing matches “party” that fits “Outage or bug report”." in page
    assert "1 GIF matches but is ruled out for “Outage or bug report”." in page


@pytest.mark.django_db
def test_a_filter_that_finds_nothing_offers_to_drop_it(agent_client, shelf):
    page = page_of(results(agent_client, q="sorry", mood="Grateful"))

    assert "Nothing matches “sorry” with the mood Grateful." in page
    assert "Look in every mood" in page
    assert 'href="/?q=sorry"' in page


# Mood and situation chips


def chip(page, vocabulary, tag):
    """The text of `tag`'s chip: name and count, or None without a chip."""
    anchor = f'id="{vocabulary}-{tag.pk}"'
    if anchor not in page:
        return None
    start = page.index(anchor)
    return page[start : page.index("</a>", start)]


@pytest.mark.django_db
def test_chips_count_the_moods_and_situations_of_the_current_results(
    agent_client, shelf
):
    everything = page_of(results(agent_client))
    thanks = page_of(results(agent_client, q="thank"))

    assert 'Grateful <span class="n">2</span>' in chip(
        everything, "mood", mood("Grateful")
    )
    assert 'Sorry <span class="n">1</span>' in chip(everything, "mood", mood("Sorry"))
    assert 'Apology <span class="n">1</span>' in chip(
        everything, "situation", situation("Apology")
    )
    assert 'Grateful <span class="n">1</span>' in chip(thanks, "mood", mood("Grateful"))
    assert chip(thanks, "mood", mood("Sorry")) is None
    assert chip(everything, "mood", mood("Angry")) is None


@pytest.mark.django_db
def test_chip_counts_leave_out_what_the_context_hides(agent_client, shelf):
    choose_context(agent_client, "outage")

    page = page_of(results(agent_client))

    assert chip(page, "mood", mood("Celebrating")) is None
    assert 'Happy <span class="n">1</span>' in chip(page, "mood", mood("Happy"))


@pytest.mark.django_db
def test_a_mood_chip_narrows_the_results_and_a_second_click_widens_them(
    agent_client, shelf
):
    page = page_of(results(agent_client))
    grateful = chip(page, "mood", mood("Grateful"))

    assert 'href="/?mood=Grateful"' in grateful
    narrowed = page_of(results(agent_client, mood="Grateful"))
    assert "Deep bow" in narrowed and "Thank you!" in narrowed
    assert "Sorry!" not in narrowed
    assert 'class="filter-chip is-on"' in chip(narrowed, "mood", mood("Grateful"))
    assert 'href="/"' in chip(narrowed, "mood", mood("Grateful"))
    # The chosen mood rides along with the next search.
    assert (
        '<input type="hidden" name="mood" value="Grateful" form="picker-search">'
        in narrowed
    )


@pytest.mark.django_db
def test_chips_keep_the_query_and_the_other_filter(agent_client, shelf):
    page = page_of(
        results(agent_client, q="thank", situation="Thanks for your patience")
    )

    assert (
        'href="/?q=thank&amp;mood=Grateful&amp;situation=Thanks+for+your+patience"'
        in chip(page, "mood", mood("Grateful"))
    )


@pytest.mark.django_db
def test_a_stale_mood_link_shows_everything_and_says_why(agent_client, shelf):
    page = page_of(results(agent_client, mood="Jubilant"))

    assert "There is no mood called “Jubilant”." in page
    assert "Sorry!" in page and "Deep bow" in page


# Conversation contexts


@pytest.mark.django_db
def test_a_card_holds_still_on_a_frame_with_something_to_see(agent_client, on_shelf):
    blank = images.solid((255, 255, 255), (120, 90))
    cartoon = images.scene_frames(6, size=(120, 90), seed=3)
    fades_in = on_shelf(
        "Fades in", data=images.encode([blank, *cartoon[1:]], "GIF", duration=80)
    )
    plain = on_shelf("Plain", data=images.encode(cartoon, "GIF", duration=80))
    poster = reverse(
        "public_frame", kwargs={"public_id": fades_in.public_id, "frame": 1}
    )

    page = page_of(agent_client.get(reverse("library:home")))

    assert f'data-still="{poster}"' in page
    assert f'data-still="{plain.still_path}"' in page
    assert f'data-still="{fades_in.still_path}"' not in page
    frame = agent_client.get(poster)
    assert frame.status_code == 200
    assert frame["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_flagging_from_the_preview_comes_back_to_the_same_search(agent_client, shelf):
    search_url = reverse("library:home") + "?q=bow"
    panel = page_of(
        agent_client.get(
            reverse("library:picker_preview", args=[shelf["bow"].pk]),
            HTTP_HX_CURRENT_URL=f"http://testserver{search_url}",
            **HTMX,
        )
    )
    assert f'<input type="hidden" name="next" value="{search_url}">' in panel

    response = agent_client.post(
        reverse("library:flag", args=[shelf["bow"].pk]),
        {"reason": "other", "note": "Odd", "next": search_url},
    )

    assert response.status_code == 302
    assert response["Location"] == search_url


@pytest.mark.django_db
def test_a_first_contact_shows_no_gif_and_says_why(agent_client, shelf):
    choose_context(agent_client, "first-contact")

    page = main_of(agent_client.get(reverse("library:home")))

    assert "Deep bow" not in page
    assert "No GIF in a conversation like this: “First contact”." in page
    assert "no emoji, stickers or GIFs (rule 5)" in page  # its description
    assert "The house rules send none here" in page
    assert "choose “Any conversation” above" in page


@pytest.mark.django_db
def test_a_first_contact_counts_nothing_it_will_not_show(agent_client, shelf):
    choose_context(agent_client, "first-contact")

    with CaptureQueriesContext(connection) as captured:
        agent_client.get(reverse("library:picker_results"), {"q": "bow"}, **HTMX)

    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert counts == []


@pytest.mark.django_db
def test_a_search_in_a_first_contact_says_the_same(agent_client, shelf):
    choose_context(agent_client, "first-contact")

    page = main_of(agent_client.get(reverse("library:home"), {"q": "bow"}))

    assert "Deep bow" not in page
    assert "No GIF in a conversation like this: “First contact”." in page
    assert "matches but is ruled out" not in page


def results_summary(response):
    """What picker.js announces to screen readers once the results show."""
    found = re.search(r"<p hidden data-results-summary>(.*?)</p>", page_of(response))
    return found.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["first-contact", "formal"])
@pytest.mark.parametrize("query", ["", "bow"])
def test_a_context_that_sends_no_gif_is_announced_as_such(
    agent_client, shelf, slug, query
):
    choose_context(agent_client, slug)
    name = ConversationContext.objects.get(slug=slug).name

    summary = results_summary(results(agent_client, q=query))

    assert summary.startswith(f"No GIF in a conversation like this: “{name}”.")
    assert "The house rules send none here" in summary
    assert "No GIFs match" not in summary


@pytest.mark.django_db
def test_a_context_that_sends_no_gif_is_announced_as_such_in_russian(
    agent_client, shelf
):
    choose_context(agent_client, "first-contact")

    summary = results_summary(
        results(agent_client, headers={"HTTP_ACCEPT_LANGUAGE": "ru"}, q="bow")
    )

    assert summary.startswith("В таком разговоре гифки не отправляют: «")
    assert "По правилам команды здесь обходятся без гифок" in summary
    assert "Подходящих гифок нет" not in summary


@pytest.mark.django_db
def test_an_empty_shelf_is_announced_as_such(agent_client):
    summary = results_summary(results(agent_client))

    assert summary == "Nothing approved on the shelf yet."


@pytest.mark.django_db
def test_a_shelf_all_ruled_out_for_a_context_is_announced_as_such(
    agent_client, on_shelf
):
    on_shelf("Party time", appropriateness=[unsuitable("Celebratory")])
    choose_context(agent_client, "outage")

    summary = results_summary(results(agent_client))

    assert summary == "Nothing on the shelf fits “Outage or bug report”."


@pytest.mark.django_db
def test_choosing_a_context_keeps_it_for_the_session(agent_client, shelf):
    response = choose_context(agent_client, "outage")

    assert response.status_code == 302
    assert agent_client.session["picker_context"] == "outage"
    page = main_of(agent_client.get(reverse("library:home")))
    assert "Party time" not in page
    assert "Deep bow" in page


@pytest.mark.django_db
def test_without_javascript_choosing_a_context_returns_to_the_same_search(
    agent_client, shelf
):
    response = agent_client.post(
        reverse("library:picker_context"), {"context": "outage", "next": "/?q=party"}
    )

    assert response.url == "/?q=party"


@pytest.mark.django_db
def test_the_chosen_context_is_pressed_and_explained(agent_client, shelf):
    choose_context(agent_client, "outage")

    page = main_of(agent_client.get(reverse("library:home")))

    assert 'id="context-outage" class="context-chip" aria-pressed="true"' in page
    assert 'id="context-any" class="context-chip" aria-pressed="false"' in page
    assert "empathy and apology only" in page
    assert 'data-context="outage"' in page


@pytest.mark.django_db
def test_a_context_hides_what_it_excludes_and_warns_about_the_rest(agent_client, shelf):
    response = choose_context(agent_client, "outage", **HTMX)

    partial = page_of(response)
    assert "Party time" not in partial
    assert "Winking face" in partial
    assert "Careful in an outage or bug report conversation: playful." in partial
    # The context chips come along, out of band, with the new one pressed.
    assert 'hx-swap-oob="true"' in partial
    assert 'id="context-outage" class="context-chip" aria-pressed="true"' in partial


@pytest.mark.django_db
def test_a_context_change_keeps_the_search(agent_client, shelf):
    response = agent_client.post(
        reverse("library:picker_context"),
        {"context": "outage", "q": "face"},
        **HTMX,
    )

    partial = page_of(response)
    assert "1 match for “face”" in partial
    assert "Deep bow" not in partial


@pytest.mark.django_db
def test_any_conversation_forgets_the_context(agent_client, shelf):
    choose_context(agent_client, "outage")

    choose_context(agent_client, "")

    assert "picker_context" not in agent_client.session
    assert "Party time" in main_of(agent_client.get(reverse("library:home")))


@pytest.mark.django_db
def test_an_unknown_context_falls_back_to_any_conversation(agent_client, shelf):
    choose_context(agent_client, "outage")

    response = choose_context(agent_client, "karaoke", **HTMX)

    assert "picker_context" not in agent_client.session
    assert "That kind of conversation is gone" in page_of(response)
    assert "Party time" in page_of(response)


# The rows above an empty search


def row(page, key):
    """The HTML of the row `key` ("recent", "mine", "team"), or None."""
    anchor = f'aria-labelledby="row-{key}"'
    if anchor not in page:
        return None
    start = page.index(anchor)
    return page[start : page.index("</section>", start)]


@pytest.mark.django_db
def test_recently_used_lists_my_own_copies_latest_first_each_once(
    agent_client, agent, lead, shelf
):
    shelf["sorry"].record_copy(by=agent, format="link")
    shelf["thanks"].record_copy(by=agent, format="rich")
    shelf["sorry"].record_copy(by=agent, format="markdown")
    shelf["bow"].record_copy(by=lead, format="link")

    recent = row(main_of(agent_client.get(reverse("library:home"))), "recent")

    assert recent.count("data-card-link") == 2
    assert recent.index("Sorry!") < recent.index("Thank you!")
    assert "Deep bow" not in recent


@pytest.mark.django_db
def test_my_favourites_list_what_i_starred(agent_client, agent, lead, shelf):
    Favourite.objects.create(gif=shelf["bow"], agent=agent)
    Favourite.objects.create(gif=shelf["sorry"], agent=lead)

    mine = row(main_of(agent_client.get(reverse("library:home"))), "mine")

    assert "Deep bow" in mine
    assert "Sorry!" not in mine


@pytest.mark.django_db
def test_team_favourites_are_the_most_copied_in_30_days(
    agent_client, agent, lead, curator, shelf
):
    for who in (agent, lead, curator):
        shelf["bow"].record_copy(by=who, format="link")
    shelf["sorry"].record_copy(by=lead, format="link")
    old = shelf["thanks"].record_copy(by=lead, format="link")
    Copy.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))

    team = row(main_of(agent_client.get(reverse("library:home"))), "team")

    assert team.index("Deep bow") < team.index("Sorry!")
    assert "Thank you!" not in team


@pytest.mark.django_db
def test_the_rows_leave_out_what_the_context_hides(agent_client, agent, shelf):
    Favourite.objects.create(gif=shelf["party"], agent=agent)
    Favourite.objects.create(gif=shelf["bow"], agent=agent)
    choose_context(agent_client, "outage")

    mine = row(main_of(agent_client.get(reverse("library:home"))), "mine")

    assert "Deep bow" in mine
    assert "Party time" not in mine


@pytest.mark.django_db
def test_the_rows_show_only_above_an_empty_search(agent_client, agent, shelf):
    Favourite.objects.create(gif=shelf["bow"], agent=agent)

    assert row(main_of(agent_client.get("/")), "mine") is not None
    assert row(page_of(results(agent_client, q="bow")), "mine") is None
    assert row(page_of(results(agent_client, mood="Grateful")), "mine") is None


@pytest.mark.django_db
def test_empty_rows_give_way_to_one_hint(agent_client, shelf):
    page = main_of(agent_client.get("/"))

    assert row(page, "recent") is None
    assert "come back up here" in page


# The preview panel


@pytest.mark.django_db
def test_the_preview_shows_guidance_timing_review_and_every_way_to_copy(
    agent_client, curator, shelf
):
    gif = shelf["thanks"]
    watched = datetime(2026, 3, 4, 10, 5, tzinfo=UTC)
    Gif.objects.filter(pk=gif.pk).update(
        use_when="the customer waited patiently",
        avoid_when="you still owe them the answer",
        watched_to_end_by=curator,
        watched_to_end_at=watched,
    )

    response = agent_client.get(
        reverse("library:picker_preview", args=[gif.pk]), **HTMX
    )

    panel = page_of(response)
    assert "<html" not in panel
    assert "<strong>Use when</strong> the customer waited patiently" in panel
    assert "<strong>Avoid when</strong> you still owe them the answer" in panel
    assert f"<dd>{gif.duration_ms / 1000:.1f} s</dd>" in panel
    assert "forever" in panel
    assert "Watched to the end by bob on 4 Mar 2026, 10:05." in panel
    for format in ("link", "rich", "markdown"):
        assert f'data-copy="{format}"' in panel
    assert f'src="{gif.original_path}"' in panel
    assert 'draggable="true"' in panel
    assert reverse("library:favourite", args=[gif.pk]) in panel
    assert reverse("library:flag", args=[gif.pk]) in panel


@pytest.mark.django_db
def test_the_preview_warns_in_the_chosen_context(agent_client, shelf):
    choose_context(agent_client, "outage")

    panel = page_of(
        agent_client.get(
            reverse("library:picker_preview", args=[shelf["wink"].pk]), **HTMX
        )
    )

    assert "Careful in an outage or bug report conversation: playful." in panel


def preview_of(client, gif):
    return page_of(client.get(reverse("library:picker_preview", args=[gif.pk]), **HTMX))


@pytest.mark.django_db
def test_a_preview_the_context_rules_out_says_so_and_offers_no_copy(
    agent_client, shelf
):
    # Opened before the context changed: picker.js reloads it.
    choose_context(agent_client, "outage")

    panel = preview_of(agent_client, shelf["party"])

    ruled_out = (
        "Ruled out for “Outage or bug report”: celebratory. "
        "Do not send it in this conversation."
    )
    assert f'data-ruled-out="{ruled_out}"' in panel
    assert f">{ruled_out}</p>" in panel
    assert panel.count('aria-disabled="true"') == 3
    assert "Drag the image into a chat" not in panel
    # What it only warns about stays a warning, with its copy buttons.
    panel = preview_of(agent_client, shelf["wink"])
    assert "data-ruled-out" not in panel
    assert "aria-disabled" not in panel


@pytest.mark.django_db
def test_a_gif_ruled_out_by_the_tag_named_after_the_context_names_it_once(
    agent_client, on_shelf
):
    gif = on_shelf(
        "Balloons",
        mood=[mood("Happy")],
        appropriateness=[unsuitable("Outage or bug report")],
    )
    choose_context(agent_client, "outage")

    panel = preview_of(agent_client, gif)

    assert (
        ">Ruled out for “Outage or bug report”. Do not send it in this "
        "conversation.</p>"
    ) in panel


@pytest.mark.django_db
def test_a_preview_in_a_conversation_that_sends_no_gif_says_so(agent_client, shelf):
    choose_context(agent_client, "first-contact")

    panel = preview_of(agent_client, shelf["bow"])

    assert (
        "No GIF in a conversation like this: “First contact”. "
        "The house rules send none here: do not send this one."
    ) in panel
    assert panel.count('aria-disabled="true"') == 3


@pytest.mark.django_db
def test_a_ruled_out_preview_says_so_in_russian(agent_client, shelf):
    choose_context(agent_client, "outage")

    panel = page_of(
        agent_client.get(
            reverse("library:picker_preview", args=[shelf["party"].pk]),
            HTTP_ACCEPT_LANGUAGE="ru",
            **HTMX,
        )
    )

    assert "Не для разговора «Сбой или ошибка»: праздничное. Не отправляйте" in panel


@pytest.mark.django_db
def test_the_preview_of_a_gif_gone_from_the_shelf_says_so(agent_client, agent, shelf):
    shelf["bow"].flag(by=agent, reason=AgentFlag.Reason.BROKEN)

    panel = page_of(
        agent_client.get(
            reverse("library:picker_preview", args=[shelf["bow"].pk]), **HTMX
        )
    )

    assert "Not on the shelf any more" in panel


@pytest.mark.django_db
def test_the_preview_opened_as_a_page_goes_to_the_gif_page(agent_client, shelf):
    gif = shelf["bow"]

    response = agent_client.get(reverse("library:picker_preview", args=[gif.pk]))

    assert response.status_code == 302
    assert response.url == reverse("library:gif_detail", args=[gif.pk])


# Favourites


@pytest.mark.django_db
def test_the_star_adds_a_favourite_and_returns_the_pressed_button(
    agent_client, agent, shelf
):
    gif = shelf["bow"]
    url = reverse("library:favourite", args=[gif.pk])

    response = agent_client.post(url, {"starred": "1"}, **HTMX)

    button = page_of(response)
    assert 'aria-pressed="true"' in button
    assert 'name="starred" value="0"' in button
    assert Favourite.objects.filter(gif=gif, agent=agent).exists()


@pytest.mark.django_db
def test_starring_twice_keeps_one_favourite(agent_client, agent, shelf):
    url = reverse("library:favourite", args=[shelf["bow"].pk])

    agent_client.post(url, {"starred": "1"}, **HTMX)
    agent_client.post(url, {"starred": "1"}, **HTMX)

    assert Favourite.objects.filter(agent=agent).count() == 1


@pytest.mark.django_db
def test_the_star_takes_a_favourite_off(agent_client, agent, shelf):
    gif = shelf["bow"]
    Favourite.objects.create(gif=gif, agent=agent)

    response = agent_client.post(
        reverse("library:favourite", args=[gif.pk]), {"starred": "0"}, **HTMX
    )

    assert 'aria-pressed="false"' in page_of(response)
    assert not Favourite.objects.filter(gif=gif, agent=agent).exists()


@pytest.mark.django_db
def test_without_javascript_the_star_goes_back_with_a_message(agent_client, shelf):
    gif = shelf["bow"]

    response = agent_client.post(
        reverse("library:favourite", args=[gif.pk]), {"starred": "1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "library:gif_detail", args=[gif.pk]
    )
    assert "“Deep bow” is in your favourites." in page_of(response)


@pytest.mark.django_db
def test_a_pending_gif_cannot_be_starred(agent_client, pending_gif):
    response = agent_client.post(
        reverse("library:favourite", args=[pending_gif.pk]), {"starred": "1"}
    )

    assert response.status_code == 404


# Preferences


@pytest.mark.django_db
def test_preferences_offer_the_copy_formats_and_a_spot_for_api_tokens(agent_client):
    page = main_of(agent_client.get(reverse("library:preferences")))

    for value in ("link", "rich", "markdown"):
        assert f'value="{value}"' in page
    assert 'value="drag"' not in page
    assert 'id="api-tokens"' in page


@pytest.mark.django_db
def test_preferences_save_the_default_format_and_animation(agent_client, agent):
    response = agent_client.post(
        reverse("library:preferences"), {"copy_format": "rich"}, follow=True
    )

    preferences = Preferences.of(agent)
    assert preferences.copy_format == "rich"
    assert preferences.animate is False
    assert "Saved your preferences." in page_of(response)
    assert 'data-copy-format="rich"' in page_of(agent_client.get("/"))


@pytest.mark.django_db
def test_preferences_refuse_an_unknown_format(agent_client, agent):
    response = agent_client.post(
        reverse("library:preferences"), {"copy_format": "drag", "animate": "on"}
    )

    assert response.status_code == 200
    assert "Select a valid choice." in page_of(response)
    assert Preferences.of(agent).copy_format == "link"


# Queries


@pytest.mark.django_db
def test_a_search_costs_the_same_few_queries_however_many_results(
    agent_client, on_shelf, django_assert_max_num_queries, django_assert_num_queries
):
    # Prime what a first visit creates (session, preferences).
    on_shelf("Thanks one", mood=[mood("Grateful")], situation=[situation("Goodbye")])
    results(agent_client, q="thanks")
    with django_assert_max_num_queries(16) as few:
        results(agent_client, q="thanks")

    for number in range(2, 26):
        on_shelf(
            f"Thanks {number}",
            mood=[mood("Grateful"), mood("Happy")],
            situation=[situation("Goodbye")],
            appropriateness=[unsuitable("Playful")],
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = results(agent_client, q="thanks")

    assert page_of(response).count("data-card-link") == 25


@pytest.mark.django_db
def test_the_full_page_with_its_rows_costs_a_bounded_number_of_queries(
    agent_client, agent, on_shelf, django_assert_max_num_queries
):
    for number in range(20):
        gif = on_shelf(f"Wave {number}", mood=[mood("Happy")])
        gif.record_copy(by=agent, format="link")
        Favourite.objects.create(gif=gif, agent=agent)
    choose_context(agent_client, "outage")
    agent_client.get("/")

    with django_assert_max_num_queries(40):
        response = agent_client.get("/")

    page = main_of(response)
    assert row(page, "recent").count("data-card-link") == views.SHELF_ROW_SIZE
    assert row(page, "team").count("data-card-link") == views.SHELF_ROW_SIZE


@pytest.mark.django_db
def test_the_keyboard_help_names_the_default_format_and_where_to_change_it(
    agent_client, agent
):
    preferences = Preferences.of(agent)
    preferences.copy_format = "markdown"
    preferences.save()

    page = page_of(agent_client.get(reverse("library:home")))

    assert (
        "Copy the GIF in your default format: Markdown "
        f'(<a href="{reverse("library:preferences")}">change it</a>)'
    ) in page


@pytest.mark.django_db
def test_a_typo_that_finds_nothing_offers_the_words_that_would(agent_client, shelf):
    response = results(agent_client, q="winkign", mood="Happy")

    html = page_of(response)
    assert "Nothing matches" in html
    assert 'Did you mean <a href="/?q=winking&amp;mood=Happy">“winking”</a>?' in html
    followed = agent_client.get("/", {"q": "winking", "mood": "Happy"})
    assert "Winking face" in main_of(followed)


@pytest.mark.django_db
def test_no_suggestion_where_the_context_rules_the_match_out(agent_client, shelf):
    choose_context(agent_client, "outage")

    html = page_of(results(agent_client, q="prty"))

    assert "Nothing matches" in html
    assert "Did you mean" not in html  # “party” is ruled out in an outage
