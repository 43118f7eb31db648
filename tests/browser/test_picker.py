"""An agent picks a GIF in real Chromium: results as they type, copies that
land on the clipboard in every format, contexts, reduced motion, the keyboard
from end to end, and a 360 px side panel."""

import contextlib
import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from library import views
from library.models import (
    AgentFlag,
    AppropriatenessTag,
    Copy,
    Favourite,
    Gif,
    MemberSession,
    MoodTag,
    Preferences,
    SituationTag,
)
from tests import images
from tests.conftest import PASSWORD

CLIPBOARD_ITEMS = """
async () => {
  const items = await navigator.clipboard.read();
  const found = [];
  for (const item of items) {
    const types = {};
    for (const type of item.types) {
      types[type] = await (await item.getType(type)).text();
    }
    found.push(types);
  }
  return found;
}
"""

# Starts a drag of `element` the way the browser does, and returns what the
# page put on the drag.
DRAG = """
(element) => {
  const transfer = new DataTransfer();
  element.dispatchEvent(new DragEvent("dragstart", {
    bubbles: true, cancelable: true, dataTransfer: transfer,
  }));
  return {
    uriList: transfer.getData("text/uri-list"),
    plain: transfer.getData("text/plain"),
    html: transfer.getData("text/html"),
  };
}
"""

# A plain-http deployment: no async clipboard, no ClipboardItem.
NO_CLIPBOARD_API = """
Object.defineProperty(Navigator.prototype, "clipboard", {get: () => undefined});
delete window.ClipboardItem;
"""
NO_COPYING_AT_ALL = NO_CLIPBOARD_API + "document.execCommand = () => false;\n"


def tag(model, name):
    return model.objects.get(name=name)


@pytest.fixture
def shelf(upload_gif):
    seeds = iter(range(1, 100))

    def put(title, **tags):
        return upload_gif(
            # Slow enough not to flash, so no flash warning on the cards.
            data=images.gif_bytes(seed=next(seeds), duration=200),
            title=title,
            alt_text=f"{title} [animated]",
            status=Gif.Status.APPROVED,
            **tags,
        )

    return {
        "sorry": put("Sorry!", mood=[tag(MoodTag, "Sorry")]),
        "party": put(
            "Party time",
            mood=[tag(MoodTag, "Celebrating")],
            appropriateness=[tag(AppropriatenessTag, "Celebratory")],
        ),
        "wink": put(
            "Winking face",
            mood=[tag(MoodTag, "Happy")],
            appropriateness=[tag(AppropriatenessTag, "Playful")],
        ),
        "smile": put("Smiling face", mood=[tag(MoodTag, "Happy")]),
        "sad": put("Sad face", mood=[tag(MoodTag, "Frustrated")]),
    }


@pytest.fixture
def agent_page(page, log_in, agent, live_server):
    """The agent's page, allowed to use the clipboard; fails the test on any
    script error."""
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.on(
        "response",
        lambda response: (
            response.status >= 500
            and errors.append(f"{response.status} from {response.url}")
        ),
    )
    yield log_in(agent)
    assert not errors, errors


def open_picker(page, url="/"):
    if url is not None:
        page.goto(url)
    # Functions, not expressions, for wait_for_function: Playwright evaluates
    # an expression again at each poll, by eval, which the page's CSP refuses.
    page.wait_for_function(
        "() => window.htmx && document.querySelector('[data-picker][data-ready]')"
    )
    return page


def cards(page):
    """The cards of the results grid (not of the rows above it)."""
    return page.locator("#picker-results .picker-grid [data-gif]")


def card(page, title):
    return page.locator(f'#picker-results .picker-grid [data-title="{title}"]')


def search_for(page, words):
    page.locator("#picker-q").fill(words)


def public_url(live_server, gif):
    return live_server.url + gif.original_path


def status(page):
    return page.locator("[data-copy-status]")


def clipboard_text(page):
    return page.evaluate("navigator.clipboard.readText()")


def recorded(gif, agent, timeout=5.0):
    """The copy of `gif` by `agent`, once the page has recorded it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        copy = Copy.objects.filter(gif=gif, agent=agent).select_related("context")
        if copy.exists():
            return copy.get()
        time.sleep(0.05)
    raise AssertionError(f"No copy of “{gif.title}” was recorded.")


def current_source(page, image, ending):
    """Wait until `image` shows a file ending in `ending`."""
    page.wait_for_function(
        "([img, ending]) => img.complete && img.currentSrc.endsWith(ending)",
        arg=[image.element_handle(), ending],
    )


def ranked(query):
    return list(Gif.objects.pick(query=query).values_list("title", flat=True))


def test_typing_shows_the_matching_gifs_and_puts_the_query_in_the_url(
    agent_page, shelf
):
    page = open_picker(agent_page)
    expect(cards(page)).to_have_count(5)

    page.locator("#picker-q").press_sequentially("sorr")

    expect(cards(page)).to_have_count(1)
    expect(card(page, "Sorry!")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/\?q=sorr$"))
    page.reload()
    expect(page.locator("#picker-q")).to_have_value("sorr")
    expect(cards(page)).to_have_count(1)


def test_the_page_title_follows_each_search(page, log_in, agent, shelf):
    page.context.set_extra_http_headers({"Accept-Language": "ru"})
    page = open_picker(log_in(agent))
    expect(page).to_have_title("Подбор · gifshelf")

    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    expect(page).to_have_title("«sorry» · gifshelf")

    page.locator("#picker-q").press("Escape")
    expect(cards(page)).to_have_count(5)
    expect(page).to_have_title("Подбор · gifshelf")


def test_back_leaves_a_typed_search_in_one_step_and_returns_to_the_last(
    agent_page, shelf, live_server
):
    page = open_picker(agent_page)
    box = page.locator("#picker-q")

    # Slowly enough that every letter's results come back.
    box.press_sequentially("sorry", delay=400)
    expect(page).to_have_url(re.compile(r"/\?q=sorry$"))
    expect(cards(page)).to_have_count(1)
    box.press("Enter")  # the agent settles on it
    box.press("Control+a")
    box.press_sequentially("party", delay=400)
    expect(page).to_have_url(re.compile(r"/\?q=party$"))
    expect(cards(page)).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=sorry$"))
    expect(page.locator("#picker-q")).to_have_value("sorry")
    expect(card(page, "Sorry!")).to_be_visible()
    open_picker(page, url=None)  # reloaded: wait for its script, as a person would
    page.go_back()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("#picker-q")).to_have_value("")
    expect(cards(page)).to_have_count(5)
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/\?q=sorry$"))
    expect(card(page, "Sorry!")).to_be_visible()


def test_a_mood_chip_narrows_the_results_and_escape_clears_it(
    agent_page, shelf, live_server
):
    page = open_picker(agent_page)
    happy = page.locator(".filter-chip", has_text="Happy")
    expect(happy).to_contain_text("2")

    happy.click()

    expect(cards(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/\?mood=Happy$"))
    expect(page.locator(".filter-chip.is-on")).to_be_focused()
    search_for(page, "smil")
    expect(cards(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/\?q=smil&mood=Happy$"))
    page.locator("#picker-q").press("Escape")
    expect(cards(page)).to_have_count(5)
    expect(page).to_have_url(live_server.url + "/")


def test_look_in_every_mood_keeps_the_keyboard_in_the_results(agent_page, shelf):
    page = open_picker(agent_page, "/?q=sorry&mood=Happy")
    page.get_by_role("link", name="Look in every mood").focus()

    page.keyboard.press("Enter")

    sorry = card(page, "Sorry!").locator("[data-card-link]")
    expect(sorry).to_be_focused()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")


def test_show_more_takes_the_keyboard_on_to_the_first_new_card(
    agent_page, shelf, monkeypatch
):
    monkeypatch.setattr(views, "PICKER_PAGE_SIZE", 2)
    page = open_picker(agent_page)
    expect(cards(page)).to_have_count(2)
    page.get_by_role("link", name="Show more").focus()

    page.keyboard.press("Enter")

    expect(cards(page)).to_have_count(4)
    third = cards(page).nth(2).locator("[data-card-link]")
    expect(third).to_be_focused()


def test_look_in_every_situation_that_finds_nothing_either_says_so(agent_page, shelf):
    situation = SituationTag.objects.get(name="Apology")
    page = open_picker(agent_page, f"/?q=zzzz&situation={situation.name}")
    page.get_by_role("link", name="Look in every situation").focus()

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/\?q=zzzz$"))
    expect(page.locator("[data-empty]")).to_be_focused()


def test_enter_puts_the_public_link_on_the_clipboard(agent_page, shelf, live_server):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)

    page.keyboard.press("ArrowDown")
    expect(card(page, "Sorry!").locator("[data-card-link]")).to_be_focused()
    page.keyboard.press("Enter")

    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")
    expect(status(page).locator("[lang]")).to_have_count(0)  # all English
    link = clipboard_text(page)
    assert link == public_url(live_server, shelf["sorry"])
    assert link.endswith(".gif")


def hold_results(page):
    """Keeps every request for new results waiting, as a slow network would,
    until the returned function lets them through."""
    held = []
    page.route("**/picker/results/**", lambda route: held.append(route))

    def release():
        for route in held:
            route.continue_()
        page.unroute("**/picker/results/**")

    return release


def test_a_copy_while_new_results_load_never_copies_a_stale_gif(
    agent_page, shelf, live_server
):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    page.evaluate("navigator.clipboard.writeText('before')")
    results = page.locator("#picker-results")
    expect(results).not_to_have_attribute("aria-busy", "true")

    release = hold_results(page)
    search_for(page, "party")
    expect(results).to_have_attribute("aria-busy", "true")
    expect(results).to_have_class(re.compile(r"\bis-loading\b"))
    loading = "Results are still loading: copy once the new ones are shown."
    card(page, "Sorry!").locator("[data-copy]").click()
    expect(status(page)).to_have_text(loading)
    page.locator("#picker-q").press("ArrowDown")  # onto the old "Sorry!" card
    expect(card(page, "Sorry!").locator("[data-card-link]")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    expect(status(page)).to_have_text(loading)
    assert clipboard_text(page) == "before"
    assert not Copy.objects.exists()

    release()
    expect(card(page, "Party time")).to_be_visible()
    expect(results).not_to_have_attribute("aria-busy", "true")
    expect(results).not_to_have_class(re.compile(r"\bis-loading\b"))
    expect(card(page, "Party time").locator("[data-card-link]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Copied the link to “Party time”.")
    assert clipboard_text(page) == public_url(live_server, shelf["party"])


def test_a_slow_search_answered_after_a_context_chip_does_not_replace_it(
    agent_page, shelf
):
    page = open_picker(agent_page)
    held = []
    # Answered by the server at once (in any conversation), but slow to
    # arrive: the network holds the answer, not the question.
    page.route(
        "**/picker/results/**", lambda route: held.append((route, route.fetch()))
    )
    search_for(page, "party")
    while not held:
        page.wait_for_timeout(20)

    # The agent learns it is an outage, and says so before the search is back.
    page.locator("#context-outage").click()
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-empty]")).to_be_visible()  # party GIFs ruled out
    route, answer = held[0]
    route.fulfill(response=answer)
    page.wait_for_timeout(500)

    # The search's late answer (any conversation) would show "Party time".
    expect(card(page, "Party time")).to_have_count(0)
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#picker-results")).not_to_have_attribute("aria-busy", "true")


def test_results_stay_stale_after_a_search_that_failed(agent_page, shelf, live_server):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    page.evaluate("navigator.clipboard.writeText('before')")
    results = page.locator("#picker-results")

    page.route("**/picker/results/**", lambda route: route.abort())
    search_for(page, "party")
    expect(status(page)).to_have_text(
        "The shelf cannot be reached: check the connection and try again."
    )
    # "Sorry!" does not answer "party": still dimmed, and not copied.
    expect(results).to_have_attribute("aria-busy", "true")
    expect(results).to_have_class(re.compile(r"\bis-loading\b"))
    page.locator("#picker-q").press("ArrowDown")
    expect(card(page, "Sorry!").locator("[data-card-link]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(
        "These results are for an earlier search: search again (Enter in the "
        "search box), then copy."
    )
    page.wait_for_timeout(300)
    assert clipboard_text(page) == "before"
    assert not Copy.objects.exists()

    page.unroute("**/picker/results/**")
    page.locator("#picker-q").press("Enter")
    expect(card(page, "Party time")).to_be_visible()
    expect(results).not_to_have_attribute("aria-busy", "true")
    card(page, "Party time").locator("[data-card-link]").focus()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Copied the link to “Party time”.")
    assert clipboard_text(page) == public_url(live_server, shelf["party"])


def test_results_stay_stale_after_a_context_chip_that_failed(agent_page, shelf):
    page = open_picker(agent_page)
    expect(cards(page)).to_have_count(5)
    page.evaluate("navigator.clipboard.writeText('before')")
    results = page.locator("#picker-results")

    page.route("**/picker/context/", lambda route: route.abort())
    page.locator("#context-outage").click()
    expect(status(page)).to_have_text(
        "The shelf cannot be reached: check the connection and try again."
    )
    # The agent asked for an outage's GIFs: "Party time" is still shown, for
    # any conversation, and must not be sent from here.
    expect(results).to_have_attribute("aria-busy", "true")
    card(page, "Party time").locator("[data-card-link]").focus()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(
        "These results are for an earlier search: search again (Enter in the "
        "search box), then copy."
    )
    page.wait_for_timeout(300)
    assert clipboard_text(page) == "before"

    page.unroute("**/picker/context/")
    page.locator("#context-outage").click()
    expect(card(page, "Party time")).to_have_count(0)
    expect(results).not_to_have_attribute("aria-busy", "true")


def test_image_copy_puts_html_and_plain_text_in_one_item(
    agent_page, shelf, live_server
):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    card(page, "Sorry!").locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    expect(panel).to_be_visible()

    panel.get_by_role("button", name="Image", exact=True).click()

    expect(status(page)).to_have_text("Copied the image of “Sorry!”.")
    items = page.evaluate(CLIPBOARD_ITEMS)
    link = public_url(live_server, shelf["sorry"])
    assert len(items) == 1
    assert items[0]["text/plain"] == link
    assert f'<img src="{link}" alt="Sorry! [animated]">' in items[0]["text/html"]


def test_markdown_copy_puts_an_image_in_markdown(agent_page, shelf, live_server):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    card(page, "Sorry!").locator("[data-card-link]").click()

    page.locator("#picker-preview").get_by_role("button", name="Markdown").click()

    expect(status(page)).to_have_text("Copied Markdown for “Sorry!”.")
    link = public_url(live_server, shelf["sorry"])
    assert clipboard_text(page) == f"![Sorry! \\[animated\\]]({link})"


def test_a_copy_is_recorded_with_its_format_and_context(agent_page, agent, shelf):
    page = open_picker(agent_page)
    page.locator("#context-upset").click()
    expect(page.locator("#context-upset")).to_have_attribute("aria-pressed", "true")
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)

    page.keyboard.press("ArrowDown")
    page.keyboard.press("i")

    expect(status(page)).to_have_text("Copied the image of “Sorry!”.")
    copy = recorded(shelf["sorry"], agent)
    assert copy.format == Copy.Format.RICH
    assert copy.context.slug == "upset"


OFF_SHELF = "“Sorry!” is no longer on the shelf: do not send it. Search again for "
OFF_SHELF += "another GIF."


def warning(page):
    """The warning's sentence, without its dismiss button."""
    return status(page).locator("span")


def take_off_the_shelf(gif, how, lead):
    if how == "taken down":
        gif.take_down(by=lead, reason="A customer complained.")
    elif how == "retired":
        gif.retire(by=lead, reason="Dated.")
    else:
        gif.flag(by=lead, reason=AgentFlag.Reason.BROKEN)


@pytest.mark.parametrize("how", ["taken down", "retired", "flagged"])
def test_a_copy_of_a_gif_gone_since_the_results_were_shown_warns_not_to_send_it(
    agent_page, lead, shelf, how
):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    take_off_the_shelf(shelf["sorry"], how, lead)

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    # The success message gives way to the warning, which does not fade.
    expect(warning(page)).to_have_text(OFF_SHELF)
    expect(status(page)).not_to_contain_text("Copied")
    expect(card(page, "Sorry!")).to_have_class(re.compile(r"\bis-off-shelf\b"))
    page.wait_for_timeout(5500)
    expect(status(page)).to_have_class(re.compile(r"\bis-visible\b"))
    expect(warning(page)).to_have_text(OFF_SHELF)
    assert not Copy.objects.exists()

    # Copying the marked card again copies nothing and warns again.
    page.evaluate("navigator.clipboard.writeText('before')")
    status(page).get_by_role("button", name="Dismiss").click()
    expect(status(page)).to_be_empty()
    card(page, "Sorry!").locator("[data-card-link]").focus()
    page.keyboard.press("l")
    expect(warning(page)).to_have_text(OFF_SHELF)
    assert clipboard_text(page) == "before"
    page.keyboard.press("Escape")
    expect(status(page)).to_be_empty()


def test_a_copy_whose_record_fails_on_the_way_keeps_its_confirmation(agent_page, shelf):
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    page.route("**/copies/", lambda route: route.abort("internetdisconnected"))

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")
    page.wait_for_timeout(300)  # the failed record has come back by now
    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")
    expect(card(page, "Sorry!")).not_to_have_class(re.compile(r"is-off-shelf"))


def press_in_russian(element, key, code, **modifiers):
    """A key press as a Russian layout sends it: `key` is what it types,
    `code` the key's place (page.keyboard cannot fake a layout). Whether the
    page let the key do what it does by default (type, for one)."""
    init = {"key": key, "code": code, "bubbles": True, "cancelable": True}
    return element.evaluate(
        "(element, init) => element.dispatchEvent(new KeyboardEvent('keydown', init))",
        {**init, **modifiers},
    )


def test_the_shortcuts_work_with_a_russian_keyboard_layout(
    agent_page, shelf, live_server
):
    page = open_picker(agent_page)
    search = page.locator("#picker-q")
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    # Typing in the search box stays typing, "." and "," included.
    assert press_in_russian(search, "ь", "KeyM")
    assert press_in_russian(search, ".", "Slash")
    link = card(page, "Sorry!").locator("[data-card-link]")
    page.keyboard.press("ArrowDown")
    expect(link).to_be_focused()
    # Ctrl+L ("д") is the browser's, not a copy.
    assert press_in_russian(link, "д", "KeyL", ctrlKey=True)
    page.wait_for_timeout(100)
    expect(status(page)).to_be_empty()

    press_in_russian(link, "ь", "KeyM")  # M

    expect(status(page)).to_have_text("Copied Markdown for “Sorry!”.")
    markdown = f"![Sorry! \\[animated\\]]({public_url(live_server, shelf['sorry'])})"
    assert clipboard_text(page) == markdown

    press_in_russian(link, "щ", "KeyO")  # O
    expect(page.locator("#preview-title")).to_be_focused()
    page.keyboard.press("Escape")
    expect(link).to_be_focused()

    press_in_russian(link, ",", "Slash", shiftKey=True)  # ?
    expect(page.locator("[data-keyboard-help]")).to_have_attribute("open", "")
    press_in_russian(link, ".", "Slash")  # /
    expect(search).to_be_focused()


def test_a_context_hides_what_it_rules_out_and_warns_about_the_rest(agent_page, shelf):
    page = open_picker(agent_page)
    expect(card(page, "Party time")).to_be_visible()
    expect(card(page, "Winking face").locator(".badge-warning")).to_have_count(0)

    page.locator("#context-outage").click()

    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#context-any")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-context-description]")).to_contain_text(
        "empathy and apology only"
    )
    expect(card(page, "Party time")).to_have_count(0)
    expect(card(page, "Winking face").locator(".badge-warning")).to_have_text(
        "Careful in an outage or bug report conversation: playful."
    )
    # It stays for the session.
    open_picker(page)
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "Party time")).to_have_count(0)


@pytest.mark.parametrize(
    "context, title, ruled_out",
    [
        (
            "outage",
            "Party time",
            "Ruled out for “Outage or bug report”: celebratory. "
            "Do not send it in this conversation.",
        ),
        (
            "first-contact",
            "Sorry!",
            "No GIF in a conversation like this: “First contact”. "
            "The house rules send none here: do not send this one.",
        ),
    ],
)
def test_an_open_preview_that_a_new_context_rules_out_copies_nothing(
    agent_page, agent, shelf, context, title, ruled_out
):
    page = open_picker(agent_page)
    page.evaluate("navigator.clipboard.writeText('before')")
    card(page, title).locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    expect(panel.locator("#preview-title")).to_have_text(title)

    chip = page.locator(f"#context-{context}")
    chip.click()

    expect(card(page, title)).to_have_count(0)
    expect(panel.locator("[data-ruled-out-notice]")).to_have_text(ruled_out)
    # The agent is choosing contexts: the reload leaves the focus on the chip.
    expect(chip).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(200)
    expect(chip).to_be_focused()

    link_button = panel.get_by_role("button", name="Link", exact=True)
    expect(link_button).to_have_attribute("aria-disabled", "true")
    link_button.click(force=True)  # aria-disabled: Playwright would wait
    expect(warning(page)).to_have_text(ruled_out)
    status(page).get_by_role("button", name="Dismiss").click()
    link_button.focus()
    page.keyboard.press("Enter")
    expect(warning(page)).to_have_text(ruled_out)
    status(page).get_by_role("button", name="Dismiss").click()
    panel.locator("#preview-title").focus()
    for key in ("Enter", "l", "i", "m"):
        page.keyboard.press(key)
    dragged = panel.locator("img").evaluate(DRAG)
    assert dragged["uriList"] == ""
    expect(warning(page)).to_have_text(ruled_out)
    page.wait_for_timeout(300)
    assert clipboard_text(page) == "before"
    assert not Copy.objects.exists()


def outage_then_money_question_held(page):
    """Click "Outage", then "Money question" while the first still loads;
    both requests are held back, and returned in the order they were sent."""
    held = []
    page.route("**/picker/context/", lambda route: held.append(route))
    page.locator("#context-outage").click()
    page.wait_for_function(
        "() => document.querySelector('#picker-contexts.htmx-request')"
    )
    page.locator("#context-money-question").click()
    page.wait_for_timeout(200)
    page.unroute("**/picker/context/")
    return held


def test_a_second_context_chosen_while_the_first_loads_is_the_one_kept(
    agent_page, shelf
):
    page = open_picker(agent_page)
    held = outage_then_money_question_held(page)
    # One after the other, as they reached the server: the first one the page
    # gave up on is answered too, and changes nothing it shows.
    for route in held:
        answer = route.fetch()
        with contextlib.suppress(PlaywrightError):
            route.fulfill(response=answer)

    money = page.locator("#context-money-question")
    expect(money).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "false")
    expect(card(page, "Winking face")).to_have_count(0)
    expect(card(page, "Sorry!")).to_be_visible()
    open_picker(page)
    expect(money).to_have_attribute("aria-pressed", "true")


def test_a_first_context_reaching_the_server_last_does_not_undo_the_second(
    agent_page, shelf
):
    page = open_picker(agent_page)
    held = outage_then_money_question_held(page)
    assert len(held) == 2
    # The rare ordering: the click the page gave up on reaches the server last.
    for route in reversed(held):
        answer = route.fetch()
        with contextlib.suppress(PlaywrightError):
            route.fulfill(response=answer)

    open_picker(page)
    money = page.locator("#context-money-question")
    expect(money).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "false")
    expect(card(page, "Winking face")).to_have_count(0)


def hold_previews(page, gif):
    """Keeps each request for `gif`'s preview waiting until the returned
    function lets them through (in the order they were sent)."""
    held = []
    url = f"**{reverse('library:picker_preview', args=[gif.pk])}"
    page.route(url, lambda route: held.append(route))

    def release():
        while not held:
            page.wait_for_timeout(20)
        for route in held:
            route.continue_()
        page.unroute(url)

    return release


def test_a_slow_preview_never_replaces_the_one_clicked_after_it(
    agent_page, agent, shelf, live_server
):
    page = open_picker(agent_page)
    page.evaluate("navigator.clipboard.writeText('before')")
    panel = page.locator("#picker-preview")
    card(page, "Smiling face").locator("[data-card-link]").click()
    expect(panel.locator("#preview-title")).to_have_text("Smiling face")
    expect(panel).not_to_have_attribute("aria-busy", "true")

    release = hold_previews(page, shelf["sorry"])
    card(page, "Sorry!").locator("[data-card-link]").click()
    # "Smiling face" is still shown, but the agent asked for another GIF.
    expect(panel).to_have_attribute("aria-busy", "true")
    expect(panel).to_have_class(re.compile(r"\bis-loading\b"))
    loading = "The preview is still loading: copy once the new one is shown."
    panel.get_by_role("button", name="Link", exact=True).click()
    expect(status(page)).to_have_text(loading)
    dragged = panel.locator("img").evaluate(DRAG)
    assert dragged["uriList"] == ""

    party_link = card(page, "Party time").locator("[data-card-link]")
    party_link.click()
    expect(panel.locator("#preview-title")).to_have_text("Party time")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    release()  # the answer for "Sorry!" arrives last
    page.wait_for_timeout(500)

    expect(panel.locator("#preview-title")).to_have_text("Party time")
    expect(panel.locator("#preview-title")).to_be_focused()
    panel.get_by_role("button", name="Link", exact=True).click()
    expect(status(page)).to_have_text("Copied the link to “Party time”.")
    assert clipboard_text(page) == public_url(live_server, shelf["party"])
    assert recorded(shelf["party"], agent).format == Copy.Format.LINK
    assert Copy.objects.count() == 1
    page.locator("#preview-title").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(party_link).to_be_focused()


def test_a_preview_asked_for_then_closed_does_not_open_late(agent_page, shelf):
    page = open_picker(agent_page)
    panel = page.locator("#picker-preview")
    release = hold_previews(page, shelf["sorry"])
    link = card(page, "Sorry!").locator("[data-card-link]")
    link.focus()
    page.keyboard.press("o")
    page.keyboard.press("Escape")  # nothing shown to close: clears the search

    release()
    page.wait_for_timeout(500)
    expect(panel).to_be_hidden()


def test_an_open_preview_copies_nothing_until_it_is_back_for_a_new_context(
    agent_page, agent, shelf, live_server
):
    page = open_picker(agent_page)
    page.evaluate("navigator.clipboard.writeText('before')")
    panel = page.locator("#picker-preview")
    card(page, "Sorry!").locator("[data-card-link]").click()
    expect(panel.locator("#preview-title")).to_have_text("Sorry!")
    link_button = panel.get_by_role("button", name="Link", exact=True)

    held = []
    page.route("**/picker/context/", lambda route: held.append(route))
    page.locator("#context-outage").click()
    expect(panel).to_have_attribute("aria-busy", "true")
    link_button.click()
    loading = "The preview is still loading: copy once the new one is shown."
    expect(status(page)).to_have_text(loading)
    assert panel.locator("img").evaluate(DRAG)["uriList"] == ""

    # The context is answered; the preview's reload for it is not, yet.
    release_preview = hold_previews(page, shelf["sorry"])
    for route in held:
        route.continue_()
    page.unroute("**/picker/context/")
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "Party time")).to_have_count(0)
    expect(panel).to_have_attribute("aria-busy", "true")
    link_button.click()
    expect(status(page)).to_have_text(loading)
    page.wait_for_timeout(300)
    assert clipboard_text(page) == "before"
    assert not Copy.objects.exists()

    release_preview()
    expect(panel).not_to_have_attribute("aria-busy", "true")
    link_button.click()
    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")
    assert clipboard_text(page) == public_url(live_server, shelf["sorry"])
    assert recorded(shelf["sorry"], agent).context.slug == "outage"


def test_a_preview_whose_new_context_failed_to_load_copies_nothing(agent_page, shelf):
    page = open_picker(agent_page)
    page.evaluate("navigator.clipboard.writeText('before')")
    panel = page.locator("#picker-preview")
    card(page, "Party time").locator("[data-card-link]").click()
    expect(panel.locator("#preview-title")).to_have_text("Party time")

    page.route("**/picker/context/", lambda route: route.abort())
    page.locator("#context-outage").click()
    expect(status(page)).to_have_text(
        "The shelf cannot be reached: check the connection and try again."
    )

    # Shown for any conversation, and the agent said it is an outage.
    expect(panel).to_have_attribute("aria-busy", "true")
    panel.get_by_role("button", name="Link", exact=True).click()
    expect(status(page)).to_have_text(
        "This preview is out of date (the new one did not load): open the GIF "
        "again, then copy."
    )
    page.wait_for_timeout(300)
    assert clipboard_text(page) == "before"
    assert not Copy.objects.exists()


def test_reduced_motion_holds_previews_still_on_hover_and_focus(agent_page, shelf):
    agent_page.emulate_media(reduced_motion="reduce")
    page = open_picker(agent_page)
    image = card(page, "Sorry!").locator("img")

    current_source(page, image, ".still.png")
    for each in cards(page).locator("img").all():
        current_source(page, each, ".still.png")

    # Neither the pointer nor the arrow keys set anything moving.
    image.hover()
    page.locator("#picker-q").press("ArrowDown")
    expect(cards(page).first.locator("[data-card-link]")).to_be_focused()
    page.wait_for_timeout(300)
    for each in cards(page).locator("img").all():
        current_source(page, each, ".still.png")

    # Nor does hovering the preview's full-size image.
    card(page, "Sorry!").locator("[data-card-link]").click()
    big = page.locator("#picker-preview .preview-figure img")
    big.hover()
    page.wait_for_timeout(300)
    current_source(page, big, ".still.png")


def test_previews_turned_off_still_play_on_hover_and_focus(agent_page, agent, shelf):
    Preferences.objects.update_or_create(user=agent, defaults={"animate": False})
    page = open_picker(agent_page)
    image = card(page, "Sorry!").locator("img")
    current_source(page, image, ".still.png")

    image.hover()
    current_source(page, image, ".preview.webp")
    page.locator("#picker-q").hover()
    current_source(page, image, ".still.png")
    page.locator("#picker-q").press("ArrowDown")
    first = cards(page).first
    expect(first.locator("[data-card-link]")).to_be_focused()
    current_source(page, first.locator("img"), ".preview.webp")


def test_the_keyboard_alone_finds_copies_previews_and_clears(
    agent_page, shelf, live_server
):
    page = open_picker(agent_page)
    search = page.locator("#picker-q")
    page.evaluate("document.activeElement.blur()")

    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("face")
    first, second, _ = ranked("face")
    expect(cards(page)).to_have_count(3)

    page.keyboard.press("ArrowDown")
    expect(card(page, first).locator("[data-card-link]")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    second_link = card(page, second).locator("[data-card-link]")
    expect(second_link).to_be_focused()

    page.keyboard.press("Enter")
    expect(status(page)).to_have_text(f"Copied the link to “{second}”.")
    copied = Gif.objects.get(title=second)
    assert clipboard_text(page) == public_url(live_server, copied)

    page.keyboard.press("o")
    panel = page.locator("#picker-preview")
    expect(panel.locator("#preview-title")).to_be_focused()
    expect(panel.locator("#preview-title")).to_have_text(second)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(second_link).to_be_focused()

    page.keyboard.press("Escape")
    expect(search).to_be_focused()
    expect(search).to_have_value("")
    expect(cards(page)).to_have_count(5)
    expect(page).to_have_url(live_server.url + "/")


def test_the_copy_keys_work_in_the_open_preview_but_not_in_its_note(
    agent_page, agent, shelf, live_server
):
    page = open_picker(agent_page)
    link = public_url(live_server, shelf["sorry"])
    card(page, "Sorry!").locator("[data-card-link]").focus()
    page.keyboard.press("o")
    panel = page.locator("#picker-preview")
    expect(panel.locator("#preview-title")).to_be_focused()

    page.keyboard.press("m")
    expect(status(page)).to_have_text("Copied Markdown for “Sorry!”.")
    assert clipboard_text(page) == f"![Sorry! \\[animated\\]]({link})"
    page.keyboard.press("i")
    expect(status(page)).to_have_text("Copied the image of “Sorry!”.")
    page.evaluate("navigator.clipboard.writeText('before')")
    page.keyboard.press("Enter")  # the default format: the link
    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")
    assert clipboard_text(page) == link
    page.keyboard.press("l")
    expect(status(page)).to_have_text("Copied the link to “Sorry!”.")
    formats = sorted(Copy.objects.filter(agent=agent).values_list("format", flat=True))
    deadline = time.monotonic() + 5
    while len(formats) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
        formats = sorted(
            Copy.objects.filter(agent=agent).values_list("format", flat=True)
        )
    assert formats == sorted(["markdown", "rich", "link", "link"])

    # Enter on a button of the preview presses that button.
    panel.get_by_role("button", name="Markdown").focus()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Copied Markdown for “Sorry!”.")

    # Letters typed in the flag note are the note's.
    page.evaluate("navigator.clipboard.writeText('before')")
    panel.get_by_text("Flag a problem").click()
    note = panel.get_by_label("Details")
    note.press_sequentially("Slim")
    expect(note).to_have_value("Slim")
    page.wait_for_timeout(300)
    assert clipboard_text(page) == "before"


def test_escape_in_the_flag_note_keeps_the_preview_and_the_note(agent_page, shelf):
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    panel.get_by_text("Flag a problem").click()
    note = panel.get_by_label("Details")
    note.fill("The last frame shows a rude gesture")

    note.press("Escape")

    page.wait_for_timeout(200)
    expect(panel).to_be_visible()
    expect(note).to_have_value("The last frame shows a rude gesture")
    expect(note).to_be_focused()
    # Nor on the reason's buttons, with the note typed in the same form.
    reason = panel.get_by_role("radio").first
    reason.check()
    reason.press("Escape")
    page.wait_for_timeout(200)
    expect(panel).to_be_visible()
    expect(note).to_have_value("The last frame shows a rude gesture")
    # Nor anywhere else in the preview: the note goes back into focus.
    panel.locator("#preview-title").focus()
    page.keyboard.press("Escape")
    page.wait_for_timeout(200)
    expect(panel).to_be_visible()
    expect(note).to_have_value("The last frame shows a rude gesture")
    expect(note).to_be_focused()
    expect(status(page)).to_have_text(re.compile("press Esc to close it"))
    # With the note cleared, Esc closes the preview as before.
    note.fill("")
    panel.locator("#preview-title").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_escape_on_a_flag_reason_with_no_note_closes_the_preview(agent_page, shelf):
    page = open_picker(agent_page)
    link = card(page, "Sorry!").locator("[data-card-link]")
    link.click()
    panel = page.locator("#picker-preview")
    panel.get_by_text("Flag a problem").click()
    reason = panel.get_by_role("radio").first
    reason.check()

    reason.press("Escape")

    # Nothing typed to lose: Esc does what it does everywhere else.
    expect(panel).to_be_hidden()
    expect(link).to_be_focused()


def test_slash_keeps_a_covering_preview_open_while_a_flag_note_is_typed(
    agent_page, shelf
):
    agent_page.set_viewport_size({"width": 360, "height": 740})
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    panel.get_by_text("Flag a problem").click()
    note = panel.get_by_label("Details")
    note.fill("The last frame shows a rude gesture")
    note.press("Escape")
    panel.locator("#preview-title").focus()

    page.keyboard.press("/")

    expect(panel).to_be_visible()
    expect(note).to_have_value("The last frame shows a rude gesture")
    expect(note).to_be_focused()
    expect(status(page)).to_have_text(re.compile("keep what you typed"))
    # With the note cleared, "/" goes to the search as before.
    note.fill("")
    panel.locator("#preview-title").focus()
    page.keyboard.press("/")
    expect(panel).to_be_hidden()
    expect(page.locator("#picker-q")).to_be_focused()


def test_the_keyboard_reaches_the_guidance_of_each_tag_in_the_preview(
    agent_page, shelf
):
    sorry = tag(MoodTag, "Sorry")
    assert sorry.guidance
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").focus()
    page.keyboard.press("o")
    expect(page.locator("#preview-title")).to_be_focused()
    notes = page.locator("#picker-preview").get_by_text("What its tags mean")
    for _ in range(30):
        page.keyboard.press("Tab")
        if notes.evaluate("(summary) => summary === document.activeElement"):
            break
    expect(notes).to_be_focused()
    page.keyboard.press("Enter")

    explained = page.locator("#picker-preview .tag-notes").get_by_text(sorry.guidance)
    expect(explained).to_be_visible()


def test_the_keyboard_link_opens_the_shortcuts_and_goes_there(agent_page, shelf):
    page = open_picker(agent_page)
    help = page.locator("[data-keyboard-help]")
    expect(help).not_to_have_attribute("open", "")

    page.locator("#picker-search-help").get_by_role("link", name="Keyboard").click()

    expect(help).to_have_attribute("open", "")
    expect(help.locator("summary")).to_be_focused()
    expect(help.get_by_text("Go to the first result")).to_be_visible()
    expect(help.get_by_text("Go to the first result")).to_be_in_viewport()


def test_escape_closes_the_shortcuts_and_keeps_the_search(agent_page, shelf):
    page = open_picker(agent_page)
    search_for(page, "face")
    expect(cards(page)).to_have_count(3)
    page.locator("#picker-q").press("ArrowDown")
    first = cards(page).first.locator("[data-card-link]")
    expect(first).to_be_focused()
    help = page.locator("[data-keyboard-help]")

    page.keyboard.press("Shift+Slash")  # "?", as a US keyboard types it
    expect(help).to_have_attribute("open", "")
    expect(help.locator("summary")).to_be_focused()
    page.keyboard.press("Escape")

    expect(help).not_to_have_attribute("open", "")
    expect(first).to_be_focused()
    expect(page.locator("#picker-q")).to_have_value("face")
    expect(cards(page)).to_have_count(3)
    # With the shortcuts closed, Esc clears the search as before.
    page.keyboard.press("Escape")
    expect(page.locator("#picker-q")).to_have_value("")


def test_the_arrows_follow_the_grid_and_lead_back_to_the_search(agent_page, shelf):
    agent_page.set_viewport_size({"width": 360, "height": 740})
    page = open_picker(agent_page)
    links = cards(page).locator("[data-card-link]")
    expect(links).to_have_count(5)

    page.locator("#picker-q").press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")  # two to a row: the card below is two on
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    expect(links.nth(4)).to_be_focused()  # the last row has one card
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#picker-q")).to_be_focused()


FOCUS_IN_PREVIEW = """
() => {
  const focused = document.activeElement;
  if (focused === document.body) return "body";
  if (document.getElementById("picker-preview").contains(focused)) return "preview";
  return focused.outerHTML.slice(0, 80);
}
"""


def test_tab_stays_in_a_preview_that_covers_a_narrow_window(agent_page, shelf):
    agent_page.set_viewport_size({"width": 360, "height": 740})
    page = open_picker(agent_page)
    link = card(page, "Sorry!").locator("[data-card-link]")
    link.focus()
    page.keyboard.press("o")
    expect(page.locator("#preview-title")).to_be_focused()

    # Past the preview's last stop, the focus leaves the page (the browser's
    # own controls) and comes back to the preview, never to what it covers.
    for key in ["Tab"] * 25 + ["Shift+Tab"] * 25:
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_IN_PREVIEW) in {"preview", "body"}, key
    page.keyboard.press("Escape")

    expect(page.locator("#picker-preview")).to_be_hidden()
    expect(link).to_be_focused()
    page.locator(".skip-link").focus()
    expect(page.locator(".skip-link")).to_be_focused()
    assert page.evaluate("document.querySelectorAll('[inert]').length") == 0


def test_a_preview_beside_the_results_leaves_the_page_usable(agent_page, shelf):
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    expect(page.locator("#preview-title")).to_be_focused()
    assert page.evaluate("document.querySelectorAll('[inert]').length") == 0

    page.set_viewport_size({"width": 360, "height": 740})  # now it covers it
    page.wait_for_function("() => document.querySelector('.site-header').inert")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function("() => !document.querySelector('[inert]')")


def test_the_filter_labels_fit_beside_their_chips_in_russian(
    page, log_in, agent, shelf
):
    page.context.set_extra_http_headers({"Accept-Language": "ru"})
    page = open_picker(log_in(agent))
    label = page.locator("#filter-mood")
    expect(label).to_have_text("Настроение")

    assert label.evaluate("(label) => label.scrollWidth <= label.clientWidth")
    box = label.bounding_box()
    chips = page.locator('[aria-labelledby="filter-mood"]').bounding_box()
    assert box["x"] + box["width"] <= chips["x"]


def test_screen_readers_hear_how_many_gifs_each_search_found(agent_page, shelf):
    page = open_picker(agent_page)
    region = page.locator("#picker-announcement")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")

    search_for(page, "face")
    expect(region).to_have_text("3 GIFs")
    search_for(page, "sorry")
    expect(region).to_have_text("1 GIF")
    search_for(page, "zzzqx")
    expect(region).to_have_text("No GIFs match")


def test_cards_chips_and_copy_buttons_have_the_names_a_screen_reader_needs(
    agent_page, shelf
):
    page = open_picker(agent_page)
    sorry = card(page, "Sorry!")

    # The title, not "Sorry! [animated] Sorry!"; the alt text is the preview's.
    expect(sorry.get_by_role("link")).to_have_accessible_name("Sorry!")
    expect(sorry.get_by_role("button")).to_have_accessible_name("Copy link: Sorry!")
    upset = page.locator("#context-upset")
    upset.click()
    expect(upset).to_have_attribute("aria-pressed", "true")
    expect(upset).to_have_accessible_name("Upset customer")
    expect(page.locator("#context-any")).to_have_accessible_name("Any conversation")
    assert upset.evaluate(
        "chip => getComputedStyle(chip, '::before').content"
    ).startswith('"✓')  # still shown

    page.get_by_role("link", name="Sorry!", exact=True).click()
    panel = page.locator("#picker-preview")
    expect(panel.get_by_role("img", name="Sorry! [animated]")).to_be_visible()


def test_the_count_read_out_uses_russian_plurals(page, log_in, agent, shelf):
    page.context.set_extra_http_headers({"Accept-Language": "ru"})
    page = open_picker(log_in(agent))
    region = page.locator("#picker-announcement")

    search_for(page, "face")
    expect(region).to_have_text("3 гифки")
    search_for(page, "sorry")
    expect(region).to_have_text("1 гифка")
    page.locator("#picker-q").press("Escape")
    expect(region).to_have_text("5 гифок")
    search_for(page, "zzzqx")
    expect(region).to_have_text("Подходящих гифок нет")


def test_a_360_pixel_side_panel_never_scrolls_sideways(agent_page, agent, shelf):
    for gif in shelf.values():
        gif.record_copy(by=agent, format="link")
        Favourite.objects.create(gif=gif, agent=agent)
    agent_page.set_viewport_size({"width": 360, "height": 740})
    page = open_picker(agent_page)
    page.locator("#context-upset").click()
    expect(page.locator("[data-context-description]")).to_be_visible()
    expect(page.locator(".shelf-row")).to_have_count(3)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Two cards to a row, read at one instant: the context's results may
    # still be swapping in, and boxes read one by one could straddle that.
    page.wait_for_function(
        """() => {
            const cards = document.querySelectorAll(
                "#picker-results .picker-grid [data-gif]");
            if (cards.length < 3) return false;
            const [first, second, third] = [...cards].map(
                (card) => card.getBoundingClientRect().top);
            return first === second && second < third;
        }"""
    )

    cards(page).first.locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] == 0 and box["width"] == 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


COVERED_BY_THE_MESSAGE = """
(element) => {
  const box = element.getBoundingClientRect();
  const message = document.querySelector("[data-copy-status]").getBoundingClientRect();
  return box.bottom > message.top && box.top < message.bottom &&
    box.right > message.left && box.left < message.right;
}
"""


def test_the_copied_message_never_covers_the_focused_card(agent_page, shelf):
    agent_page.set_viewport_size({"width": 320, "height": 568})
    page = open_picker(agent_page)
    links = cards(page).locator("[data-card-link]")
    page.locator("#picker-q").press("ArrowDown")
    for index in range(5):
        # Each card in turn, scrolled to the foot of the window, as the
        # arrow keys leave a card below the fold.
        link = links.nth(index)
        link.focus()
        link.evaluate("(a) => a.closest('[data-gif]').scrollIntoView(false)")
        page.keyboard.press("Enter")
        title = cards(page).nth(index).get_attribute("data-title")
        expect(status(page)).to_have_text(f"Copied the link to “{title}”.")
        copy_button = cards(page).nth(index).locator(".copy-button")
        expect(copy_button).to_be_visible()
        assert not copy_button.evaluate(COVERED_BY_THE_MESSAGE), index
        expect(link).to_be_focused()
    # While it shows, the arrow keys never move the focus under it either.
    page.locator("#picker-q").press("ArrowDown")
    for _ in range(2):
        page.keyboard.press("ArrowDown")
        focused = page.locator("#picker-results .picker-card:has(:focus) .copy-button")
        assert not focused.evaluate(COVERED_BY_THE_MESSAGE)


# The colour an element is drawn on: its nearest ancestor's background that
# is not transparent, else the white page.
BEHIND = """
  let behind = "rgb(255, 255, 255)";
  for (let each = element.parentElement; each; each = each.parentElement) {
    const colour = getComputedStyle(each).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)") { behind = colour; break; }
  }
"""

# What draws the focus ring around `element`, and what lies around it.
FOCUS_RING = (
    """
(element) => {
  const style = getComputedStyle(element);
"""
    + BEHIND
    + """  return {
    colour: style.outlineColor,
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    offset: parseFloat(style.outlineOffset),
    shadow: style.boxShadow,
    own: style.backgroundColor,
    behind: behind,
  };
}
"""
)


def rgb(css):
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


def contrast(first, second):
    def luminance(colour):
        channels = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (n / 255 for n in colour)
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    darker, lighter = sorted([luminance(first), luminance(second)])
    return (lighter + 0.05) / (darker + 0.05)


def assert_visible_ring(element):
    ring = element.evaluate(FOCUS_RING)
    assert ring["style"] == "solid" and ring["width"] >= 2, ring
    # The gap between the element and its ring: a box-shadow's colour where
    # one fills it, else whatever lies behind.
    gap = ring["behind"]
    filled = re.match(r"(rgba?\([^)]*\)) 0px 0px 0px (\d+)px", ring["shadow"])
    if filled and int(filled[2]) >= ring["offset"]:
        gap = filled[1]
    colour = rgb(ring["colour"])
    # 3:1 (WCAG 1.4.11) against both sides of the ring.
    assert contrast(colour, rgb(ring["behind"])) >= 3, ring
    assert contrast(colour, rgb(gap)) >= 3, ring
    if ring["own"] != "rgba(0, 0, 0, 0)" and ring["offset"] > 0:
        # A blue button or a dark chip stands apart from its own ring.
        own = rgb(ring["own"])
        assert max(contrast(own, rgb(gap)), contrast(own, colour)) >= 3, ring


def test_the_focus_ring_stands_out_on_every_background(agent_page, shelf):
    page = open_picker(agent_page)
    search = page.locator("#picker-q")
    search.focus()
    assert_visible_ring(search)  # on the page's grey
    page.locator("#context-any").focus()  # a dark chip: the one chosen
    assert_visible_ring(page.locator("#context-any"))
    page.locator(".search-row button").focus()  # a white button
    assert_visible_ring(page.locator(".search-row button"))

    search.press("ArrowDown")
    focused_card = page.locator("#picker-results .picker-card:has(:focus)")
    assert_visible_ring(focused_card)
    page.keyboard.press("o")
    expect(page.locator("#preview-title")).to_be_focused()
    primary = page.locator("#picker-preview .copy-actions .primary")
    primary.focus()  # a blue button, on the white preview
    assert_visible_ring(primary)


# A text box's border, its own background and what lies around it.
FIELD_EDGE = (
    """
(element) => {
  const style = getComputedStyle(element);
"""
    + BEHIND
    + """  return {
    border: style.borderTopColor,
    width: parseFloat(style.borderTopWidth),
    own: style.backgroundColor,
    behind: behind,
  };
}
"""
)


def assert_visible_edge(field):
    edge = field.evaluate(FIELD_EDGE)
    assert edge["width"] >= 1, edge
    for side in (edge["own"], edge["behind"]):
        assert contrast(rgb(edge["border"]), rgb(side)) >= 3, edge


def test_text_boxes_show_where_they_are(agent_page, shelf):
    page = open_picker(agent_page)
    assert_visible_edge(page.locator("#picker-q"))
    card(page, "Sorry!").locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    panel.get_by_text("Flag a problem").click()
    assert_visible_edge(panel.get_by_label("Details"))

    page.goto(reverse("library:preferences"))
    assert_visible_edge(page.get_by_label("New token for"))
    assert_visible_edge(page.get_by_label("Works for"))


def test_dragging_the_image_carries_the_link_and_the_picture(
    agent_page, agent, shelf, live_server
):
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    image = page.locator("#picker-preview img")
    expect(image).to_have_attribute("draggable", "true")

    dragged = image.evaluate(DRAG)

    link = public_url(live_server, shelf["sorry"])
    assert dragged["uriList"] == link
    assert dragged["plain"] == link
    assert dragged["html"] == f'<img src="{link}" alt="Sorry! [animated]">'


def test_a_drag_is_recorded_as_it_starts(agent_page, agent, shelf):
    # Counted as the drag starts: a drop into another application (the chat
    # tool) may end with dropEffect "none" on some systems, so waiting for a
    # drop that "took" could lose real uses. A cancelled drag counts too.
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    image = page.locator("#picker-preview img")

    image.evaluate(DRAG)

    assert recorded(shelf["sorry"], agent).format == Copy.Format.DRAG


def test_without_the_clipboard_api_a_link_still_copies_and_an_image_says_why(
    agent_page, agent, shelf, live_server
):
    agent_page.add_init_script(NO_CLIPBOARD_API)
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    page.keyboard.press("ArrowDown")

    page.keyboard.press("i")

    expect(status(page)).to_have_text(
        "Copied the link to “Sorry!”: this browser cannot copy images here, "
        "so paste the link."
    )
    reader = page.context.new_page()
    reader.goto(live_server.url + reverse("library:preferences"))
    assert reader.evaluate("navigator.clipboard.readText()") == public_url(
        live_server, shelf["sorry"]
    )
    assert recorded(shelf["sorry"], agent).format == Copy.Format.LINK


def test_when_copying_is_impossible_the_text_is_selected_for_ctrl_c(
    agent_page, shelf, live_server
):
    agent_page.add_init_script(NO_COPYING_AT_ALL)
    page = open_picker(agent_page)
    search_for(page, "sorry")
    expect(cards(page)).to_have_count(1)
    page.keyboard.press("ArrowDown")

    page.keyboard.press("Enter")

    expect(status(page)).to_contain_text("press Ctrl+C")
    manual = page.locator("[data-copy-manual] input")
    expect(manual).to_be_focused()
    expect(manual).to_have_value(public_url(live_server, shelf["sorry"]))
    assert manual.evaluate(
        "input => input.selectionStart === 0"
        " && input.selectionEnd === input.value.length"
    )
    assert not Copy.objects.exists()
    page.keyboard.press("Escape")
    expect(manual).to_be_hidden()
    expect(card(page, "Sorry!").locator("[data-card-link]")).to_be_focused()


def test_the_star_keeps_a_gif_in_my_favourites(agent_page, agent, shelf):
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    star = page.locator("#picker-preview").get_by_role("button", name="Favourite")
    expect(star).to_have_attribute("aria-pressed", "false")

    star.click()

    expect(star).to_have_attribute("aria-pressed", "true")
    assert Favourite.objects.filter(gif=shelf["sorry"], agent=agent).exists()
    open_picker(page)
    expect(
        page.locator('[aria-labelledby="row-mine"] [data-title="Sorry!"]')
    ).to_be_visible()


def test_a_star_refused_for_an_out_of_date_page_says_to_reload_it(
    agent_page, agent, shelf, live_server
):
    page = open_picker(agent_page)
    card(page, "Sorry!").locator("[data-card-link]").click()
    star = page.locator("#picker-preview").get_by_role("button", name="Favourite")
    expect(star).to_have_attribute("aria-pressed", "false")
    # As after logging in again in another tab: the CSRF cookie changed, and
    # the token in the page no longer matches it.
    page.context.add_cookies(
        [{"name": "csrftoken", "value": "x" * 32, "url": live_server.url}]
    )

    star.click()

    expect(status(page)).to_contain_text("Reload the page and try again.")
    expect(status(page)).not_to_contain_text("the server had a problem")
    expect(status(page)).to_have_class(re.compile(r"\bis-warning\b"))
    expect(star).to_have_attribute("aria-pressed", "false")
    assert not Favourite.objects.filter(gif=shelf["sorry"], agent=agent).exists()


def test_a_search_after_the_session_ended_logs_in_again_back_to_the_picker(
    agent_page, agent, shelf, live_server
):
    page = open_picker(agent_page, "/?q=face")
    expect(cards(page)).to_have_count(3)
    # Ended on the server, as when it runs out or the agent logs out in
    # another window: the browser still sends its session cookie.
    MemberSession.objects.all().delete()

    search_for(page, "sorry")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?"))
    expect(page.get_by_role("alert")).to_have_text(
        "Your session had ended. Log in to carry on where you left off."
    )
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The picker the agent was on, whole, not the results partial.
    expect(page).to_have_url(f"{live_server.url}/?q=face")
    open_picker(page, url=None)
    expect(page.locator("#picker-q")).to_have_value("face")
    expect(cards(page)).to_have_count(3)


def test_without_javascript_the_picker_still_searches_filters_and_keeps_a_context(
    page_without_scripts, agent, shelf
):
    page = page_without_scripts(agent)
    page.goto("/")
    page.locator("#picker-q").fill("face")
    page.locator("#picker-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/\?q=face"))
    expect(cards(page)).to_have_count(3)

    page.locator(".filter-chip", has_text="Frustrated").click()
    expect(cards(page)).to_have_count(1)
    page.locator("#picker-q").fill("sad")
    page.locator("#picker-q").press("Enter")  # the mood rides along
    expect(page).to_have_url(re.compile(r"/\?q=sad&mood=Frustrated$"))

    page.goto("/")
    page.locator("#context-outage").click()
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "Party time")).to_have_count(0)
    expect(card(page, "Sorry!").locator("[data-copy]")).to_be_hidden()


def test_a_russian_agent_copies_images_with_the_russian_alt_text(
    page, log_in, agent, shelf, live_server
):
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    Preferences.objects.create(user=agent, language="ru")
    sorry = shelf["sorry"]
    sorry.alt_text_ru = "Извините! [анимация]"
    sorry.save()
    page = open_picker(log_in(agent))
    search_for(page, "sorry")
    card(page, "Sorry!").locator("[data-card-link]").click()
    panel = page.locator("#picker-preview")
    expect(panel).to_be_visible()
    link = public_url(live_server, sorry)

    panel.get_by_role("button", name="Markdown").click()
    expect(status(page)).to_have_text("Скопирован Markdown для «Sorry!».")
    # The English title read with an English voice, as the card marks it.
    expect(status(page).locator('span[lang="en"]')).to_have_text("Sorry!")
    assert clipboard_text(page) == f"![Извините! \\[анимация\\]]({link})"

    panel.get_by_role("button", name="Изображение", exact=True).click()
    expect(status(page)).to_have_text("Скопировано изображение «Sorry!».")
    items = page.evaluate(CLIPBOARD_ITEMS)
    assert f'<img src="{link}" alt="Извините! [анимация]">' in items[0]["text/html"]
