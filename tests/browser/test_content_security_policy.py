"""The app's pages run under its Content-Security-Policy in real Chromium
without the browser blocking anything: no inline script, handler or style
slipped into a template, a partial or a script."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from library.models import Gif, MoodTag
from tests import images

# Runs before the page's own scripts; Playwright injects it outside the CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched(page):
    """The page, recording every CSP violation and every console error."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def violations():
        reported = page.evaluate("window.cspViolations")
        logged = [text for text in console if "Content Security Policy" in text]
        return reported + logged

    return violations


def enforced(response):
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_picker_searches_previews_and_changes_context_without_a_violation(
    page, log_in, agent, upload_gif, watched
):
    for seed, title in enumerate(["Thanks a lot", "Thanks again"]):
        upload_gif(
            data=images.gif_bytes(seed=seed, duration=200),
            title=title,
            alt_text=f"{title} [animated]",
            mood=[MoodTag.objects.get(name="Thank you")],
            status=Gif.Status.APPROVED,
        )
    log_in(agent)

    enforced(page.goto("/"))
    page.wait_for_function(
        "() => window.htmx && document.querySelector('[data-picker][data-ready]')"
    )
    page.locator("#picker-q").press_sequentially("thanks")
    grid = page.locator("#picker-results .picker-grid [data-gif]")
    expect(grid).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/\?q=thanks$"))
    grid.first.locator("a").first.click()
    expect(page.locator("#picker-preview")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("?")

    assert watched() == []


def test_a_preview_reloaded_for_a_context_copies_no_style_attribute(
    page, log_in, agent, upload_gif, watched
):
    upload_gif(
        data=images.gif_bytes(seed=1, duration=200),
        title="Thanks a lot",
        status=Gif.Status.APPROVED,
    )
    log_in(agent)
    enforced(page.goto("/"))
    page.wait_for_function(
        "() => window.htmx && document.querySelector('[data-picker][data-ready]')"
    )
    page.locator("#picker-results [data-card-link]").first.click()
    expect(page.locator("#preview-title")).to_be_focused()
    # Something outside the page's control styled the flag form's fields
    # (autofill, an extension): allowed, through the CSSOM. htmx used to
    # copy that style attribute onto the reloaded preview's fields with the
    # same ids, which the CSP blocks.
    page.evaluate(
        """() => document.querySelectorAll("#picker-preview input[id]")
             .forEach((input) => { input.style.outline = "1px solid"; })"""
    )

    page.locator("#context-outage").click()
    expect(page.locator("#context-outage")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "() => !document.querySelector('#picker-preview input[id][style]')"
    )
    page.wait_for_timeout(300)

    assert watched() == []


def test_the_review_page_plays_and_steps_through_frames_without_a_violation(
    page, log_in, curator, other_curator, upload_gif, watched
):
    gif = upload_gif(
        data=images.gif_bytes(count=4, duration=100),
        title="Slow clap",
        by=other_curator,
    )
    log_in(curator)

    enforced(page.goto(reverse("library:review", args=[gif.pk])))
    # Its colours change ten times a second: flash risk, so it opens still
    # and plays when asked.
    assert gif.flash_risk
    page.get_by_role("button", name="Play it once").click()
    approve = page.get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_enabled(timeout=5_000)
    page.locator("[data-filmstrip] button").last.click()

    assert watched() == []


def test_the_upload_and_dashboard_pages_load_without_a_violation(
    page, log_in, lead, watched
):
    log_in(lead)

    enforced(page.goto(reverse("library:upload")))
    enforced(page.goto(reverse("library:dashboard")))
    expect(page.locator("svg").first).to_be_visible()

    assert watched() == []
