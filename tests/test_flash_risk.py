"""Flash risk (WCAG 2.3.1), checked at upload on vectors drawn by Pillow.

A flash is a pair of opposing changes of relative luminance of at least 0.10
whose darker state is below 0.80, or a pair of transitions into and out of
saturated red. More than three flashes (or three red ones) in any second,
over a quarter of the frame, set the flag.
"""

import pytest
from django.urls import reverse

from library import imaging
from library.imaging import Limits
from library.models import Gif
from tests import images
from tests.images import BLACK, SATURATED_RED, WHITE, alternating, patch_frame, solid

# The shelf's default limits (settings.GIFSHELF_MAX_*).
LIMITS = Limits(
    max_bytes=15_000_000,
    max_pixels=4_000_000,
    max_frames=1_000,
    max_total_pixels=300_000_000,
)


def flash_of(data):
    return imaging.analyse(data, LIMITS).flash


def as_gif(frames, duration, **params):
    """An animation that loops forever unless `loop=None` says it plays once."""
    params.setdefault("loop", 0)
    if params["loop"] is None:
        del params["loop"]  # no NETSCAPE block: browsers play it once
    return images.encode(frames, "GIF", duration=duration, **params)


def as_apng(frames, duration):
    """APNG keeps delays to the millisecond, where GIF rounds to 10 ms."""
    return images.encode(frames, "PNG", duration=duration, loop=0)


def relative_luminance(colour):
    """WCAG's relative luminance of an sRGB colour, computed independently."""

    def linear(channel):
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def black_and_white(duration, **params):
    """Full-frame black and white, taking turns every `duration` ms: one
    flash (a pair of opposing transitions) every two frames."""
    return as_gif(alternating(solid(BLACK), solid(WHITE)), duration, **params)


# --- The vectors of the issue -------------------------------------------------


def test_full_frame_black_and_white_at_10_hz_is_flagged():
    flash = flash_of(black_and_white(duration=50))

    assert flash.risky
    assert flash.per_second == 10
    assert not flash.red


def test_full_frame_black_and_white_at_1_hz_is_not_flagged():
    flash = flash_of(black_and_white(duration=500))

    assert not flash.risky
    assert flash.per_second == 1


def test_a_small_patch_flashing_at_10_hz_is_not_flagged():
    # 4 × 4 cells of the 16 × 16 grid: a sixteenth of the frame.
    frames = alternating(patch_frame(BLACK, (4, 4)), patch_frame(WHITE, (4, 4)))

    flash = flash_of(as_gif(frames, duration=50))

    assert not flash.risky
    assert flash.per_second == 0  # no quarter of the frame flashes at all


def test_a_low_contrast_grey_flicker_at_10_hz_is_not_flagged():
    dim, light = (120, 120, 120), (135, 135, 135)
    assert relative_luminance(light) - relative_luminance(dim) < 0.10

    flash = flash_of(as_gif(alternating(solid(dim), solid(light)), duration=50))

    assert not flash.risky
    assert flash.per_second == 0


def test_saturated_red_alternating_with_black_at_6_hz_is_flagged_as_a_red_flash():
    # GIF delays are centiseconds: 80 ms frames are as close to 6 Hz as it gets.
    frames = alternating(solid(SATURATED_RED), solid(BLACK))

    flash = flash_of(as_gif(frames, duration=80))

    assert flash.risky
    assert flash.red
    assert flash.per_second == 6


# --- Where the rule draws its lines ------------------------------------------


@pytest.mark.parametrize(
    ("encode", "duration", "per_second", "risky"),
    [
        (as_gif, 170, 3, False),
        (as_gif, 120, 4, True),
        (as_apng, 167, 3, False),  # 1000 / 6 ms
        (as_apng, 125, 4, True),  # 1000 / 8 ms
    ],
    ids=[
        "gif-3-per-second",
        "gif-4-per-second",
        "apng-3-per-second",
        "apng-4-per-second",
    ],
)
def test_three_full_frame_flashes_a_second_are_allowed_and_four_are_not(
    encode, duration, per_second, risky
):
    frames = alternating(solid(BLACK), solid(WHITE))

    flash = flash_of(encode(frames, duration))

    assert flash.per_second == per_second
    assert flash.risky is risky


@pytest.mark.parametrize(
    ("cells", "risky"),
    [
        ((9, 7), False),  # 63 of 256 cells: just under a quarter
        ((8, 8), True),  # 64 cells: exactly a quarter
        ((9, 8), True),  # 72 cells: just over a quarter
    ],
)
def test_a_flashing_patch_counts_from_a_quarter_of_the_frame(cells, risky):
    frames = alternating(patch_frame(BLACK, cells), patch_frame(WHITE, cells))

    flash = flash_of(as_gif(frames, duration=50))

    assert flash.risky is risky
    assert flash.per_second == (10 if risky else 0)


def test_a_bright_flicker_whose_darker_state_is_not_below_0_80_is_not_flagged():
    light, white = (235, 235, 235), WHITE
    assert relative_luminance(light) >= 0.80
    assert relative_luminance(white) - relative_luminance(light) >= 0.10

    flash = flash_of(as_gif(alternating(solid(light), solid(white)), duration=50))

    assert not flash.risky
    assert flash.per_second == 0


def test_a_mid_grey_flicker_just_over_0_10_is_flagged():
    dark, light = (200, 200, 200), (225, 225, 225)
    assert relative_luminance(dark) < 0.80
    assert 0.10 <= relative_luminance(light) - relative_luminance(dark) < 0.20

    flash = flash_of(as_gif(alternating(solid(dark), solid(light)), duration=50))

    assert flash.risky
    assert flash.per_second == 10


def test_a_flash_completed_only_across_the_loop_seam_counts_when_the_gif_loops():
    # One play shows a single transition, white to black; only the jump from
    # the last frame back to the first completes the flash, 5 times a second.
    frames = [solid(WHITE), solid(BLACK)]

    looping = imaging.analyse(as_gif(frames, duration=[50, 150]), LIMITS)
    once = imaging.analyse(as_gif(frames, duration=[50, 150], loop=None), LIMITS)

    assert (looping.facts.loops, once.facts.loops) == (0, 1)  # forever; once
    assert looping.flash.risky
    assert looping.flash.per_second == 5
    assert not once.flash.risky
    assert once.flash.per_second == 0


@pytest.mark.parametrize("declared", [0, 10])
def test_gif_delays_of_10_ms_or_less_play_as_100_ms_so_the_gif_flashes_at_5_hz(
    declared,
):
    data = black_and_white(duration=declared)

    analysis = imaging.analyse(data, LIMITS)

    assert analysis.facts.duration_ms == 200
    assert analysis.flash.risky
    assert analysis.flash.per_second == 5


def test_a_gif_delay_of_20_ms_plays_as_declared():
    flash = flash_of(black_and_white(duration=20))

    assert flash.risky
    assert flash.per_second == 25


def test_three_red_flashes_a_second_are_flagged_where_three_general_ones_are_not():
    # A grey of about red's luminance: the only thing that flashes is the red.
    grey = (128, 128, 128)
    assert abs(relative_luminance(grey) - relative_luminance(SATURATED_RED)) < 0.10
    frames = alternating(solid(SATURATED_RED), solid(grey))

    three = flash_of(as_apng(frames, 167))
    two = flash_of(as_apng(frames, 250))

    assert three.risky
    assert three.red
    assert three.per_second == 3
    assert not two.risky
    assert not two.red


def test_two_reds_that_look_the_same_do_not_make_a_red_flash():
    # 204 / (204 + 51) = 0.80 is saturated red; 200 / (200 + 56) = 0.78 is not.
    red, almost_the_same_red = (204, 51, 0), (200, 56, 0)
    assert abs(relative_luminance(red) - relative_luminance(almost_the_same_red)) < 0.01
    frames = alternating(solid(red), solid(almost_the_same_red))

    flash = flash_of(as_apng(frames, 50))

    assert not flash.risky


# --- Through the real upload --------------------------------------------------


def api_body(client_for, gif):
    return client_for("curator").get(reverse("library:api_gif", args=[gif.pk])).json()


@pytest.mark.django_db
def test_an_uploaded_gif_flashing_at_10_hz_is_flagged_on_the_shelf_and_in_the_api(
    upload_gif, client_for
):
    gif = upload_gif(data=black_and_white(duration=50), name="strobe.gif")

    gif = Gif.objects.get(pk=gif.pk)
    assert gif.flash_risk
    assert gif.flash_per_second == 10
    assert not gif.flash_red
    body = api_body(client_for, gif)
    assert "flashing" in body["flags"]
    assert body["flash_per_second"] == 10


@pytest.mark.django_db
def test_an_uploaded_red_strobe_is_recorded_as_a_red_flash(upload_gif, client_for):
    frames = alternating(solid(SATURATED_RED), solid(BLACK))
    gif = upload_gif(data=as_gif(frames, duration=80), name="red-strobe.gif")

    gif = Gif.objects.get(pk=gif.pk)
    assert gif.flash_risk
    assert gif.flash_red
    assert gif.flash_per_second == 6
    assert "flashing" in api_body(client_for, gif)["flags"]


@pytest.mark.django_db
def test_an_uploaded_gif_blinking_once_a_second_carries_no_flashing_flag(
    upload_gif, client_for
):
    gif = upload_gif(data=black_and_white(duration=500), name="slow-blink.gif")

    gif = Gif.objects.get(pk=gif.pk)
    assert not gif.flash_risk
    assert gif.flash_per_second == 1
    body = api_body(client_for, gif)
    assert "flashing" not in body["flags"]
    assert body["flash_per_second"] == 1
