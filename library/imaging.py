"""Image work for the shelf: recognise, measure, refuse, render.

Small pure functions: bytes in, facts and bytes out. Nothing here touches the
database or storage, so every rule can be tested on images drawn by Pillow.
"""

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps

logger = logging.getLogger(__name__)

PREVIEW_LONGER_SIDE = 240

# Browsers play a frame delay of 10 ms or less as 100 ms; so do we, so that
# "one loop" means what a person watching it in a chat window sees.
MIN_PLAYABLE_DELAY_MS = 10
DEFAULT_DELAY_MS = 100


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extension: str
    content_type: str
    pillow_name: str


FORMATS = {
    f.name: f
    for f in (
        Format("gif", "GIF", "gif", "image/gif", "GIF"),
        Format("png", "PNG", "png", "image/png", "PNG"),
        Format("apng", "animated PNG", "png", "image/apng", "PNG"),
        Format("webp", "WebP", "webp", "image/webp", "WEBP"),
        Format("jpeg", "JPEG", "jpg", "image/jpeg", "JPEG"),
    )
}

ACCEPTED_FORMATS_SENTENCE = "Upload a GIF, PNG (or animated PNG), WebP or JPEG."


class ImageRefused(Exception):
    """The upload breaks a rule; the message is written for the curator."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    max_frames: int
    max_total_pixels: int


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int
    frames: int
    duration_ms: int
    loops: int  # how many times it plays; 0 means forever
    bytes: int
    sha256: str

    @property
    def extension(self):
        return FORMATS[self.format].extension

    @property
    def content_type(self):
        return FORMATS[self.format].content_type

    @property
    def is_animated(self):
        return self.frames > 1


@dataclass(frozen=True)
class Analysis:
    facts: ImageFacts
    first_still: bytes  # PNG of the first frame, full size
    last_still: bytes  # PNG of the last frame, full size
    preview: bytes  # WebP, animated when the original is, <= 240 px


def describe_bytes(size):
    """A size as a curator reads it: decimal units, at most one decimal."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            value = size / scale
            text = f"{value:.1f}".removesuffix(".0") if value < 100 else f"{value:.0f}"
            return f"{text} {unit}"
    return f"{size} bytes"


def describe_count(count):
    return f"{count:,}"


def describe_megapixels(pixels):
    value = pixels / 10**6
    return f"{value:.1f}".removesuffix(".0") + " MP"


def describe_against_limit(figure, limit, describe, exact):
    """`figure` and `limit` in words that never read the same.

    Rounded, a file just over 15 MB is "15 MB", like the limit; then the
    exact figures are the only way to show the curator what is wrong.
    """
    if describe(figure) == describe(limit):
        return exact(figure), exact(limit)
    return describe(figure), describe(limit)


def describe_pixels(pixels):
    return f"{describe_count(pixels)} pixels"


def describe_millions(pixels):
    return f"{describe_count(pixels // 10**6)} million"


def sniff_format(data):
    """The format the leading bytes announce, or None. Names never count."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    return None


def looks_like_svg(data):
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in head


def playable_delay_ms(delay):
    """The delay a browser actually waits for a frame that declares `delay`."""
    if delay is None or delay <= MIN_PLAYABLE_DELAY_MS:
        return DEFAULT_DELAY_MS
    return delay


def loop_duration_ms(delays):
    """One loop as played; a single frame has no loop to wait for."""
    if len(delays) <= 1:
        return 0
    return round(sum(playable_delay_ms(delay) for delay in delays))


def plays(format_name, loop_field, frames):
    """How many times the animation plays (0 = forever), as browsers do it.

    GIF's NETSCAPE field counts repeats after the first play, and a GIF
    without it plays once; APNG's num_plays and WebP's loop count plays.
    """
    if frames <= 1:
        return 1
    if loop_field is None:
        return 1
    if loop_field == 0:
        return 0
    return loop_field + 1 if format_name == "gif" else loop_field


def fit_within(size, longer_side):
    """Scale (width, height) down so neither side exceeds `longer_side`."""
    width, height = size
    scale = min(1, longer_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def check_header(width, height, frames, limits):
    """Refuse what breaks the limits using only what the header declares."""
    if width < 1 or height < 1:
        raise ImageRefused("The image has no pixels: its width or height is zero.")
    if width * height > limits.max_pixels:
        pixels, most = describe_against_limit(
            width * height, limits.max_pixels, describe_megapixels, describe_pixels
        )
        raise ImageRefused(
            f"The image is {width} × {height} pixels ({pixels}); the shelf takes "
            f"up to {most}. Scale it down and upload it again."
        )
    if frames > limits.max_frames:
        raise ImageRefused(
            f"The animation has {describe_count(frames)} frames; the shelf takes up "
            f"to {describe_count(limits.max_frames)}. "
            "Shorten it and upload it again."
        )
    total = width * height * frames
    if total > limits.max_total_pixels:
        pixels, most = describe_against_limit(
            total, limits.max_total_pixels, describe_millions, describe_count
        )
        raise ImageRefused(
            f"The animation is too heavy to play smoothly: {width} × {height} "
            f"pixels in {describe_count(frames)} frames is {pixels} pixels to "
            f"decode; the shelf takes up to {most}. Make it smaller or shorter."
        )


def check_file(data, limits):
    """Refuse on the bytes alone; return the format the bytes announce."""
    if not data:
        raise ImageRefused("The file is empty (0 bytes).")
    if len(data) > limits.max_bytes:
        raise ImageRefused(too_large_message(len(data), limits.max_bytes))
    if looks_like_svg(data):
        raise ImageRefused(
            "SVG drawings are not accepted, because they can carry scripts. "
            "Export it as PNG or GIF and upload that."
        )
    format_name = sniff_format(data)
    if format_name is None:
        raise ImageRefused(
            f"This file is not an image the shelf accepts. {ACCEPTED_FORMATS_SENTENCE}"
        )
    return format_name


def too_large_message(size, max_bytes):
    size_text, most = describe_against_limit(
        size, max_bytes, describe_bytes, lambda n: f"{describe_count(n)} bytes"
    )
    return (
        f"The file is {size_text}; the shelf takes files up to {most}. "
        "Compress or trim it, then upload it again."
    )


def analyse(data, limits):
    """Open an upload, refuse what breaks `limits`, measure it and render it.

    Raises ImageRefused with a sentence for the curator; never anything else
    for a bad file, however it is broken.
    """
    format_name = check_file(data, limits)
    label = FORMATS[format_name].label
    # Pillow only warns about a decompression bomb; for uploads it is a refusal.
    # Its other warnings (an invalid APNG falling back to its still) are noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(
                io.BytesIO(data), formats=[FORMATS[format_name].pillow_name]
            ) as image:
                return _analyse_open_image(image, format_name, data, limits)
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(
                "The image declares an enormous size and cannot be opened safely."
            ) from None
        except Exception:
            # Decoders fail on hostile or damaged files with every kind of
            # exception (OSError, SyntaxError, ValueError, EOFError, ...).
            logger.info("Refused an unreadable %s upload", label, exc_info=True)
            raise ImageRefused(
                f"The file starts like a {label} but could not be read: it may be "
                "damaged or incomplete. Export it again and upload the new file."
            ) from None


def _analyse_open_image(image, format_name, data, limits):
    if format_name == "png" and image.get_format_mimetype() == "image/apng":
        format_name = "apng"
    # A JPEG's extra pictures (MPO) are thumbnails or stereo pairs, not frames.
    frames = 1 if format_name == "jpeg" else getattr(image, "n_frames", 1)
    width, height = displayed_size(image, format_name)
    check_header(width, height, frames, limits)

    delays = []
    preview_frames = []
    first_frame = last_frame = None
    preview_size = fit_within((width, height), PREVIEW_LONGER_SIDE)
    for index in range(frames):
        image.seek(index)
        if format_name == "gif" and image.size != (width, height):
            # A later GIF frame may reach past the canvas, and Pillow then
            # grows the canvas it decodes into: check that size before it does.
            check_header(*image.size, frames, limits)
        image.load()
        delays.append(image.info.get("duration"))
        frame = displayed_frame(image, format_name)
        if frame.size != (width, height):
            # Browsers crop such a frame to the canvas; so do we.
            frame = frame.crop((0, 0, width, height))
        if first_frame is None:
            first_frame = frame
        last_frame = frame
        preview_frames.append(shrink(frame, preview_size))

    facts = ImageFacts(
        format=format_name,
        width=width,
        height=height,
        frames=frames,
        duration_ms=loop_duration_ms(delays),
        loops=plays(format_name, image.info.get("loop"), frames),
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return Analysis(
        facts=facts,
        first_still=encode_still(first_frame),
        last_still=encode_still(last_frame),
        preview=encode_preview(
            preview_frames, [playable_delay_ms(d) for d in delays], facts.loops
        ),
    )


def displayed_size(image, format_name):
    """(width, height) as a browser shows it: a JPEG turned by its EXIF."""
    width, height = image.size
    if format_name != "jpeg":
        return width, height  # (a PNG's EXIF may sit after its pixels)
    # Orientations 5 to 8 turn the picture a quarter, swapping its sides.
    if image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
        return height, width
    return width, height


def displayed_frame(image, format_name):
    """The current frame as a browser shows it, in RGBA."""
    if format_name == "jpeg":
        return ImageOps.exif_transpose(image).convert("RGBA")
    return image.convert("RGBA")


def shrink(frame, size):
    if frame.size == size:
        return frame.copy()
    # Premultiplied alpha keeps transparent edges from turning dark.
    return frame.convert("RGBa").resize(size, Image.Resampling.LANCZOS).convert("RGBA")


def is_opaque(frame):
    return frame.getextrema()[3][0] == 255


def encode_still(frame):
    if is_opaque(frame):
        frame = frame.convert("RGB")
    buffer = io.BytesIO()
    frame.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def encode_preview(frames, delays_ms, loops):
    buffer = io.BytesIO()
    if len(frames) == 1:
        frames[0].save(buffer, "WEBP", quality=80)
    else:
        frames[0].save(
            buffer,
            "WEBP",
            save_all=True,
            append_images=frames[1:],
            duration=[round(delay) for delay in delays_ms],
            loop=loops,
            quality=70,
            method=2,
        )
    return buffer.getvalue()
