"""A curator uploads through the real page: the picker, drag-and-drop, and
the size warning that upload.js shows before anything is sent."""

import base64
import re

from django.templatetags.static import static
from django.urls import reverse
from playwright.sync_api import expect

from library.models import Gif
from tests import images

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>'
DRAGGING = re.compile(r"\bdragging\b")

# Builds, in the page, the DataTransfer a real drag of these files carries.
DRAGGED_FILES = """
(files) => {
  const transfer = new DataTransfer();
  for (const file of files) {
    const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], file.name, {type: file.type}));
  }
  return transfer;
}
"""


def picked(name, data, mime_type="image/gif"):
    return {"name": name, "mimeType": mime_type, "buffer": data}


def dragged(page, *files):
    return page.evaluate_handle(
        DRAGGED_FILES,
        [
            {"name": name, "type": mime_type, "base64": base64.b64encode(data).decode()}
            for name, data, mime_type in files
        ],
    )


def open_upload_page(page):
    page.goto(reverse("library:upload"))
    return page.locator("input[type=file]"), page.locator("[data-chosen] li")


def submit(page):
    page.get_by_role("button", name="Upload").click()
    return page.locator(".upload-results")


def test_the_upload_page_loads_its_stylesheet_and_script(curator_page, live_server):
    page = curator_page
    responses = {}
    page.on("response", lambda response: responses.update({response.url: response}))

    open_upload_page(page)

    for name in ("library/app.css", "library/upload.js"):
        assert responses[live_server.url + static(name)].status == 200, name
    dropzone = page.locator("[data-dropzone]")
    expect(dropzone).to_have_css("border-top-style", "dashed")


def test_a_curator_sees_chosen_files_then_what_became_of_each(curator_page):
    page = curator_page
    file_input, chosen = open_upload_page(page)

    gif = images.gif_bytes()
    file_input.set_input_files(
        [picked("happy-wave.gif", gif), picked("logo.svg", SVG, "image/svg+xml")]
    )
    expect(chosen).to_have_text(
        [f"happy-wave.gif ({len(gif)} bytes)", f"logo.svg ({len(SVG)} bytes)"]
    )

    results = submit(page)
    expect(results.get_by_role("heading")).to_have_text("1 added for review, 1 refused")
    expect(results.locator(".accepted")).to_contain_text(
        "happy-wave.gif: added as “Happy wave”, waiting for review."
    )
    expect(results.locator(".refused")).to_contain_text(
        "logo.svg: SVG drawings are not accepted"
    )


def test_dropped_files_join_the_chosen_ones_and_upload_with_them(curator_page, curator):
    page = curator_page
    file_input, chosen = open_upload_page(page)
    file_input.set_input_files([picked("picked.gif", images.gif_bytes(seed=1))])
    dropzone = page.locator("[data-dropzone]")
    transfer = dragged(page, ("dropped.gif", images.gif_bytes(seed=2), "image/gif"))

    dropzone.dispatch_event("dragenter", {"dataTransfer": transfer})
    dropzone.dispatch_event("dragover", {"dataTransfer": transfer})
    expect(dropzone).to_have_class(DRAGGING)
    dropzone.dispatch_event("drop", {"dataTransfer": transfer})

    expect(dropzone).not_to_have_class(DRAGGING)
    expect(chosen).to_have_text(
        [re.compile("^picked.gif "), re.compile("^dropped.gif ")]
    )
    names = file_input.evaluate("input => Array.from(input.files, (f) => f.name)")
    assert names == ["picked.gif", "dropped.gif"]

    results = submit(page)
    expect(results.get_by_role("heading")).to_have_text("2 added for review")
    dropped = Gif.objects.get(title="Dropped")
    assert dropped.status == Gif.Status.PENDING
    assert dropped.uploaded_by == curator


def test_a_file_over_the_limit_is_marked_before_it_is_sent(curator_page, settings):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 2_000
    page = curator_page
    file_input, chosen = open_upload_page(page)
    expect(page.locator(".upload-form")).to_have_attribute("data-max-bytes", "2000")

    file_input.set_input_files(
        [
            picked("small.gif", images.gif_bytes()),
            picked("big.gif", images.gif_bytes(size=(200, 150), count=8)),
        ]
    )

    expect(chosen.nth(0)).not_to_have_class("too-large")
    expect(chosen.nth(1)).to_have_class("too-large")
    expect(chosen.nth(1)).to_have_text(
        "big.gif (2.7 KB): larger than 2 KB, it will be refused"
    )
    # The server agrees with the warning.
    results = submit(page)
    expect(results.locator(".refused")).to_contain_text(
        "big.gif: The file is larger than 2 KB"
    )
    expect(results.locator(".accepted")).to_contain_text("small.gif")


def test_a_file_just_over_the_limit_is_told_in_exact_bytes(curator_page, settings):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 2_000
    file_input, chosen = open_upload_page(curator_page)

    file_input.set_input_files([picked("just.gif", b"G" * 2_001)])

    # Rounded, both would read "2 KB": "(2 KB): larger than 2 KB".
    expect(chosen.nth(0)).to_have_text(
        "just.gif (2,001 bytes): larger than 2,000 bytes, it will be refused"
    )


def test_choosing_more_files_than_one_upload_takes_is_warned_before_sending(
    curator_page, settings
):
    settings.GIFSHELF_MAX_FILES_PER_UPLOAD = 2
    page = curator_page
    file_input, chosen = open_upload_page(page)
    warning = page.locator("[data-too-many]")
    three = [picked(f"{seed}.gif", images.gif_bytes(seed=seed)) for seed in range(3)]

    file_input.set_input_files(three[:2])
    expect(chosen).to_have_count(2)
    expect(warning).to_be_hidden()

    file_input.set_input_files(three)
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        "One upload takes up to 2 files: choose fewer, or the whole upload "
        "will be refused."
    )

    file_input.set_input_files(three[1:])
    expect(warning).to_be_hidden()
    # The server agrees with the warning.
    file_input.set_input_files(three)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".error[role=alert]").first).to_have_text(
        "Upload at most 2 files at once."
    )
    assert not Gif.objects.exists()
