"""A form the server refuses comes back with the focus on what to correct,
and the field says what is wrong when a screen reader reaches it."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from library.models import Gif


def test_a_rejection_without_a_reason_comes_back_on_the_reason(
    curator_page, upload_gif, other_curator
):
    gif = upload_gif(title="Slow clap", by=other_curator)
    page = curator_page
    page.goto(reverse("library:review", args=[gif.pk]))

    page.get_by_role("button", name="Reject", exact=True).click()

    expect(page.locator(".message.error")).to_have_text(
        "Not rejected: correct what is marked below."
    )
    reason = page.get_by_role("textbox", name="Reason for rejecting")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(
        re.compile("Say why you reject it: the uploader sees the reason.$")
    )
    gif.refresh_from_db()
    assert gif.status == Gif.Status.PENDING


def test_an_upload_without_a_file_comes_back_on_the_file_input_without_scripts(
    page_without_scripts, curator
):
    page = page_without_scripts(curator)
    page.goto(reverse("library:upload"))

    page.get_by_role("button", name="Upload", exact=True).click()

    files = page.locator("#id_files")
    expect(files).to_be_focused()
    expect(files).to_have_attribute("aria-invalid", "true")
    expect(files).to_have_accessible_description(
        re.compile("Choose at least one image to upload.$")
    )


def test_appropriateness_applied_to_nothing_comes_back_on_the_first_box(
    log_in, lead, upload_gif
):
    upload_gif(title="Reaction one")
    upload_gif(title="Reaction two")
    page = log_in(lead)
    page.goto(reverse("library:bulk_appropriateness"))

    page.get_by_role("button", name="Apply").click()

    first = page.get_by_role("checkbox", name="Reaction two")  # newest first
    expect(first).to_be_focused()
    expect(first).to_have_accessible_description(
        "Tick the GIFs to change, or choose every GIF that matches."
    )
    # Each "Unsuitable for" box says both what it is for and what is wrong.
    upset = page.locator("#id_tags_6")
    expect(upset).to_have_attribute("aria-invalid", "true")
    expect(upset).to_have_accessible_description(
        re.compile("Choose the “Unsuitable for” tags to add or remove.$")
    )
