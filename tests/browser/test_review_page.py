"""A curator reviews in the real page: Approve waits until the GIF has played
one loop (or, with reduced motion, until the filmstrip reached its last
frame), and the server refuses an approval that comes sooner."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from library.models import STEP_MS, Gif, GifEvent, MoodTag
from tests import images
from tests.reviewing import flashing_gif_bytes

WATCH_REFUSAL = "Watch the GIF to its end before approving it."
TITLE = "Slow clap"
APPROVED = f"Approved “{TITLE}”."

# Logs each change to the watch status and to Approve's `disabled`, with the
# page's clock, from before review.js runs.
RECORD_WATCH_STATUS = """
window.watchLog = [];
new MutationObserver(() => {
  const status = document.querySelector("[data-watch-status]");
  const approve = document.querySelector("[data-approve]");
  if (!status || !approve) return;
  const entry = {text: status.textContent, disabled: approve.disabled};
  const last = window.watchLog.at(-1);
  if (last && last.text === entry.text && last.disabled === entry.disabled) return;
  window.watchLog.push({...entry, at: performance.now()});
}).observe(document, {
  subtree: true, childList: true, characterData: true,
  attributes: true, attributeFilter: ["disabled"],
});
"""

# Logs what a screen reader would hear: each new text of a live region (an
# element with aria-live, or a role that implies it), from before review.js runs.
RECORD_ANNOUNCEMENTS = """
window.announced = [];
const LIVE =
  "[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]";
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    const node = mutation.target;
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const region = element && element.closest(LIVE);
    const text = region && region.textContent.trim();
    if (text && window.announced.at(-1) !== text) window.announced.push(text);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

# What a script (or a curator with the browser's tools) can send at any time.
APPROVE_THROUGH_THE_API = """
async (url) => {
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(url, {
    method: "POST",
    headers: {"X-CSRFToken": csrf, "Content-Type": "application/json"},
    body: "{}",
  });
  return {status: response.status, body: await response.json()};
}
"""


def animation(frames=6, frame_ms=200):
    """An animated GIF whose one loop lasts `frames` × `frame_ms`."""
    return images.gif_bytes(count=frames, duration=frame_ms)


@pytest.fixture
def to_review(upload_gif, other_curator):
    """to_review(data) puts `data` in the queue as another curator's upload,
    described and tagged, so that only watching it stands before approval."""

    def upload(data):
        return upload_gif(
            data=data,
            title=TITLE,
            by=other_curator,
            alt_text="A crowd claps slowly.",
            mood=[MoodTag.objects.get(name="Thank you")],
        )

    return upload


@pytest.fixture
def to_describe(upload_gif, other_curator):
    """to_describe(data) puts `data` in the queue as another curator's upload
    with neither alt text nor tags, for the reviewer to describe."""

    def upload(data):
        return upload_gif(data=data, title=TITLE, by=other_curator, alt_text="")

    return upload


def start_url(gif):
    return reverse("library:api_review_start", args=[gif.pk])


def open_url(gif):
    return reverse("library:api_review_open", args=[gif.pk])


def open_review(page, gif):
    """Open `gif`'s review page once its review clock has started (or, for a
    GIF the page does not play by itself, once an unfinished watch is void);
    return its Approve button."""
    opened = (start_url(gif), open_url(gif))
    with page.expect_response(
        lambda response: response.url.endswith(opened)
    ) as started:
        page.goto(reverse("library:review", args=[gif.pk]))
    assert started.value.status == 200
    return page.get_by_role("button", name="Approve", exact=True)


def tab_to(page, target, presses=100):
    """Press Tab until `target` has the focus, as a keyboard user would."""
    element = target.element_handle()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("element => element === document.activeElement", element):
            return
    pytest.fail(f"{presses} presses of Tab never reached {target}")


def expect_approved(page, gif, curator):
    # Nothing else waits, so the page moves on to the (now empty) queue.
    queue = reverse("library:review_queue")
    expect(page).to_have_url(re.compile(f"{re.escape(queue)}$"))
    expect(page.locator(".message.success")).to_have_text(APPROVED)
    gif.refresh_from_db()
    assert gif.status == Gif.Status.APPROVED
    assert gif.reviewed_by == curator
    assert gif.watched_to_end_by == curator
    assert gif.watched_to_end_at is not None


def expect_still_pending(gif):
    gif.refresh_from_db()
    assert gif.status == Gif.Status.PENDING
    assert gif.watched_to_end_by is None


def test_approve_waits_until_one_loop_has_played(
    curator_page, curator, to_review, live_server
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page
    page.add_init_script(RECORD_WATCH_STATUS)

    approve = open_review(page, gif)
    expect(approve).to_be_disabled()
    expect(page.locator("[data-watch-status]")).to_have_text(
        re.compile(r"^Watching: \d\.\d s of 1\.2 s$")
    )
    expect(approve).to_be_enabled(timeout=5_000)

    log = page.evaluate("window.watchLog")
    ticks = [
        float(match[1])
        for entry in log
        if (match := re.fullmatch(r"Watching: (\d\.\d) s of 1\.2 s", entry["text"]))
    ]
    assert len(ticks) >= 2, log
    assert ticks == sorted(set(ticks)), "the clock counts up"
    assert all(entry["disabled"] for entry in log[:-1]), log
    assert log[-1]["text"] == "Watched to the end. You may approve."
    assert not log[-1]["disabled"]
    # A whole loop after the server started the clock, not a moment sooner.
    clock_started = page.evaluate(
        "url => performance.getEntriesByName(url)[0].responseEnd",
        live_server.url + start_url(gif),
    )
    assert log[-1]["at"] - clock_started >= gif.duration_ms - 5

    approve.click()
    expect_approved(page, gif, curator)


def test_an_approval_sent_before_the_loop_ends_is_refused(curator_page, to_review):
    # A long loop, so that "before its end" cannot be missed on a slow machine.
    gif = to_review(animation(frames=10, frame_ms=300))
    page = curator_page

    approve = open_review(page, gif)
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API, reverse("library:api_approve", args=[gif.pk])
    )

    assert answer == {
        "status": 409,
        "body": {"error": WATCH_REFUSAL, "code": "not_watched"},
    }
    expect(approve).to_be_disabled()
    expect_still_pending(gif)


def test_leaving_before_the_end_and_coming_back_later_asks_for_a_whole_loop(
    curator_page, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page

    open_review(page, gif)
    page.goto(reverse("library:review_queue"))  # gone after a moment
    page.wait_for_timeout(gif.duration_ms + 500)  # more than a loop's time
    approve = open_review(page, gif)

    expect(page.locator("[data-watch-status]")).to_have_text(
        re.compile(r"^Watching: \d\.\d s of 1\.2 s$")
    )
    expect(approve).to_be_disabled()
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API, reverse("library:api_approve", args=[gif.pk])
    )
    assert answer["status"] == 409, answer  # the server's clock started over too
    # Seen through this time, the watch holds when the page is opened again.
    watched = reverse("library:api_review_watched", args=[gif.pk])
    with page.expect_response(lambda r: r.url.endswith(watched)) as reported:
        expect(approve).to_be_enabled(timeout=5_000)
    assert reported.value.status == 200
    open_review(page, gif)
    expect(page.locator("[data-watch-status]")).to_have_text(
        "Watched to the end. You may approve."
    )


RESTARTED_ELSEWHERE = (
    "The watch was started again in another tab or window, so this loop does "
    "not count and Approve stays disabled. Press “Watch it again” to watch it "
    "to the end here."
)


def test_a_loop_overtaken_by_a_watch_started_in_another_tab_does_not_count(
    curator_page, curator, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    tab_a = curator_page
    tab_a.add_init_script(RECORD_WATCH_STATUS)
    tab_a.add_init_script(RECORD_ANNOUNCEMENTS)
    approve = open_review(tab_a, gif)
    tab_a.wait_for_timeout(500)
    tab_b = tab_a.context.new_page()
    open_review(tab_b, gif)  # the server's clock starts over

    watched = reverse("library:api_review_watched", args=[gif.pk])
    with tab_a.expect_response(lambda r: r.url.endswith(watched)) as reported:
        pass
    assert reported.value.status == 409

    status = tab_a.locator("[data-watch-status]")
    expect(status).to_have_text(RESTARTED_ELSEWHERE)
    assert RESTARTED_ELSEWHERE in tab_a.evaluate("window.announced")
    watch_again = tab_a.get_by_role("button", name="Watch it again")
    expect(watch_again).to_be_visible()
    tab_a.wait_for_timeout(300)
    expect(approve).to_be_disabled()
    log = tab_a.evaluate("window.watchLog")
    assert all(entry["disabled"] for entry in log), log
    assert not any("You may approve" in entry["text"] for entry in log), log

    # Watched again here, to the end, from the start and on the server too.
    again = start_url(gif) + "?again=1"
    with tab_a.expect_response(lambda r: r.url.endswith(again)):
        watch_again.click()
    expect(watch_again).to_be_hidden()
    expect(status).to_have_text(re.compile(r"^Watching: \d\.\d s of 1\.2 s$"))
    expect(approve).to_be_disabled()
    expect(approve).to_be_enabled(timeout=5_000)
    expect(status).to_have_text("Watched to the end. You may approve.")
    approve.click()
    expect_approved(tab_a, gif, curator)


def test_an_approve_button_enabled_early_by_hand_is_refused(curator_page, to_review):
    gif = to_review(animation(frames=10, frame_ms=300))
    page = curator_page
    approve = open_review(page, gif)

    approve.evaluate("button => { button.disabled = false; }")
    approve_url = reverse("library:approve", args=[gif.pk])
    with page.expect_response(lambda r: r.url.endswith(approve_url)) as decided:
        approve.click()

    assert decided.value.status == 409
    expect(page.locator(".message.error")).to_have_text(WATCH_REFUSAL)
    expect_still_pending(gif)


def test_with_reduced_motion_stepping_to_the_last_frame_counts_as_watching(
    curator_page, curator, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page
    page.emulate_media(reduced_motion="reduce")

    approve = open_review(page, gif)
    expect(page.locator("[data-player]")).to_have_attribute("src", gif.still_path)
    status = page.locator("[data-watch-status]")
    expect(status).to_have_text(
        "Step through the filmstrip to the last frame (arrow keys work)."
    )
    expect(approve).to_be_disabled()

    frames = page.locator("[data-filmstrip] [data-frame]")
    expect(frames).to_have_count(6)
    tab_to(page, frames.first)
    for _ in range(5):
        expect(approve).to_be_disabled()
        page.wait_for_timeout(STEP_MS + 50)  # as long as a person looks, at least
        page.keyboard.press("ArrowRight")

    expect(frames.last).to_be_focused()
    expect(frames.last).to_have_attribute("aria-pressed", "true")
    expect(status).to_have_text("Stepped through to the last frame. You may approve.")
    expect(approve).to_be_enabled()
    tab_to(page, approve)
    page.keyboard.press("Enter")
    expect_approved(page, gif, curator)


def test_with_reduced_motion_stepping_before_the_clock_has_started_counts(
    curator_page, curator, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page
    page.emulate_media(reduced_motion="reduce")
    # Hold the request that starts the review clock, as a slow server would:
    # the last frame must not be recorded before the clock exists.
    held = []
    page.route(f"**{start_url(gif)}", lambda route: held.append(route))

    page.goto(reverse("library:review", args=[gif.pk]))
    frames = page.locator("[data-filmstrip] [data-frame]")
    frames.first.focus()
    for _ in range(5):
        page.wait_for_timeout(STEP_MS + 50)
        page.keyboard.press("ArrowRight")
    expect(frames.last).to_be_focused()
    approve = page.get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_disabled()
    assert len(held) == 1, "the clock's start is held"
    held[0].continue_()

    expect(page.locator("[data-watch-status]")).to_have_text(
        "Stepped through to the last frame. You may approve."
    )
    expect(approve).to_be_enabled()
    approve.click()
    expect_approved(page, gif, curator)


def test_a_single_frame_image_can_be_approved_at_once(curator_page, curator, to_review):
    gif = to_review(images.gif_bytes(count=1))
    page = curator_page

    approve = open_review(page, gif)

    expect(approve).to_be_enabled(timeout=1_000)
    expect(page.locator("[data-watch-status]")).to_have_text(
        "Still image: nothing to wait for."
    )
    approve.click()
    expect_approved(page, gif, curator)


def test_a_curator_approves_with_the_keyboard_alone(curator_page, curator, to_review):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page

    approve = open_review(page, gif)
    expect(approve).to_be_enabled(timeout=5_000)
    tab_to(page, approve)
    page.keyboard.press("Enter")

    expect_approved(page, gif, curator)


# The details box: its fields go with the decision.


def test_details_typed_in_the_box_are_approved_with_the_gif(
    curator_page, curator, to_describe
):
    gif = to_describe(animation(frames=6, frame_ms=200))
    page = curator_page

    approve = open_review(page, gif)
    expect(approve).to_be_enabled(timeout=5_000)
    page.get_by_label("Alt text", exact=True).fill("A crowd claps slowly.")
    page.get_by_role("checkbox", name="Thank you", exact=True).check()
    approve.click()

    expect_approved(page, gif, curator)
    assert gif.alt_text == "A crowd claps slowly."
    assert [tag.name for tag in gif.mood.all()] == ["Thank you"]
    assert gif.events.filter(action=GifEvent.Action.EDITED, actor=curator).exists()


def test_enter_in_a_details_text_box_neither_approves_nor_saves(
    curator_page, to_describe
):
    gif = to_describe(animation(frames=6, frame_ms=200))
    page = curator_page
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)

    approve = open_review(page, gif)
    expect(approve).to_be_enabled(timeout=5_000)
    page.get_by_role("checkbox", name="Thank you", exact=True).check()
    alt_text = page.get_by_label("Alt text", exact=True)
    alt_text.fill("A crowd claps slowly.")
    alt_text.press("Enter")
    page.get_by_label("Title").press("Enter")
    page.wait_for_timeout(500)  # time enough for a form to go

    # Only the review clock's own calls: its start, and the page saying it
    # saw the loop through.
    site = page.url.split("/review/")[0]
    watched = reverse("library:api_review_watched", args=[gif.pk])
    assert posted == [site + start_url(gif), site + watched], posted
    expect(alt_text).to_have_value("A crowd claps slowly.")
    gif.refresh_from_db()
    assert (gif.status, gif.alt_text) == (Gif.Status.PENDING, "")


def test_a_page_shown_again_after_a_refusal_needs_no_second_watch(
    curator_page, to_describe
):
    gif = to_describe(animation(frames=10, frame_ms=300))
    page = curator_page
    page.add_init_script(RECORD_WATCH_STATUS)

    approve = open_review(page, gif)
    expect(approve).to_be_enabled(timeout=6_000)
    page.get_by_label("Alt text", exact=True).fill("A crowd claps slowly.")
    page.get_by_role("checkbox", name="Other", exact=True).check()  # unexplained
    approve_url = reverse("library:approve", args=[gif.pk])
    with (
        page.expect_response(lambda r: r.url.endswith(approve_url)) as decided,
        page.expect_response(lambda r: r.url.endswith(start_url(gif))),
    ):
        approve.click()

    assert decided.value.status == 400
    expect(page.get_by_text("Say what “other” is.")).to_be_visible()
    expect(page.get_by_label("Alt text", exact=True)).to_have_value(
        "A crowd claps slowly."
    )
    expect(approve).to_be_enabled()
    expect(page.locator("[data-watch-status]")).to_have_text(
        "Watched to the end. You may approve."
    )
    log = page.evaluate("window.watchLog")
    assert not any(entry["text"].startswith("Watching") for entry in log), log
    expect_still_pending(gif)


def test_a_details_box_left_invalid_does_not_hold_back_a_rejection(
    curator_page, to_describe
):
    gif = to_describe(animation(frames=6, frame_ms=200))
    page = curator_page

    open_review(page, gif)
    page.get_by_label("Title").fill("")  # required: the browser would object
    page.get_by_label("Reason for rejecting").fill("Blurry at full size.")
    page.get_by_role("button", name="Reject", exact=True).click()

    expect(page.locator(".message.success")).to_have_text(f"Rejected “{TITLE}”.")
    gif.refresh_from_db()
    assert (gif.status, gif.title) == (Gif.Status.REJECTED, TITLE)


# The browser's own signal that the curator switched tabs or minimised the
# window: document.hidden and visibilityState change, then visibilitychange.
SET_VISIBILITY = """
(hidden) => {
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => (hidden ? "hidden" : "visible"),
  });
  document.dispatchEvent(new Event("visibilitychange"));
}
"""


def test_time_while_the_page_is_hidden_does_not_count_as_watching(
    curator_page, curator, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    approve = open_review(page, gif)
    status = page.locator("[data-watch-status]")
    expect(status).to_have_text(re.compile(r"^Watching: "))

    page.evaluate(SET_VISIBILITY, True)
    expect(status).to_have_text(
        "Paused: the page is hidden, so you cannot see the GIF. The loop starts "
        "again when you come back."
    )
    # Longer than the whole loop: had it counted, Approve would be enabled.
    page.wait_for_timeout(gif.duration_ms + 500)
    expect(approve).to_be_disabled()

    started_again = start_url(gif) + "?again=1"
    with page.expect_response(lambda r: r.url.endswith(started_again)):
        page.evaluate(SET_VISIBILITY, False)
    expect(status).to_have_text(
        re.compile(
            r"^Watching again from the start \(the page was hidden\): "
            r"\d\.\d s of 1\.2 s$"
        )
    )
    # The server's clock started again as well: a script cannot approve yet.
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API, reverse("library:api_approve", args=[gif.pk])
    )
    assert answer["status"] == 409
    assert answer["body"]["code"] == "not_watched"
    expect(approve).to_be_disabled()

    expect(approve).to_be_enabled(timeout=5_000)
    expect(status).to_have_text("Watched to the end. You may approve.")
    # A screen reader hears each turn once, and none of the ticks between.
    assert page.evaluate("window.announced") == [
        "Watching one loop of 1.2 s.",
        "Paused: the page is hidden, so you cannot see the GIF. The loop starts "
        "again when you come back.",
        "Back in view: loading the GIF to play it from the start…",
        "Watching again from the start (the page was hidden): one loop of 1.2 s.",
        "Watched to the end. You may approve.",
    ]
    approve.click()
    expect_approved(page, gif, curator)


def test_while_the_gif_loads_again_the_page_says_so_and_no_clock_runs(
    curator_page, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page
    approve = open_review(page, gif)
    status = page.locator("[data-watch-status]")
    expect(status).to_have_text(re.compile(r"^Watching: "))
    page.evaluate(SET_VISIBILITY, True)

    # The original is slow to arrive again (a large GIF, a slow network).
    held = []
    page.route(re.compile(r"[?&]play=\d+$"), lambda route: held.append(route))
    page.evaluate(SET_VISIBILITY, False)
    expect(status).to_have_text(
        "Back in view: loading the GIF to play it from the start…"
    )
    page.wait_for_timeout(gif.duration_ms + 300)
    expect(status).to_have_text(
        "Back in view: loading the GIF to play it from the start…"
    )
    expect(approve).to_be_disabled()

    assert len(held) == 1
    held[0].continue_()
    expect(status).to_have_text(re.compile(r"^Watching again from the start"))
    expect(approve).to_be_enabled(timeout=5_000)


def test_with_reduced_motion_a_filmstrip_of_some_frames_is_not_watching(
    curator_page, curator, to_review
):
    # Twelve frames, but the filmstrip shows eight evenly spaced ones: four
    # frames are never in it, and a surprise could be among them.
    gif = to_review(animation(frames=12, frame_ms=200))
    page = curator_page
    page.emulate_media(reduced_motion="reduce")

    page.goto(reverse("library:review", args=[gif.pk]))
    approve = page.get_by_role("button", name="Approve", exact=True)
    status = page.locator("[data-watch-status]")
    expect(status).to_have_text(
        "The filmstrip shows 8 of its 12 frames, so stepping through it is not "
        "watching every frame: play it once to the end."
    )
    frames = page.locator("[data-filmstrip] [data-frame]")
    expect(frames).to_have_count(8)
    frames.first.focus()
    for _ in range(7):
        page.wait_for_timeout(STEP_MS + 50)
        page.keyboard.press("ArrowRight")
    expect(frames.last).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(500)
    expect(approve).to_be_disabled()
    # Nor does the server take the filmstrip's end for watching.
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API,
        reverse("library:api_review_filmstrip", args=[gif.pk]),
    )
    assert answer["status"] == 409
    expect_still_pending(gif)

    page.get_by_role("button", name="Play it once").click()
    expect(page.locator("[data-player]")).to_have_attribute("src", gif.original_path)
    expect(approve).to_be_enabled(timeout=5_000)
    expect(status).to_have_text("Watched to the end. You may approve.")
    approve.click()
    expect_approved(page, gif, curator)


def test_with_reduced_motion_leaving_a_played_gif_early_needs_a_whole_loop_again(
    curator_page, to_review
):
    # The page runs no clock until "Play it once"; opening it again must still
    # void the clock an earlier visit left running, or the server would take
    # the time since then for a watch.
    gif = to_review(animation(frames=12, frame_ms=200))
    curator_page.emulate_media(reduced_motion="reduce")

    play_leave_and_come_back(curator_page, gif)

    expect_unwatched_again(curator_page, gif)


def play_leave_and_come_back(page, gif):
    """Play the GIF once, leave before its end, and open it again more than a
    loop later."""
    open_review(page, gif)
    with page.expect_response(lambda r: r.url.endswith(start_url(gif))):
        page.get_by_role("button", name="Play it once").click()
    page.goto(reverse("library:review_queue"))  # gone after a moment
    page.wait_for_timeout(gif.duration_ms + 500)  # more than a loop's time
    open_review(page, gif)


def expect_unwatched_again(page, gif):
    """The watch left unfinished is void: the page offers to play it again,
    and neither it nor the API approves it meanwhile."""
    expect(page.get_by_role("button", name="Play it once")).to_be_visible()
    expect(page.get_by_role("button", name="Approve", exact=True)).to_be_disabled()
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API, reverse("library:api_approve", args=[gif.pk])
    )
    assert (answer["status"], answer["body"]["code"]) == (409, "not_started")
    expect_still_pending(gif)


# Flash risk: the player opens still beside the warning, and plays once when
# the curator presses "Play it once"; only then does the watch clock start.

FLASH_HINT = (
    "It can flash, so it is shown still. Press “Play it once” when you are "
    "ready: Approve waits until it has played to its end."
)
ACKNOWLEDGE = "I know this GIF flashes and approve it anyway"

LOADED_FROM = """
path => performance.getEntriesByType("resource")
  .filter(entry => new URL(entry.name).pathname === path)
  .map(entry => entry.responseEnd)
"""


def test_a_gif_that_can_flash_opens_still_and_plays_once_when_asked(
    curator_page, curator, to_review, live_server
):
    gif = to_review(flashing_gif_bytes())  # 20 frames of 50 ms: one second
    assert gif.flash_risk
    page = curator_page
    page.add_init_script(RECORD_WATCH_STATUS)

    approve = open_review(page, gif)
    player = page.locator("[data-player]")
    expect(player).to_have_attribute("src", gif.still_path)
    warning = page.get_by_role("alert").filter(has_text="Flash risk.")
    expect(warning).to_contain_text("It can trigger seizures.")
    assert warning.bounding_box()["y"] < player.bounding_box()["y"]
    status = page.locator("[data-watch-status]")
    expect(status).to_have_text(FLASH_HINT)
    play_once = page.get_by_role("button", name="Play it once")
    expect(play_once).to_be_visible()

    # Left alone for longer than a loop: it never played, and nothing counts.
    page.wait_for_timeout(gif.duration_ms + 500)
    assert page.evaluate(LOADED_FROM, gif.original_path) == []
    expect(approve).to_be_disabled()
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API, reverse("library:api_approve", args=[gif.pk])
    )
    assert (answer["status"], answer["body"]["code"]) == (409, "not_started")

    with page.expect_response(lambda r: r.url.endswith(start_url(gif))):
        play_once.click()
    expect(player).to_have_attribute("src", gif.original_path)
    expect(approve).to_be_disabled()
    expect(approve).to_be_enabled(timeout=5_000)
    enabled = page.evaluate("window.watchLog.at(-1)")
    assert enabled["text"] == "Watched to the end. You may approve."
    # A whole loop after the clock started, when "Play it once" was pressed.
    clock_started = page.evaluate(
        "url => performance.getEntriesByName(url).at(-1).responseEnd",
        live_server.url + start_url(gif),
    )
    assert enabled["at"] - clock_started >= gif.duration_ms - 5
    assert all(entry["disabled"] for entry in page.evaluate("window.watchLog")[:-1])
    # Played once: it stops on its last frame instead of flashing on.
    expect(player).to_have_attribute("src", gif.last_still_path)

    page.get_by_label(ACKNOWLEDGE).check()
    approve.click()
    expect_approved(page, gif, curator)


def test_a_gif_that_can_flash_never_plays_again_by_itself_after_the_page_was_hidden(
    curator_page, curator, to_review
):
    gif = to_review(flashing_gif_bytes())
    page = curator_page
    approve = open_review(page, gif)
    player = page.locator("[data-player]")
    with page.expect_response(lambda r: r.url.endswith(start_url(gif))):
        page.get_by_role("button", name="Play it once").click()
    expect(player).to_have_attribute("src", gif.original_path)

    page.evaluate(SET_VISIBILITY, True)
    expect(player).to_have_attribute("src", gif.still_path)
    page.evaluate(SET_VISIBILITY, False)

    # Back in view: still, and the curator chooses when it plays again.
    page.wait_for_timeout(300)
    expect(player).to_have_attribute("src", gif.still_path)
    expect(page.locator("[data-watch-status]")).to_have_text(
        re.compile("^You left the page before the end")
    )
    expect(approve).to_be_disabled()
    watch_again = page.get_by_role("button", name="Watch it again")
    with page.expect_response(lambda r: r.url.endswith(start_url(gif) + "?again=1")):
        watch_again.click()
    expect(player).to_have_attribute("src", re.compile(r"\.gif\?play=1$"))
    expect(approve).to_be_enabled(timeout=5_000)
    expect(player).to_have_attribute("src", gif.last_still_path)
    page.get_by_label(ACKNOWLEDGE).check()
    approve.click()
    expect_approved(page, gif, curator)


def test_opening_a_gif_that_can_flash_again_voids_an_unfinished_watch(
    curator_page, to_review
):
    gif = to_review(flashing_gif_bytes())

    play_leave_and_come_back(curator_page, gif)

    expect_unwatched_again(curator_page, gif)


def test_with_reduced_motion_a_gif_that_can_flash_is_stepped_through_when_whole(
    curator_page, curator, to_review
):
    gif = to_review(flashing_gif_bytes(frames=6, ms=100))  # five flashes a second
    assert gif.flash_risk
    page = curator_page
    page.emulate_media(reduced_motion="reduce")

    approve = open_review(page, gif)
    expect(page.locator("[data-player]")).to_have_attribute("src", gif.still_path)
    expect(page.locator("[data-watch-status]")).to_have_text(
        "Step through the filmstrip to the last frame (arrow keys work)."
    )
    expect(page.get_by_role("button", name="Play it once")).to_be_hidden()
    frames = page.locator("[data-filmstrip] [data-frame]")
    expect(frames).to_have_count(6)
    frames.first.focus()
    for _ in range(5):
        page.wait_for_timeout(STEP_MS + 50)
        page.keyboard.press("ArrowRight")

    expect(approve).to_be_enabled()
    assert page.evaluate(LOADED_FROM, gif.original_path) == []
    page.get_by_label(ACKNOWLEDGE).check()
    approve.click()
    expect_approved(page, gif, curator)


def test_a_decided_gif_that_can_flash_plays_once_on_request(
    curator_page, upload_gif, other_curator
):
    gif = upload_gif(
        data=flashing_gif_bytes(),
        title=TITLE,
        by=other_curator,
        status=Gif.Status.APPROVED,
    )
    page = curator_page

    page.goto(reverse("library:review", args=[gif.pk]))
    player = page.locator("[data-player]")
    expect(player).to_have_attribute("src", gif.still_path)
    page.get_by_role("button", name="Play it once").click()

    expect(player).to_have_attribute("src", gif.original_path)
    expect(player).to_have_attribute("src", gif.last_still_path, timeout=5_000)


def shown_colour(player):
    """The colour in the middle of the frame `player` shows right now."""
    shot = Image.open(io.BytesIO(player.screenshot(animations="allow")))
    return shot.convert("RGB").getpixel((shot.width // 2, shot.height // 2))


def close_to(colour, expected, by=8):
    return all(abs(a - b) <= by for a, b in zip(colour, expected, strict=True))


def test_coming_back_to_the_page_plays_a_play_once_gif_again_from_its_start(
    curator_page, curator, to_review
):
    frames = images.frames_of(3)
    middle = (frames[0].width // 2, frames[0].height // 2)
    first, last = (frames[i].getpixel(middle) for i in (0, -1))
    # Frames long enough for a screenshot to catch the first one on a busy
    # machine (at 800 ms, one run in dozens missed it under a parallel suite).
    gif = to_review(images.gif_played_once(count=3, duration=1500))
    assert gif.loops == 1
    page = curator_page
    page.add_init_script(RECORD_WATCH_STATUS)
    approve = open_review(page, gif)
    player = page.locator("[data-player]")

    # Hidden while it plays its only time: it ends on its last frame, unseen.
    page.evaluate(SET_VISIBILITY, True)
    page.wait_for_timeout(gif.duration_ms + 600)
    assert close_to(shown_colour(player), last)

    again = start_url(gif) + "?again=1"
    with page.expect_response(lambda r: r.url.endswith(again)):
        page.evaluate(SET_VISIBILITY, False)
    # It plays again from its first frame (left alone it would stay on its last).
    for _ in range(40):
        if close_to(shown_colour(player), first):
            break
        page.wait_for_timeout(25)
    else:
        pytest.fail("the GIF did not play again from its first frame")
    # When the original arrived again, to play from the start.
    restarted = page.evaluate(
        """path => performance.getEntriesByType("resource")
          .filter(entry => new URL(entry.name).pathname === path)
          .at(-1).responseEnd""",
        gif.original_path,
    )
    # Nor can a script approve before it has played through again.
    answer = page.evaluate(
        APPROVE_THROUGH_THE_API, reverse("library:api_approve", args=[gif.pk])
    )
    assert (answer["status"], answer["body"]["code"]) == (409, "not_watched")
    expect(approve).to_be_disabled()

    expect(approve).to_be_enabled(timeout=10_000)
    enabled = page.evaluate("window.watchLog.at(-1)")
    assert enabled["text"] == "Watched to the end. You may approve."
    # A whole play after the restart, which has come to its last frame.
    assert enabled["at"] - restarted >= gif.duration_ms - 5
    assert close_to(shown_colour(player), last)
    approve.click()
    expect_approved(page, gif, curator)


# The watch runs only where this reviewer could approve.


@pytest.mark.parametrize(
    "state",
    [Gif.Status.APPROVED, Gif.Status.REJECTED, Gif.Status.RETIRED, "own upload"],
)
def test_no_watch_clock_runs_where_the_reviewer_cannot_approve(
    curator_page, curator, upload_gif, other_curator, state
):
    own = state == "own upload"
    gif = upload_gif(
        data=animation(frames=3, frame_ms=200),
        title=TITLE,
        by=curator if own else other_curator,
        alt_text="A crowd claps slowly.",
        status=Gif.Status.PENDING if own else state,
    )
    page = curator_page
    started = []
    page.on(
        "request",
        lambda request: start_url(gif) in request.url and started.append(request),
    )

    page.goto(reverse("library:review", args=[gif.pk]))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(gif.duration_ms + 500)  # a loop, had a clock run

    assert started == []
    expect(page.get_by_text("You may approve")).to_have_count(0)
    expect(page.locator("[data-watch-status]")).to_have_count(0)
    assert not gif.playbacks.exists()
    # The filmstrip still steps from frame to frame.
    frames = page.locator("[data-filmstrip] [data-frame]")
    frames.last.click()
    expect(frames.last).to_have_attribute("aria-pressed", "true")
    if own:
        expect(page.get_by_role("button", name="Approve", exact=True)).to_be_disabled()


def test_with_self_approval_on_the_uploader_watches_before_approving(
    curator_page, curator, upload_gif, settings
):
    settings.GIFSHELF_ALLOW_SELF_APPROVAL = True
    gif = upload_gif(
        data=animation(frames=3, frame_ms=200),
        title=TITLE,
        by=curator,
        alt_text="A crowd claps slowly.",
        mood=[MoodTag.objects.get(name="Thank you")],
    )

    approve = open_review(curator_page, gif)

    expect(approve).to_be_enabled(timeout=5_000)
    expect(curator_page.locator("[data-watch-status]")).to_have_text(
        "Watched to the end. You may approve."
    )


def test_with_reduced_motion_a_decided_gif_plays_once_on_request_without_a_clock(
    curator_page, upload_gif, other_curator
):
    gif = upload_gif(
        data=animation(frames=3, frame_ms=200),
        title=TITLE,
        by=other_curator,
        status=Gif.Status.APPROVED,
    )
    page = curator_page
    page.emulate_media(reduced_motion="reduce")
    started = []
    page.on(
        "request",
        lambda request: start_url(gif) in request.url and started.append(request),
    )

    page.goto(reverse("library:review", args=[gif.pk]))
    player = page.locator("[data-player]")
    expect(player).to_have_attribute("src", gif.still_path)
    page.get_by_role("button", name="Play it once").click()

    expect(player).to_have_attribute("src", gif.original_path)
    page.wait_for_timeout(gif.duration_ms + 300)
    assert started == []
    expect(page.get_by_text("You may approve")).to_have_count(0)


@pytest.mark.parametrize("state", ["to approve", "own upload", Gif.Status.APPROVED])
def test_with_reduced_motion_play_it_once_leaves_the_focus_on_the_player(
    curator_page, curator, upload_gif, other_curator, state
):
    # Twelve frames: the filmstrip is a sample, so the page offers to play it.
    gif = upload_gif(
        data=animation(frames=12, frame_ms=200),
        title=TITLE,
        by=curator if state == "own upload" else other_curator,
        alt_text="A crowd claps slowly.",
        status=state if state == Gif.Status.APPROVED else Gif.Status.PENDING,
    )
    page = curator_page
    page.emulate_media(reduced_motion="reduce")
    page.goto(reverse("library:review", args=[gif.pk]))
    play_once = page.get_by_role("button", name="Play it once")

    tab_to(page, play_once)
    page.keyboard.press("Enter")

    # The button is gone; a screen reader's place is the GIF it started, not
    # the top of the page, and Tab goes on from there to the filmstrip.
    expect(play_once).to_be_hidden()
    player = page.get_by_role("img", name="A crowd claps slowly.", exact=True)
    expect(player).to_be_focused()
    expect(player).to_have_attribute("src", gif.original_path)
    page.keyboard.press("Tab")
    expect(page.locator("[data-filmstrip] [data-frame]").first).to_be_focused()


def test_a_screen_reader_hears_the_watch_start_and_end_not_every_tick(
    curator_page, curator, to_review
):
    gif = to_review(animation(frames=6, frame_ms=200))
    page = curator_page
    page.add_init_script(RECORD_WATCH_STATUS)
    page.add_init_script(RECORD_ANNOUNCEMENTS)

    approve = open_review(page, gif)
    expect(approve).to_be_enabled(timeout=5_000)

    # The figure ticks on screen...
    shown = [entry["text"] for entry in page.evaluate("window.watchLog")]
    assert len([text for text in shown if text.startswith("Watching: ")]) >= 2, shown
    # ...but is said twice only: when the loop starts, and when it has played.
    assert page.evaluate("window.announced") == [
        "Watching one loop of 1.2 s.",
        "Watched to the end. You may approve.",
    ]


# Near-duplicates: compared side by side, below the decision.


@pytest.fixture
def with_near_duplicates(to_review, upload_gif, other_curator):
    """A calm GIF to review, linked to a calm near-duplicate and a flashing
    one (linked by hand: black and white frames hash as flat)."""

    def make():
        gif = to_review(animation(frames=6, frame_ms=200))
        calm = upload_gif(
            data=images.gif_bytes(count=6, duration=200, seed=3),
            title="Slow clap again",
            by=other_curator,
        )
        strobe = upload_gif(
            data=flashing_gif_bytes(), title="Strobe clap", by=other_curator
        )
        assert strobe.flash_risk and not calm.flash_risk
        gif.near_duplicates.add(calm, strobe)
        return gif, calm, strobe

    return make


SHOWN_IN_COMPARISON = """
() => Object.fromEntries(Array.from(document.querySelectorAll(".compare img"),
  (img) => [img.alt, new URL(img.currentSrc).pathname]))
"""


def compared(page):
    """What each picture beside the near-duplicates shows, by its alt text."""
    page.wait_for_load_state("load")
    return page.evaluate(SHOWN_IN_COMPARISON)


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no scripts"])
def test_with_reduced_motion_the_near_duplicates_are_shown_still(
    page, log_in, page_without_scripts, curator, with_near_duplicates, scripts
):
    gif, calm, strobe = with_near_duplicates()
    page = log_in(curator) if scripts else page_without_scripts(curator)
    page.emulate_media(reduced_motion="reduce")

    page.goto(reverse("library:review", args=[gif.pk]))

    assert compared(page) == {
        "This GIF": gif.poster_path,
        calm.title: calm.poster_path,
        strobe.title: strobe.poster_path,
    }


def test_near_duplicates_move_unless_they_can_flash(curator_page, with_near_duplicates):
    gif, calm, strobe = with_near_duplicates()
    page = curator_page

    page.goto(reverse("library:review", args=[gif.pk]))

    assert compared(page) == {
        "This GIF": gif.preview_path,
        calm.title: calm.preview_path,
        strobe.title: strobe.poster_path,
    }


def test_a_near_duplicate_that_can_flash_carries_the_flash_badge(
    curator_page, with_near_duplicates
):
    gif, _calm, strobe = with_near_duplicates()
    page = curator_page

    page.goto(reverse("library:review", args=[gif.pk]))

    figures = page.locator(".compare figure")
    expect(figures).to_have_count(3)
    badge = page.locator(".compare .badge-danger")
    expect(badge).to_have_count(1)
    strobe_figure = figures.filter(has_text=strobe.title)
    expect(strobe_figure.locator(".badge-danger")).to_have_text("⚠ Flash risk")
    expect(badge).to_have_attribute(
        "title",
        "Flashes 10 times a second: risky for people with photosensitive epilepsy",
    )
