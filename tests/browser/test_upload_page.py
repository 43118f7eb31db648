"""A curator uploads through the real page: the picker, drag-and-drop, the
one list of chosen files they build, and the warnings that upload.js shows
before anything is sent."""

import base64
import os
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
    const made = {type: file.type};
    if (file.lastModified !== null) made.lastModified = file.lastModified;
    transfer.items.add(new File([bytes], file.name, made));
  }
  return transfer;
}
"""


def picked(name, data, mime_type="image/gif"):
    return {"name": name, "mimeType": mime_type, "buffer": data}


def dragged(page, *files):
    """A drag of (name, data, MIME type[, lastModified in ms]) files."""
    return page.evaluate_handle(
        DRAGGED_FILES,
        [
            {
                "name": name,
                "type": mime_type,
                "base64": base64.b64encode(data).decode(),
                "lastModified": modified[0] if modified else None,
            }
            for name, data, mime_type, *modified in files
        ],
    )


def drop(page, *files):
    transfer = dragged(page, *files)
    dropzone = page.locator("[data-dropzone]")
    for event in ("dragenter", "dragover", "drop"):
        dropzone.dispatch_event(event, {"dataTransfer": transfer})


def on_disk(folder, name, data, modified_s=1_700_000_000):
    """A file the picker reads from disk, as a curator's would be: its
    lastModified is the file's, the same each time it is chosen."""
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (modified_s, modified_s))
    return path


def open_upload_page(page):
    """The file input, and each chosen file as the list describes it."""
    page.goto(reverse("library:upload"))
    return page.locator("input[type=file]"), page.locator("[data-chosen] .chosen-file")


def in_the_input(file_input):
    return file_input.evaluate("input => Array.from(input.files, (f) => f.name)")


def reported(results):
    """The file names the upload report lists, as the server received them."""
    return results.locator(".file-name").all_inner_texts()


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

    items = page.locator("[data-chosen] li")
    expect(items.nth(0)).not_to_have_class("too-large")
    expect(items.nth(1)).to_have_class("too-large")
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


def test_too_many_files_is_warned_for_the_whole_list_dropped_and_picked(
    curator_page, settings
):
    settings.GIFSHELF_MAX_FILES_PER_UPLOAD = 2
    page = curator_page
    file_input, chosen = open_upload_page(page)
    warning = page.locator("[data-too-many]")

    drop(page, ("0.gif", images.gif_bytes(seed=0), "image/gif"))
    file_input.set_input_files([picked("1.gif", images.gif_bytes(seed=1))])
    expect(chosen).to_have_count(2)
    expect(warning).to_be_hidden()

    # Two files in the list, one more picked: three in all.
    file_input.set_input_files([picked("2.gif", images.gif_bytes(seed=2))])
    expect(chosen).to_have_count(3)
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        "One upload takes up to 2 files: choose fewer, or the whole upload "
        "will be refused."
    )

    page.get_by_role("button", name="Remove “0.gif”").click()
    expect(warning).to_be_hidden()
    drop(page, ("3.gif", images.gif_bytes(seed=3), "image/gif"))
    expect(warning).to_be_visible()
    # The server agrees with the warning.
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".error[role=alert]").first).to_have_text(
        "Upload at most 2 files at once."
    )
    assert not Gif.objects.exists()


def test_files_picked_after_a_drop_join_the_dropped_ones(curator_page, settings):
    settings.GIFSHELF_MAX_UPLOAD_BYTES = 2_000
    page = curator_page
    file_input, chosen = open_upload_page(page)
    big = images.gif_bytes(size=(200, 150), count=8)

    drop(
        page,
        ("dropped.gif", images.gif_bytes(seed=1), "image/gif"),
        ("big.gif", big, "image/gif"),
    )
    file_input.set_input_files([picked("picked.gif", images.gif_bytes(seed=2))])

    # The picker used to replace what was dropped, without a word.
    expect(chosen).to_have_text(
        [
            re.compile(r"^dropped\.gif \("),
            "big.gif (2.7 KB): larger than 2 KB, it will be refused",
            re.compile(r"^picked\.gif \("),
        ]
    )
    expect(page.locator("[data-chosen] li").nth(1)).to_have_class("too-large")
    assert in_the_input(file_input) == ["dropped.gif", "big.gif", "picked.gif"]

    results = submit(page)
    expect(results.get_by_role("heading")).to_have_text("2 added for review, 1 refused")
    assert sorted(reported(results)) == ["big.gif", "dropped.gif", "picked.gif"]
    assert set(Gif.objects.values_list("title", flat=True)) == {"Dropped", "Picked"}


def test_the_same_file_chosen_again_is_listed_once_and_the_page_says_so(
    curator_page, tmp_path
):
    page = curator_page
    file_input, chosen = open_upload_page(page)
    note = page.locator("[data-chosen-note]")
    data = images.gif_bytes(seed=5)
    path = on_disk(tmp_path, "wave.gif", data, modified_s=1_700_000_000)
    wave = ("wave.gif", data, "image/gif", 1_700_000_000_000)

    drop(page, wave)
    expect(chosen).to_have_count(1)
    expect(note).to_have_text("")

    drop(page, wave)  # dropped again
    expect(chosen).to_have_count(1)
    expect(note).to_have_text(
        "“wave.gif” is already in the list, so it was not added again."
    )
    expect(note).to_have_attribute("role", "status")

    file_input.set_input_files(path)  # and picked from disk: the same file
    expect(chosen).to_have_count(1)
    expect(note).to_have_text(
        "“wave.gif” is already in the list, so it was not added again."
    )

    # Same name, but another file (edited since): both are kept.
    drop(page, ("wave.gif", images.gif_bytes(seed=6), "image/gif", 1_700_000_500_000))
    expect(chosen).to_have_count(2)
    expect(note).to_have_text("")
    assert in_the_input(file_input) == ["wave.gif", "wave.gif"]

    results = submit(page)
    expect(results.get_by_role("heading")).to_have_text("2 added for review")
    assert reported(results) == ["wave.gif", "wave.gif"]


def test_a_file_can_be_taken_off_the_list_with_the_keyboard(curator_page):
    page = curator_page
    file_input, chosen = open_upload_page(page)
    file_input.set_input_files(
        [
            picked(f"{name}.gif", images.gif_bytes(seed=seed))
            for seed, name in enumerate("abc")
        ]
    )
    drop(page, ("d.gif", images.gif_bytes(seed=3), "image/gif"))
    removes = page.locator("[data-chosen] li button")
    expect(removes).to_have_text(["Remove"] * 4)

    # Each button names its file; Tab reaches them from the picker, in order.
    file_input.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove “a.gif”")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove “b.gif”")).to_be_focused()
    page.keyboard.press("Enter")

    expect(chosen).to_have_text(
        [
            re.compile(r"^a\.gif \("),
            re.compile(r"^c\.gif \("),
            re.compile(r"^d\.gif \("),
        ]
    )
    expect(page.locator("[data-chosen-note]")).to_have_text(
        "Removed “b.gif” from the list."
    )
    # The keyboard stays in the list, on the file that took b.gif's place.
    expect(page.get_by_role("button", name="Remove “c.gif”")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Remove “d.gif”")).to_be_focused()
    assert in_the_input(file_input) == ["a.gif", "d.gif"]

    results = submit(page)
    expect(results.get_by_role("heading")).to_have_text("2 added for review")
    assert sorted(reported(results)) == ["a.gif", "d.gif"]


def test_a_file_name_with_a_dollar_sign_is_said_as_it_is(curator_page):
    # "$&" means "the matched text" to String.replace with a string.
    page = curator_page
    file_input, _ = open_upload_page(page)
    file_input.set_input_files([picked("b$&c.gif", images.gif_bytes())])

    page.get_by_role("button", name="Remove “b$&c.gif”").press("Enter")

    expect(page.locator("[data-chosen-note]")).to_have_text(
        "Removed “b$&c.gif” from the list."
    )


def test_removing_the_last_file_leaves_the_keyboard_on_the_picker(curator_page):
    page = curator_page
    file_input, chosen = open_upload_page(page)
    file_input.set_input_files([picked("only.gif", images.gif_bytes())])

    page.get_by_role("button", name="Remove “only.gif”").press("Enter")

    expect(chosen).to_have_count(0)
    expect(file_input).to_be_focused()
    assert in_the_input(file_input) == []
