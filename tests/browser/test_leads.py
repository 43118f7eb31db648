"""Team leads' tools in real Chromium: a lead edits a conversation context
and an agent's picker follows at once; the house rules come first for a new
agent; the leads' pages fit a 360 px window."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from library.models import AppropriatenessTag, ConversationContext, Gif, MoodTag
from tests import images


@pytest.fixture
def shelf(upload_gif):
    seeds = iter(range(200, 300))

    def put(title, **tags):
        return upload_gif(
            data=images.gif_bytes(seed=next(seeds), duration=200),
            title=title,
            alt_text=f"{title} [animated]",
            status=Gif.Status.APPROVED,
            **tags,
        )

    happy = MoodTag.objects.get(name="Happy")
    return {
        "wink": put(
            "Winking face",
            mood=[happy],
            appropriateness=[AppropriatenessTag.objects.get(name="Playful")],
        ),
        "smile": put("Smiling face", mood=[happy]),
    }


def second_page(browser, live_server, user):
    """Another browser window, logged in as `user`, beside the test's page."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": session.key, "value": session.value, "url": live_server.url}]
    )
    return context


def open_picker(page):
    page.goto("/")
    page.wait_for_function(
        "() => window.htmx && document.querySelector('[data-picker][data-ready]')"
    )
    return page


def card(page, title):
    return page.locator(f'#picker-results .picker-grid [data-title="{title}"]')


def set_playful(page, context, where):
    """On the lead's edit page, put "Playful" under `where` (hides or warns)."""
    page.goto(reverse("library:context_edit", args=[context.pk]))
    hides = page.get_by_role("group", name="Hides GIFs unsuitable for")
    warns = page.get_by_role("group", name="Warns about GIFs unsuitable for")
    hides.get_by_label("Playful", exact=True).set_checked(where == "hides")
    warns.get_by_label("Playful", exact=True).set_checked(where == "warns")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text(f"Saved “{context.name}”")


def test_a_lead_hides_a_tag_in_a_context_and_the_agents_picker_follows(
    browser, page, log_in, lead, agent, shelf, live_server
):
    upset = ConversationContext.objects.get(slug="upset")
    lead_page = log_in(lead)
    agent_window = second_page(browser, live_server, agent)
    try:
        agent_page = open_picker(agent_window.new_page())
        agent_page.get_by_role("button", name="Got it").click()
        agent_page.wait_for_function(
            "() => document.querySelector('[data-picker][data-ready]')"
        )
        agent_page.locator("#context-upset").click()
        expect(agent_page.locator("#context-upset")).to_have_attribute(
            "aria-pressed", "true"
        )
        warning = card(agent_page, "Winking face").locator(".badge-warning")
        expect(warning).to_have_text(
            "Careful in an upset customer conversation: playful."
        )

        set_playful(lead_page, upset, "hides")
        open_picker(agent_page)
        expect(agent_page.locator("#context-upset")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(card(agent_page, "Smiling face")).to_be_visible()
        expect(card(agent_page, "Winking face")).to_have_count(0)

        set_playful(lead_page, upset, "warns")
        open_picker(agent_page)
        expect(card(agent_page, "Winking face")).to_be_visible()
        expect(warning).to_have_text(
            "Careful in an upset customer conversation: playful."
        )

        set_playful(lead_page, upset, "neither")
        open_picker(agent_page)
        expect(card(agent_page, "Winking face")).to_be_visible()
        expect(warning).to_have_count(0)
    finally:
        agent_window.close()


def test_the_house_rules_come_first_once_for_a_new_agent(log_in, agent, shelf):
    page = open_picker(log_in(agent))
    rules = page.locator("[data-house-rules]")
    expect(rules).to_be_visible()
    expect(rules.locator("ol > li")).to_have_count(10)
    expect(page.locator("#picker-q")).to_be_focused()  # searching is not blocked

    page.get_by_role("button", name="Got it").click()

    expect(rules).to_have_count(0)
    expect(card(page, "Winking face")).to_be_visible()
    open_picker(page)
    expect(rules).to_have_count(0)
    page.get_by_role("link", name="House rules").first.click()
    expect(page.get_by_role("heading", name="House rules")).to_be_visible()


def test_got_it_keeps_the_search_and_mood_typed_since_the_page_loaded(
    log_in, agent, live_server, shelf
):
    page = open_picker(log_in(agent))
    page.locator("#picker-q").fill("face")
    expect(page).to_have_url(re.compile(r"/\?q=face$"))
    page.locator(f"#mood-{MoodTag.objects.get(name='Happy').pk}").click()
    expect(page).to_have_url(re.compile(r"/\?q=face&mood=Happy$"))

    page.get_by_role("button", name="Got it").click()

    expect(page.locator("[data-house-rules]")).to_have_count(0)
    expect(page).to_have_url(f"{live_server.url}/?q=face&mood=Happy")
    expect(page.locator("#picker-q")).to_have_value("face")
    expect(page.locator(".filter-chip.is-on")).to_contain_text("Happy")


def test_the_chosen_chip_shows_its_guidance_in_words(log_in, agent, shelf):
    page = open_picker(log_in(agent))
    page.get_by_role("button", name="Got it").click()
    chip = page.locator(f"#mood-{MoodTag.objects.get(name='Happy').pk}")

    chip.click()

    guidance = page.locator("[data-chip-guidance]")
    expect(guidance).to_be_visible()
    expect(guidance).to_contain_text("Happy: Use when")
    expect(chip).to_have_attribute("aria-describedby", "mood-guidance")


def test_the_bulk_change_stays_in_view_down_a_long_list(log_in, lead, upload_gif):
    for seed in range(12):
        upload_gif(data=images.gif_bytes(seed=300 + seed), title=f"Reaction {seed}")
    page = log_in(lead)
    page.goto(reverse("library:bulk_appropriateness"))
    last = page.locator(".bulk-row").last

    last.locator("input[type=checkbox]").check()  # scrolls down to it

    expect(last).to_be_in_viewport()
    expect(page.get_by_role("button", name="Apply")).to_be_in_viewport()


@pytest.mark.parametrize(
    "path",
    [
        reverse("library:bulk_appropriateness"),
        reverse("library:contexts"),
        "context edit",
        reverse("library:vocabularies"),
        reverse("library:house_rules"),
        reverse("library:house_rules_edit"),
        reverse("library:upload"),
    ],
)
def test_the_leads_pages_fit_a_360_pixel_window(log_in, lead, shelf, path):
    if path == "context edit":
        upset = ConversationContext.objects.get(slug="upset")
        path = reverse("library:context_edit", args=[upset.pk])
    page = log_in(lead)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(path)

    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_context_with_a_long_name_keeps_the_picker_to_a_360_pixel_panel(
    log_in, agent, shelf
):
    ConversationContext.objects.create(
        name="Customer who has written in three times about the same refund",
        slug="third-time",
    )
    page = log_in(agent)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(reverse("library:home"))

    chip = page.get_by_role("button", name="Customer who has written in three")
    expect(chip).to_be_visible()
    assert chip.bounding_box()["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_reason_typed_before_take_down_is_in_the_confirmation(log_in, lead, shelf):
    gif = shelf["smile"]
    page = log_in(lead)
    page.goto(gif.get_absolute_url())
    page.get_by_text("Retire or take down").click()
    page.get_by_label("Why (it goes in the GIF's history)").fill("Rights holder.")

    page.get_by_text("Take down…", exact=True).click()  # a link before

    expect(
        page.get_by_role("heading", name="Take down “Smiling face”?")
    ).to_be_visible()
    reason = page.get_by_label("Why (it goes in the GIF's history)")
    expect(reason).to_have_value("Rights holder.")
    assert not Gif.objects.get(pk=gif.pk).taken_down, "asking changes nothing"

    page.get_by_role("button", name="Take down", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("now answer 410 Gone")
    assert Gif.objects.get(pk=gif.pk).taken_down


def test_a_narrow_window_skips_the_long_list_to_the_bulk_change(
    log_in, lead, upload_gif
):
    for seed in range(16):
        upload_gif(data=images.gif_bytes(seed=400 + seed), title=f"Reaction {seed}")
    page = log_in(lead)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("library:bulk_appropriateness"))
    apply = page.get_by_role("button", name="Apply")
    expect(apply).not_to_be_in_viewport()

    page.get_by_role("link", name="Skip the list: to the change and Apply").click()

    expect(page.locator("#bulk-change legend").first).to_be_in_viewport()
    expect(apply).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_wide_window_needs_no_skip_link_beside_the_bulk_change(
    log_in, lead, upload_gif
):
    upload_gif(title="Reaction")
    page = log_in(lead)
    page.goto(reverse("library:bulk_appropriateness"))

    expect(page.get_by_role("button", name="Apply")).to_be_visible()
    expect(page.get_by_role("link", name="Skip the list: to the change")).to_be_hidden()


# Whether the centre of the focused element shows it (or its label), rather
# than something drawn over it (WCAG 2.4.11, focus not obscured).
FOCUSED_IS_UNCOVERED = """
() => {
  const focused = document.activeElement;
  const box = focused.getBoundingClientRect();
  const top = document.elementFromPoint(
    box.left + box.width / 2, box.top + box.height / 2
  );
  return top === focused || (top !== null && top === focused.closest("label"));
}
"""


def test_tabbing_through_the_tags_never_hides_one_under_apply(log_in, lead, upload_gif):
    upload_gif(title="Reaction")
    page = log_in(lead)
    page.goto(reverse("library:bulk_appropriateness"))
    boxes = page.locator("input[name=tags]")
    assert boxes.count() == AppropriatenessTag.objects.count() > 1
    boxes.first.focus()

    for index in range(boxes.count()):
        box = boxes.nth(index)
        expect(box).to_be_focused()
        assert page.evaluate(FOCUSED_IS_UNCOVERED), (
            f"{box.get_attribute('id')} is covered"
        )
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply")).to_be_focused()
