"""The house rules: seeded from the domain's rules, edited by team leads,
shown as plain text, and put in front of each member once, above the
picker, until they press "Got it"."""

import pytest
from django.test import Client
from django.urls import reverse

from library.models import HouseRules, Preferences, text_blocks

HOME = reverse("library:home")
RULES = reverse("library:house_rules")
EDIT = reverse("library:house_rules_edit")
READ = reverse("library:house_rules_read")


def page_of(response):
    return response.content.decode()


def got_it(client, version=None):
    version = HouseRules.current().version if version is None else version
    return client.post(READ, {"version": version, "next": HOME})


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


# --- Text into paragraphs and lists ---


def test_numbered_lines_make_a_list_and_indented_lines_continue_an_item():
    text = (
        "Read these first.\n"
        "They matter.\n\n"
        "1. One thing.\n"
        "2. Another thing,\n"
        "   on two lines.\n"
        "10) The tenth.\n\n"
        "- a bullet\n"
        "* another\n\n"
        "Last words."
    )

    assert text_blocks(text) == [
        {"kind": "paragraph", "text": "Read these first. They matter."},
        {
            "kind": "numbered",
            "start": 1,
            "items": ["One thing.", "Another thing, on two lines.", "The tenth."],
        },
        {"kind": "bulleted", "items": ["a bullet", "another"]},
        {"kind": "paragraph", "text": "Last words."},
    ]


def test_a_list_split_by_a_blank_line_keeps_counting_from_its_own_number():
    assert text_blocks("1. a\n\n2. b") == [
        {"kind": "numbered", "start": 1, "items": ["a"]},
        {"kind": "numbered", "start": 2, "items": ["b"]},
    ]


# --- The seeded rules ---


@pytest.mark.django_db
def test_the_rules_are_seeded_from_the_domain_as_ten_numbered_rules():
    rules = HouseRules.current()

    numbered = [block for block in rules.blocks() if block["kind"] == "numbered"]
    assert rules.version == 1
    assert len(numbered) == 1 and len(numbered[0]["items"]) == 10
    assert numbered[0]["items"][0] == (
        "A GIF accompanies real help; it never replaces the answer."
    )
    assert numbered[0]["items"][7] == (
        "Politics, religion, public figures and caricatures: stay out of them entirely."
    )


@pytest.mark.django_db
def test_every_member_can_read_the_rules_page(agent_client):
    page = page_of(agent_client.get(RULES))

    assert "<ol>" in page
    assert "<li>One message, not a burst: the GIF goes with the text" in page
    assert EDIT not in page  # only leads get the edit link


@pytest.mark.django_db
def test_the_picker_links_to_the_rules(agent_client):
    got_it(agent_client)

    assert f'href="{RULES}"' in page_of(agent_client.get(HOME))


# --- Shown once ---


@pytest.mark.django_db
def test_a_new_agent_sees_the_rules_above_the_picker_until_got_it(agent_client):
    first = page_of(agent_client.get(HOME))
    assert "data-house-rules" in first
    assert "Before your first GIF: the house rules" in first
    assert 'id="picker-q"' in first  # the picker is right there below

    response = got_it(agent_client)

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert "data-house-rules" not in page_of(agent_client.get(HOME))
    assert "data-house-rules" not in page_of(agent_client.get(HOME))


@pytest.mark.django_db
def test_got_it_counts_for_that_member_only(agent, curator):
    got_it(client_of(agent))

    assert "data-house-rules" not in page_of(client_of(agent).get(HOME))
    assert "data-house-rules" in page_of(client_of(curator).get(HOME))


@pytest.mark.django_db
def test_got_it_cannot_acknowledge_a_version_not_yet_written(agent, agent_client):
    got_it(agent_client, version=99)

    assert Preferences.of(agent).house_rules_read == 1


@pytest.mark.django_db
def test_got_it_is_post_only_and_needs_the_csrf_token(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    assert client.get(READ).status_code == 405
    assert got_it(client).status_code == 403
    assert Preferences.of(agent).house_rules_read == 0


@pytest.mark.django_db
def test_got_it_goes_back_to_the_search_it_was_pressed_on(agent_client):
    response = agent_client.post(
        READ, {"version": 1, "next": f"{HOME}?q=face&mood=Happy"}
    )

    assert response["Location"] == f"{HOME}?q=face&mood=Happy"


@pytest.mark.django_db
def test_got_it_only_goes_back_to_this_site(agent_client):
    response = agent_client.post(
        READ, {"version": 1, "next": "https://evil.example/phish"}
    )

    assert response["Location"] == HOME


# --- Leads edit them ---


@pytest.mark.django_db
def test_a_lead_fixes_a_typo_and_nobody_sees_the_rules_again(lead_client, agent):
    agent_client = client_of(agent)
    got_it(agent_client)

    lead_client.post(EDIT, {"text": "1. Be kind.\n2. Be quick."})

    rules = HouseRules.current()
    assert rules.version == 1
    assert "data-house-rules" not in page_of(agent_client.get(HOME))
    assert "<li>Be quick.</li>" in page_of(agent_client.get(RULES))


@pytest.mark.django_db
def test_a_substantial_edit_shows_the_rules_once_more_to_everyone(
    lead_client, lead, agent
):
    agent_client = client_of(agent)
    got_it(agent_client)

    response = lead_client.post(
        EDIT, {"text": "1. No GIFs on Mondays.", "show_again": "on"}
    )

    assert response.status_code == 302
    rules = HouseRules.current()
    assert (rules.version, rules.updated_by) == (2, lead)
    page = page_of(agent_client.get(HOME))
    assert "<li>No GIFs on Mondays.</li>" in page
    got_it(agent_client)
    assert "data-house-rules" not in page_of(agent_client.get(HOME))


@pytest.mark.django_db
def test_rules_are_shown_as_text_never_as_html(lead_client, agent):
    lead_client.post(
        EDIT,
        {
            "text": '<script>alert(1)</script>\n1. <a href="x">click</a>',
            "show_again": "on",
        },
    )

    page = page_of(client_of(agent).get(HOME))

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<li>&lt;a href=&quot;x&quot;&gt;click&lt;/a&gt;</li>" in page


@pytest.mark.django_db
def test_empty_rules_are_refused(lead_client):
    response = lead_client.post(EDIT, {"text": "   "})

    assert response.status_code == 400
    assert "This field is required." in page_of(response)
    assert HouseRules.current().text.startswith("A GIF in a support conversation")


@pytest.mark.django_db
def test_without_any_rules_written_the_picker_shows_none(agent_client):
    HouseRules.objects.all().delete()

    assert "data-house-rules" not in page_of(agent_client.get(HOME))
    assert "have not written the house rules yet" in page_of(agent_client.get(RULES))


@pytest.mark.django_db
def test_changing_the_english_rules_alone_warns_that_the_russian_are_old(
    lead_client,
):
    lead_client.post(EDIT, {"text": "1. Be kind.", "text_ru": "1. Будьте добры."})

    english_only = lead_client.post(
        EDIT,
        {"text": "1. Be kind.\n2. Be quick.", "text_ru": "1. Будьте добры."},
        follow=True,
    )
    both = lead_client.post(
        EDIT,
        {"text": "1. Be kind.", "text_ru": "1. Будьте добры.\n2. Будьте быстры."},
        follow=True,
    )

    assert "Russian readers still see the old text" in page_of(english_only)
    assert "Russian readers still see the old text" not in page_of(both)
