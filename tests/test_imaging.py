"""The image pipeline: what it accepts, what it measures, what it refuses."""

import contextlib
import hashlib
import io
import random
import warnings

import numpy as np
import pytest
from PIL import Image, ImageFile

from library import imaging
from library.imaging import ImageRefused, Limits
from tests import images

# The shelf's default limits (settings.GIFSHELF_MAX_*).
LIMITS = Limits(
    max_bytes=15_000_000,
    max_pixels=4_000_000,
    max_frames=1_000,
    max_total_pixels=300_000_000,
)
NO_LIMITS = Limits(
    max_bytes=10**12, max_pixels=10**12, max_frames=10**9, max_total_pixels=10**15
)


def opened(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def colour_at_corner(image):
    """The colour at the bottom right, away from the marker frames_of draws."""
    red, green, blue, *_ = image.convert("RGBA").getpixel(
        (image.width - 1, image.height - 1)
    )
    return red, green, blue


def close(colour, expected, tolerance=12):
    """Lossy formats (JPEG, WebP) shift a flat colour by a few steps."""
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def drawn_colours(count, size):
    return [colour_at_corner(frame) for frame in images.frames_of(count, size)]


def refusal(data, limits=LIMITS):
    with pytest.raises(ImageRefused) as caught:
        imaging.analyse(data, limits)
    message = str(caught.value)
    assert reads_as_a_sentence(message), message
    return message


def reads_as_a_sentence(message):
    return (
        message[:1].isupper()
        and message.endswith(".")
        and len(message.split()) >= 5
        and "\n" not in message
        and "Error" not in message
    )


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The canvas size of every frame Pillow is asked to decode."""
    sizes = []
    load = ImageFile.ImageFile.load

    def counting_load(image):
        sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return sizes


# Accepted formats and their facts -------------------------------------------

DRAWN = {
    "gif": lambda: images.gif_bytes(count=4, size=(64, 48), duration=80, loop=0),
    "gif-still": lambda: images.gif_bytes(count=1, size=(64, 48)),
    "png": lambda: images.png_bytes(size=(40, 30)),
    "apng": lambda: images.apng_bytes(count=3, size=(40, 30), duration=120, loop=0),
    "webp": lambda: images.webp_bytes(count=3, size=(40, 30), duration=150, loop=0),
    "webp-still": lambda: images.webp_bytes(count=1, size=(40, 30)),
    "jpeg": lambda: images.jpeg_bytes(size=(40, 30)),
}

# (format, width, height, frames, duration_ms, loops, content type, extension)
EXPECTED_FACTS = {
    "gif": ("gif", 64, 48, 4, 320, 0, "image/gif", "gif"),
    "gif-still": ("gif", 64, 48, 1, 0, 1, "image/gif", "gif"),
    "png": ("png", 40, 30, 1, 0, 1, "image/png", "png"),
    "apng": ("apng", 40, 30, 3, 360, 0, "image/apng", "png"),
    "webp": ("webp", 40, 30, 3, 450, 0, "image/webp", "webp"),
    "webp-still": ("webp", 40, 30, 1, 0, 1, "image/webp", "webp"),
    "jpeg": ("jpeg", 40, 30, 1, 0, 1, "image/jpeg", "jpg"),
}


@pytest.mark.parametrize("kind", DRAWN)
def test_each_accepted_format_is_measured_from_its_bytes(kind):
    data = DRAWN[kind]()

    facts = imaging.analyse(data, LIMITS).facts

    assert (
        facts.format,
        facts.width,
        facts.height,
        facts.frames,
        facts.duration_ms,
        facts.loops,
        facts.content_type,
        facts.extension,
    ) == EXPECTED_FACTS[kind]
    assert facts.bytes == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert facts.is_animated == (facts.frames > 1)


@pytest.mark.parametrize("kind", DRAWN)
def test_the_stills_show_the_first_and_last_frames_at_full_size(kind):
    _, width, height, frames, *_ = EXPECTED_FACTS[kind]
    colours = drawn_colours(frames, (width, height))

    analysis = imaging.analyse(DRAWN[kind](), LIMITS)

    first, last = opened(analysis.first_still), opened(analysis.last_still)
    assert first.format == last.format == "PNG"
    assert first.size == last.size == (width, height)
    assert close(colour_at_corner(first), colours[0])
    assert close(colour_at_corner(last), colours[-1])


def test_the_first_and_last_stills_of_an_animation_differ():
    # Guards the colour checks above: the drawn frames are far apart.
    analysis = imaging.analyse(images.gif_bytes(count=4), LIMITS)

    first = colour_at_corner(opened(analysis.first_still))
    last = colour_at_corner(opened(analysis.last_still))
    assert not close(first, last)


@pytest.mark.parametrize("kind", DRAWN)
def test_the_preview_is_a_webp_that_plays_like_the_original(kind):
    analysis = imaging.analyse(DRAWN[kind](), LIMITS)

    facts, preview = analysis.facts, opened(analysis.preview)
    assert preview.format == "WEBP"
    assert getattr(preview, "n_frames", 1) == facts.frames
    if facts.is_animated:
        assert preview.info["loop"] == facts.loops
        durations = []
        for index in range(preview.n_frames):
            preview.seek(index)
            preview.load()  # Pillow reads a WebP frame's duration as it decodes
            durations.append(preview.info["duration"])
        assert sum(durations) == facts.duration_ms


def test_a_long_animation_previews_in_fewer_frames_that_play_as_long():
    """Every preview frame is held until the WebP is written: a thousand
    would take hundreds of MB, so a long animation keeps every n-th."""
    frames = imaging.MAX_PREVIEW_FRAMES * 2 + 10
    analysis = imaging.analyse(
        images.gif_bytes(count=frames, size=(24, 16), duration=30), LIMITS
    )

    preview = opened(analysis.preview)
    assert preview.n_frames > imaging.MAX_PREVIEW_FRAMES // 2
    assert preview.n_frames <= imaging.MAX_PREVIEW_FRAMES
    durations = []
    for index in range(preview.n_frames):
        preview.seek(index)
        preview.load()
        durations.append(preview.info["duration"])
    assert sum(durations) == analysis.facts.duration_ms == frames * 30
    assert analysis.facts.frames == frames
    assert analysis.filmstrip[-1].index == frames - 1


@pytest.mark.parametrize(
    ("data", "size"),
    [
        pytest.param(images.gif_bytes(count=3, size=(640, 480)), (240, 180), id="gif"),
        pytest.param(images.apng_bytes(size=(300, 600)), (120, 240), id="apng"),
        pytest.param(images.webp_bytes(size=(960, 240)), (240, 60), id="webp"),
        pytest.param(images.png_bytes(size=(480, 640)), (180, 240), id="png"),
        pytest.param(images.jpeg_bytes(size=(1000, 500)), (240, 120), id="jpeg"),
    ],
)
def test_the_preview_of_a_large_image_fits_in_240_pixels(data, size):
    analysis = imaging.analyse(data, LIMITS)

    preview = opened(analysis.preview)
    assert preview.size == size
    assert getattr(preview, "n_frames", 1) == analysis.facts.frames
    assert opened(analysis.first_still).size == opened(data).size


def test_the_preview_keeps_the_frames_in_order():
    analysis = imaging.analyse(images.gif_bytes(count=4, size=(480, 360)), LIMITS)
    colours = drawn_colours(4, (480, 360))

    preview = opened(analysis.preview)
    first = colour_at_corner(preview)
    preview.seek(preview.n_frames - 1)
    assert close(first, colours[0])
    assert close(colour_at_corner(preview), colours[-1])


@pytest.mark.parametrize("kind", ["gif", "png", "apng", "webp-still", "jpeg"])
def test_a_small_image_is_not_blown_up_for_its_preview(kind):
    analysis = imaging.analyse(DRAWN[kind](), LIMITS)

    preview = opened(analysis.preview)
    assert preview.size == (analysis.facts.width, analysis.facts.height)


def test_a_jpeg_turned_by_its_exif_is_measured_and_rendered_upright():
    data = images.jpeg_bytes_turned(size=(400, 300), orientation=6)

    analysis = imaging.analyse(data, LIMITS)

    assert (analysis.facts.width, analysis.facts.height) == (300, 400)
    assert opened(analysis.first_still).size == (300, 400)
    assert opened(analysis.preview).size == (180, 240)


# Decided by the bytes, never the name ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "format_name", "suffix"),
    [
        pytest.param(images.jpeg_bytes(), "surprised.gif", "jpeg", ".jpg", id="jpeg"),
        pytest.param(images.gif_bytes(), "wave.png", "gif", ".gif", id="gif"),
        pytest.param(images.png_bytes(), "thumbs-up.webp", "png", ".png", id="png"),
    ],
)
def test_an_upload_with_the_wrong_extension_is_kept_as_what_its_bytes_are(
    upload_gif, data, name, format_name, suffix
):
    gif = upload_gif(data=data, name=name)

    assert gif.format == format_name
    assert gif.original.name.endswith(suffix)


# Duration and loops ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "duration_ms"),
    [
        pytest.param(images.gif_bytes(count=4, duration=10), 400, id="gif-10ms"),
        pytest.param(images.gif_bytes(count=4, duration=0), 400, id="gif-0ms"),
        pytest.param(images.gif_bytes(count=4, duration=20), 80, id="gif-20ms"),
        pytest.param(
            images.gif_bytes(count=4, duration=[0, 10, 20, 500]), 720, id="gif-mixed"
        ),
        pytest.param(images.webp_bytes(count=3, duration=5), 300, id="webp-5ms"),
        pytest.param(images.webp_bytes(count=3, duration=11), 33, id="webp-11ms"),
        pytest.param(images.apng_bytes(count=3, duration=10), 300, id="apng-10ms"),
        pytest.param(images.apng_bytes(count=3, duration=40), 120, id="apng-40ms"),
    ],
)
def test_delays_of_10ms_or_less_play_as_100ms(data, duration_ms):
    assert imaging.analyse(data, LIMITS).facts.duration_ms == duration_ms


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(images.gif_bytes(count=1, duration=500), id="gif"),
        pytest.param(images.apng_bytes(count=1, duration=500), id="png"),
        pytest.param(images.webp_bytes(count=1), id="webp"),
        pytest.param(images.jpeg_bytes(), id="jpeg"),
    ],
)
def test_a_single_frame_has_no_duration_and_plays_once(data):
    facts = imaging.analyse(data, LIMITS).facts

    assert (facts.frames, facts.duration_ms, facts.loops) == (1, 0, 1)


def test_a_gif_without_a_netscape_loop_plays_once():
    data = images.encode(images.frames_of(3), "GIF", duration=100)
    assert b"NETSCAPE2.0" not in data

    assert imaging.analyse(data, LIMITS).facts.loops == 1


@pytest.mark.parametrize(
    ("data", "loops"),
    [
        pytest.param(images.gif_bytes(loop=0), 0, id="gif-forever"),
        pytest.param(images.gif_bytes(loop=1), 2, id="gif-repeat-once"),
        pytest.param(images.gif_bytes(loop=4), 5, id="gif-repeat-4"),
        pytest.param(images.apng_bytes(loop=0), 0, id="apng-forever"),
        pytest.param(images.apng_bytes(loop=3), 3, id="apng-3-plays"),
        pytest.param(images.webp_bytes(loop=0), 0, id="webp-forever"),
        pytest.param(images.webp_bytes(loop=2), 2, id="webp-2-plays"),
    ],
)
def test_loops_count_the_plays_a_browser_shows(data, loops):
    analysis = imaging.analyse(data, LIMITS)

    assert analysis.facts.loops == loops
    assert opened(analysis.preview).info["loop"] == loops


# Limits -------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    # Garbage after the signature: only the size check can explain the refusal.
    data = b"GIF89a" + bytes(15_200_000)

    message = refusal(data)

    assert "15.2 MB" in message
    assert "up to 15 MB" in message


def test_a_file_just_over_the_size_limit_shows_both_exact_sizes():
    message = refusal(b"GIF89a" + bytes(15_000_000 - 5))

    assert "15,000,001 bytes" in message
    assert "up to 15,000,000 bytes" in message


def test_a_gif_declaring_a_huge_canvas_is_refused_by_the_pixel_limit_unread(
    decoded_sizes,
):
    data = images.gif_declaring_canvas(5000, 5000)
    assert len(data) < 100

    message = refusal(data)

    assert "5000 × 5000 pixels (25 MP)" in message
    assert "up to 4 MP" in message
    assert decoded_sizes == []


def test_an_image_just_over_the_pixel_limit_shows_both_exact_counts():
    limits = Limits(10**9, max_pixels=4_000_000, max_frames=10, max_total_pixels=10**9)

    message = refusal(images.gif_declaring_canvas(2001, 2000), limits)

    assert "4,002,000 pixels" in message
    assert "up to 4,000,000 pixels" in message


def test_an_animation_with_too_many_frames_is_refused_unread(decoded_sizes):
    limits = Limits(10**9, 10**9, max_frames=10, max_total_pixels=10**12)

    message = refusal(images.gif_bytes(count=12), limits)

    assert "12 frames" in message
    assert "up to 10" in message
    assert decoded_sizes == []


def test_an_animation_over_the_total_pixel_budget_is_refused_unread(decoded_sizes):
    # 40 frames of 320 × 240 is 3,072,000 pixels; each frame alone is fine.
    limits = Limits(10**9, max_pixels=10**6, max_frames=100, max_total_pixels=2 * 10**6)

    message = refusal(images.gif_bytes(count=40, size=(320, 240)), limits)

    assert "too heavy" in message
    assert "320 × 240 pixels in 40 frames" in message
    assert "3 million pixels to decode" in message
    assert "up to 2 million" in message
    assert decoded_sizes == []


def test_a_gif_frame_reaching_past_a_small_canvas_is_refused_before_decoding(
    decoded_sizes,
):
    # The header says 8 × 8; the second frame would make Pillow decode 9 MP.
    data = images.gif_reaching_past_canvas(canvas=(8, 8), reach=(3000, 3000))

    message = refusal(data)

    assert "3000 × 3000 pixels (9 MP)" in message
    assert "up to 4 MP" in message
    assert set(decoded_sizes) == {(8, 8)}


def test_many_frames_reaching_past_a_small_canvas_break_the_total_pixel_budget(
    decoded_sizes,
):
    # 400 frames of 1000 × 1000: each under 4 MP, 400 million pixels in all.
    data = images.gif_reaching_past_canvas(canvas=(8, 8), reach=(1000, 1000), count=400)

    message = refusal(data)

    assert "1000 × 1000 pixels in 400 frames" in message
    assert "400 million pixels to decode" in message
    assert "up to 300 million" in message
    assert set(decoded_sizes) == {(8, 8)}


def test_gif_frames_reaching_past_the_canvas_are_cropped_as_browsers_do():
    data = images.gif_reaching_past_canvas(canvas=(40, 30), reach=(60, 50))

    analysis = imaging.analyse(data, LIMITS)

    assert (analysis.facts.width, analysis.facts.height) == (40, 30)
    first, last = opened(analysis.first_still), opened(analysis.last_still)
    assert first.size == last.size == (40, 30)
    assert colour_at_corner(first) == images.RED
    assert colour_at_corner(last) == images.BLUE
    assert opened(analysis.preview).size == (40, 30)


def test_a_gif_declaring_no_canvas_takes_the_size_of_its_first_frame():
    # Browsers grow the canvas to hold the first frame, and only the first.
    facts = imaging.analyse(images.gif_declaring_canvas(0, 0), LIMITS).facts

    assert (facts.width, facts.height) == (1, 1)


def test_an_image_exactly_at_every_limit_is_accepted():
    data = images.gif_bytes(count=4, size=(64, 48))
    limits = Limits(
        max_bytes=len(data),
        max_pixels=64 * 48,
        max_frames=4,
        max_total_pixels=64 * 48 * 4,
    )

    assert imaging.analyse(data, limits).facts.frames == 4


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("max_bytes", "The file is"),
        ("max_pixels", "Scale it down"),
        ("max_frames", "Shorten it"),
        ("max_total_pixels", "too heavy"),
    ],
)
def test_one_over_any_limit_is_refused(field, words):
    data = images.gif_bytes(count=4, size=(64, 48))
    at_limits = {
        "max_bytes": len(data),
        "max_pixels": 64 * 48,
        "max_frames": 4,
        "max_total_pixels": 64 * 48 * 4,
    }
    limits = Limits(**{**at_limits, field: at_limits[field] - 1})

    assert words in refusal(data, limits)


@pytest.mark.parametrize("kind", DRAWN)
def test_pillows_decompression_bomb_warning_is_a_refusal(kind, monkeypatch):
    data = DRAWN[kind]()
    width, height = EXPECTED_FACTS[kind][1:3]
    # Over Pillow's limit, but not twice over: Pillow only warns.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", width * height - 1)

    # As in production, where warnings are not errors: none may get out either.
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        message = refusal(data, NO_LIMITS)

    assert "enormous" in message
    assert not [w for w in escaped if w.category is Image.DecompressionBombWarning]


def test_pillows_decompression_bomb_error_is_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)

    assert "enormous" in refusal(images.gif_bytes(size=(64, 48)), NO_LIMITS)


# Broken and foreign files -----------------------------------------------------

GIF = images.gif_bytes(count=4)
PNG = images.png_bytes(size=(40, 30))
APNG = images.apng_bytes()
WEBP = images.webp_bytes()
JPEG = images.jpeg_bytes(size=(120, 90))
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

BROKEN = {
    "empty": (b"", "empty"),
    "random-bytes": (random.Random(7).randbytes(2000), "not an image"),
    "text": (b"Hi team, the GIFs are in the shared drive.\n", "not an image"),
    "html": (b"<!DOCTYPE html><html><body><img src=x></body></html>", "not an image"),
    "pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "not an image"),
    "bmp": (images.encode(images.frames_of(1), "BMP"), "not an image"),
    "svg": (SVG, "SVG"),
    "svg-xml-prolog": (b'<?xml version="1.0" encoding="UTF-8"?>\n' + SVG, "SVG"),
    "svg-indented": (b"\n   \t" + SVG, "SVG"),
    "svg-doctype": (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN">' + SVG, "SVG"),
    "svg-with-bom": (b"\xef\xbb\xbf" + SVG, "not an image"),
    "gif-signature-only": (b"GIF89a", "starts like a GIF"),
    "gif-cut-in-half": (GIF[: len(GIF) // 2], "starts like a GIF"),
    "gif-cut-in-first-frame": (GIF[:100], "starts like a GIF"),
    "gif89a-then-jpeg": (b"GIF89a" + JPEG, "starts like a GIF"),
    "gif87a-then-png": (b"GIF87a" + PNG[8:], "starts like a GIF"),
    "png-signature-only": (PNG[:8], "starts like a PNG"),
    "png-then-garbage": (PNG[:8] + bytes(range(256)) * 4, "starts like a PNG"),
    "png-tail-cut": (PNG[: len(PNG) * 2 // 3], "starts like a PNG"),
    "png-then-gif": (PNG[:8] + GIF, "starts like a PNG"),
    "apng-cut-in-half": (APNG[: len(APNG) // 2], "starts like a PNG"),
    "webp-header-then-garbage": (b"RIFF\x00\x10\x00\x00WEBPVP8 " + bytes(64), "WebP"),
    "webp-cut-in-half": (WEBP[: len(WEBP) // 2], "starts like a WebP"),
    "jpeg-signature-only": (JPEG[:3], "starts like a JPEG"),
    "jpeg-cut-in-half": (JPEG[: len(JPEG) // 2], "starts like a JPEG"),
    "jpeg-start-then-gif": (JPEG[:4] + GIF, "starts like a JPEG"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_or_foreign_file_is_refused_with_a_reason(kind):
    data, words = BROKEN[kind]

    assert words in refusal(data)


@pytest.mark.parametrize("kind", ["svg", "svg-xml-prolog"])
def test_an_svg_is_refused_because_it_can_carry_scripts(kind):
    message = refusal(BROKEN[kind][0])

    assert "SVG drawings are not accepted" in message
    assert "scripts" in message


@pytest.mark.parametrize(
    ("original", "cut_every"),
    [(GIF, 7), (PNG, 3), (APNG, 7), (WEBP, 7), (JPEG, 11)],
    ids=["gif", "png", "apng", "webp", "jpeg"],
)
def test_a_file_cut_anywhere_is_refused_or_read_never_crashes(original, cut_every):
    # Some cuts leave a readable image (a PNG missing only its end marker);
    # what matters is that no cut escapes as anything but a refusal.
    for length in range(0, len(original), cut_every):
        with contextlib.suppress(ImageRefused):
            imaging.analyse(original[:length], LIMITS)


def test_a_file_the_decoder_chokes_on_is_logged_and_refused(caplog):
    with caplog.at_level("INFO", logger="library.imaging"):
        refusal(BROKEN["png-then-garbage"][0])

    assert "Refused an unreadable PNG upload: " in caplog.text
    # A refusal is not a fault: no traceback in the log unless debugging.
    assert "Traceback" not in caplog.text
    assert not any(record.exc_info for record in caplog.records)


def test_when_debugging_the_log_keeps_the_decoders_traceback(caplog):
    with caplog.at_level("DEBUG", logger="library.imaging"):
        refusal(BROKEN["png-then-garbage"][0])

    assert any(record.exc_info for record in caplog.records)


# Small helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (1000, "1 KB"),
        (1500, "1.5 KB"),
        (1549, "1.5 KB"),
        (20_480, "20.5 KB"),
        (150_000, "150 KB"),
        (999_499, "999 KB"),
        (1_000_000, "1 MB"),
        (15_000_000, "15 MB"),
        (15_200_000, "15.2 MB"),
        (2_500_000_000, "2.5 GB"),
    ],
)
def test_describe_bytes_reads_like_a_person_would_say_it(size, text):
    assert imaging.describe_bytes(size) == text


@pytest.mark.parametrize(
    ("delay", "played"),
    [
        (None, 100),
        (0, 100),
        (1, 100),
        (10, 100),
        (10.0, 100),
        (11, 11),
        (20, 20),
        (40.0, 40.0),
        (1000, 1000),
    ],
)
def test_playable_delay_ms_is_what_a_browser_waits(delay, played):
    assert imaging.playable_delay_ms(delay) == played


@pytest.mark.parametrize(
    ("delays", "duration"),
    [
        ([], 0),
        ([None], 0),
        ([500], 0),
        ([0, 0], 200),
        ([None, None, None], 300),
        ([20, 20, 20], 60),
        ([10, 11], 111),
        ([None, 500.0, 1000.0], 1600),
        ([33.3, 33.3, 33.4], 100),
    ],
)
def test_loop_duration_ms_sums_the_played_delays(delays, duration):
    assert imaging.loop_duration_ms(delays) == duration


@pytest.mark.parametrize(
    ("format_name", "loop_field", "frames", "times"),
    [
        ("gif", None, 4, 1),
        ("gif", 0, 4, 0),
        ("gif", 1, 4, 2),
        ("gif", 9, 4, 10),
        ("gif", 0, 1, 1),
        ("apng", 0, 3, 0),
        ("apng", 1, 3, 1),
        ("apng", 3, 3, 3),
        ("webp", 0, 3, 0),
        ("webp", 2, 3, 2),
        ("webp", 0, 1, 1),
        ("png", None, 1, 1),
        ("jpeg", None, 1, 1),
    ],
)
def test_plays_counts_the_times_an_animation_is_shown(
    format_name, loop_field, frames, times
):
    assert imaging.plays(format_name, loop_field, frames) == times


@pytest.mark.parametrize(
    ("size", "fitted"),
    [
        ((64, 48), (64, 48)),
        ((240, 240), (240, 240)),
        ((480, 360), (240, 180)),
        ((360, 480), (180, 240)),
        ((241, 100), (240, 100)),
        ((1000, 10), (240, 2)),
        ((10_000, 1), (240, 1)),
        ((1, 10_000), (1, 240)),
    ],
)
def test_fit_within_shrinks_but_never_enlarges(size, fitted):
    assert imaging.fit_within(size, 240) == fitted


@pytest.mark.parametrize(
    ("head", "format_name"),
    [
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"\xff\xd8\xff\xe1", "jpeg"),
        (b"", None),
        (b"GIF", None),
        (b"GIF90a", None),
        (b"\x89PNG", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"BM6\x00\x00\x00", None),
        (b"\x00\x00\x00\x1cftypavif", None),
        (b"<svg", None),
        (b"II*\x00", None),
    ],
)
def test_sniff_format_reads_the_leading_bytes(head, format_name):
    assert imaging.sniff_format(head + bytes(16)) == format_name


def test_check_header_refuses_an_image_without_pixels():
    with pytest.raises(ImageRefused, match="no pixels"):
        imaging.check_header(0, 30, 1, LIMITS)


@pytest.mark.parametrize(
    ("figure", "limit", "said"),
    [
        (15_200_000, 15_000_000, ("15.2 MB", "15 MB")),
        (15_040_000, 15_000_000, ("15,040,000 bytes", "15,000,000 bytes")),
        (999, 900, ("999 bytes", "900 bytes")),
    ],
)
def test_a_size_over_the_limit_never_reads_the_same_as_the_limit(figure, limit, said):
    message = imaging.too_large_message(figure, limit)

    assert f"The file is {said[0]}; the shelf takes files up to {said[1]}." in message


def test_frames_sampled_in_batches_hash_and_flash_as_frames_sampled_one_by_one():
    frames = [
        frame.convert("RGBA") for frame in images.scene_frames(70, (90, 70), seed=3)
    ]
    frames[5].putalpha(128)  # one frame shown over the white page
    batched = imaging.FrameSamples()
    for frame in frames:
        batched.add(frame)
    cells, hashes, details = batched.results()

    assert len(cells) == len(hashes) == len(details) == 70
    for frame, (luminance, _, _), frame_hash, detail in zip(
        frames, cells, hashes, details, strict=True
    ):
        sample = imaging.frame_sample(frame)
        assert frame_hash == imaging.perceptual_hash(sample)
        assert detail == imaging.detail_hashes(sample[None])[0]
        # Luminance as the sRGB formula gives it, to the last few bits.
        linear = imaging.srgb_to_linear(sample) @ np.array([0.2126, 0.7152, 0.0722])
        np.testing.assert_allclose(
            luminance,
            linear.reshape(16, 4, 16, 4).mean(axis=(1, 3)).ravel(),
            rtol=1e-12,
        )


def test_a_png_still_keeps_the_uploads_own_pixels_but_not_its_text():
    from PIL import ImageCms, PngImagePlugin

    picture = images.scene_frames(2, (120, 90), seed=5)[1].convert("RGBA")
    picture.putpixel((0, 0), (0, 0, 0, 0))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Alice at 51.5 N, 0.1 W")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    # Stored uncompressed: a re-encoded still would be far smaller.
    picture.save(buffer, "PNG", compress_level=0, pnginfo=text, icc_profile=profile)
    upload = buffer.getvalue()

    still = imaging.analyse(upload, LIMITS).first_still

    def idat(data):
        return b"".join(c for kind, c in imaging.png_chunks(data) if kind == b"IDAT")

    assert idat(still) == idat(upload)
    with Image.open(io.BytesIO(still)) as shown:
        assert shown.tobytes() == picture.tobytes()
        assert shown.info.get("icc_profile") == profile
        assert "Author" not in shown.info


def test_a_still_of_few_colours_is_a_palette_png_of_the_same_pixels_and_profile():
    from PIL import ImageCms

    frame = images.scene_frames(2, (160, 120), seed=9)[1].convert("RGB")
    frame = frame.quantize(200).convert("RGB")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    frame.info["icc_profile"] = profile

    with Image.open(io.BytesIO(imaging.encode_still(frame))) as still:
        assert still.mode == "P"
        assert still.convert("RGB").tobytes() == frame.tobytes()
        assert still.info.get("icc_profile") == profile


def test_a_still_of_many_colours_stays_rgb():
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    frame = Image.fromarray(noise)
    assert frame.getcolors(256) is None

    with Image.open(io.BytesIO(imaging.encode_still(frame))) as still:
        assert still.mode == "RGB"
        assert still.tobytes() == frame.tobytes()


# --- The poster: the still a card shows ---


def fading_in(count=10, empty=5):
    """A cartoon whose first `empty` frames are a plain white page."""
    cartoon = images.scene_frames(count, size=(120, 90), seed=3)
    blank = images.solid((255, 255, 255), (120, 90))
    return [blank] * empty + cartoon[empty:]


def test_a_cards_still_is_the_first_frame_when_it_shows_something():
    data = images.encode(images.scene_frames(10, size=(120, 90)), "GIF", duration=80)

    assert imaging.analyse(data, LIMITS).poster_frame == 0


def test_an_animation_that_starts_empty_shows_its_first_full_frame_still():
    data = images.encode(fading_in(), "GIF", duration=80)

    analysis = imaging.analyse(data, LIMITS)

    # The encoder keeps the five white frames as one, shown five times longer.
    assert analysis.facts.frames == 6
    assert analysis.poster_frame == 1


def test_a_frame_with_little_on_it_is_not_the_poster():
    faint = images.patch_frame((250, 250, 250), (2, 2), background=(255, 255, 255))
    busy = images.scene_frames(1, size=(128, 128))[0]

    assert imaging.poster_frame({0: faint, 4: busy, 7: busy}) == 4
    assert imaging.poster_frame({0: busy, 4: faint}) == 0
    blank = images.solid((0, 0, 0))
    assert imaging.poster_frame({0: blank, 4: blank}) == 0  # nothing anywhere
