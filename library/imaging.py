"""Image work for the shelf: recognise, measure, refuse, render.

Small pure functions: bytes in, facts and bytes out. Nothing here touches the
database or storage, so every rule can be tested on images drawn by Pillow.
"""

import hashlib
import io
import json
import logging
import math
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, ImageStat

logger = logging.getLogger(__name__)

PREVIEW_LONGER_SIDE = 240
# The most frames a preview keeps: a longer animation keeps every second,
# third, ... frame, each shown as long as the frames it stands for. 240 of
# 240 × 240 pixels are 55 MB held until the WebP is encoded.
MAX_PREVIEW_FRAMES = 240

# Browsers play a frame delay of 10 ms or less as 100 ms; so do we, so that
# "one loop" means what a person watching it in a chat window sees.
MIN_PLAYABLE_DELAY_MS = 10
DEFAULT_DELAY_MS = 100

# A curator watches every animation to its end before approving it; one loop
# longer than an hour cannot be reviewed. (APNG and WebP can declare days.)
MAX_LOOP_MS = 60 * 60 * 1000
# The most plays the database stores; APNG may declare up to 2**32 - 1.
MAX_PLAYS = 2**31 - 1
# WebP's animation header counts loops in 16 bits.
MAX_PREVIEW_LOOPS = 2**16 - 1


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
        Format("apng", _("animated PNG"), "png", "image/apng", "PNG"),
        Format("webp", "WebP", "webp", "image/webp", "WEBP"),
        Format("jpeg", "JPEG", "jpg", "image/jpeg", "JPEG"),
    )
}

ACCEPTED_FORMATS_SENTENCE = _("Upload a GIF, PNG (or animated PNG), WebP or JPEG.")


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
class FlashReport:
    risky: bool
    per_second: int  # most flashes in one second over a quarter of the frame
    red: bool  # the risk comes from saturated red


@dataclass(frozen=True)
class FilmstripFrame:
    index: int
    at_ms: int  # when the frame appears in one loop
    png: bytes  # at most 240 px


@dataclass(frozen=True)
class Analysis:
    facts: ImageFacts
    first_still: bytes  # PNG of the first frame, full size
    last_still: bytes  # PNG of the last frame, full size
    preview: bytes  # WebP, animated when the original is, <= 240 px
    flash: FlashReport
    frame_hashes: tuple  # 64-bit perceptual hashes, each distinct one once
    # 256-bit detail hashes, one for each of frame_hashes: the frames with
    # the same perceptual hash and a different detail hash are kept apart.
    frame_details: tuple
    filmstrip: tuple  # FilmstripFrame, evenly spaced, last frame included
    poster_frame: int = 0  # the filmstrip frame a still card shows


def describe_bytes(size):
    """A size as a curator reads it: decimal units, at most one decimal."""
    units = (
        (_("%(size)s GB"), 10**9),
        (_("%(size)s MB"), 10**6),
        (_("%(size)s KB"), 10**3),
    )
    for unit, scale in units:
        if size >= scale:
            return unit % {"size": one_decimal(size / scale)}
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": size}


def describe_count(count):
    return number_format(count, force_grouping=True)


def describe_megapixels(pixels):
    return gettext("%(value)s MP") % {"value": one_decimal(pixels / 10**6)}


def one_decimal(value):
    """At most one decimal, none from 100 on, in the reader's language."""
    value = round(value, 1) if value < 100 else round(value)
    return number_format(value, 0 if value == int(value) else 1)


def describe_against_limit(figure, limit, describe, exact):
    """`figure` and `limit` in words that never read the same.

    Rounded, a file just over 15 MB is "15 MB", like the limit; then the
    exact figures are the only way to show the curator what is wrong.
    """
    if describe(figure) == describe(limit):
        return exact(figure), exact(limit)
    return describe(figure), describe(limit)


def describe_pixels(pixels):
    return ngettext("%(count)s pixel", "%(count)s pixels", pixels) % {
        "count": describe_count(pixels)
    }


def describe_millions(pixels):
    millions = pixels // 10**6
    return ngettext("%(count)s million", "%(count)s million", millions) % {
        "count": describe_count(millions)
    }


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
    return min(loop_field + 1 if format_name == "gif" else loop_field, MAX_PLAYS)


def fit_within(size, longer_side):
    """Scale (width, height) down so neither side exceeds `longer_side`."""
    width, height = size
    scale = min(1, longer_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def check_header(width, height, frames, limits):
    """Refuse what breaks the limits using only what the header declares."""
    if width < 1 or height < 1:
        raise ImageRefused(
            gettext("The image has no pixels: its width or height is zero.")
        )
    if width * height > limits.max_pixels:
        pixels, most = describe_against_limit(
            width * height, limits.max_pixels, describe_megapixels, describe_pixels
        )
        raise ImageRefused(
            gettext(
                "The image is %(width)s × %(height)s pixels (%(pixels)s); the shelf "
                "takes up to %(most)s. Scale it down and upload it again."
            )
            % {"width": width, "height": height, "pixels": pixels, "most": most}
        )
    if frames > limits.max_frames:
        raise ImageRefused(
            ngettext(
                "The animation has %(frames)s frame; the shelf takes up to %(most)s. "
                "Shorten it and upload it again.",
                "The animation has %(frames)s frames; the shelf takes up to "
                "%(most)s. Shorten it and upload it again.",
                frames,
            )
            % {
                "frames": describe_count(frames),
                "most": describe_count(limits.max_frames),
            }
        )
    total = width * height * frames
    if total > limits.max_total_pixels:
        pixels, most = describe_against_limit(
            total, limits.max_total_pixels, describe_millions, describe_count
        )
        raise ImageRefused(
            gettext(
                "The animation is too heavy to play smoothly: %(width)s × %(height)s "
                "pixels in %(frames)s frames is %(pixels)s pixels to decode; the "
                "shelf takes up to %(most)s. Make it smaller or shorter."
            )
            % {
                "width": width,
                "height": height,
                "frames": describe_count(frames),
                "pixels": pixels,
                "most": most,
            }
        )


def check_duration(duration_ms):
    """Refuse a loop too long for anyone to watch to its end."""
    if duration_ms <= MAX_LOOP_MS:
        return
    hours, minutes = duration_ms // 3_600_000, duration_ms // 60_000
    if hours >= 2:
        length = ngettext("%(count)s hour", "%(count)s hours", hours)
        length %= {"count": describe_count(hours)}
    else:
        length = ngettext("%(count)s minute", "%(count)s minutes", minutes)
        length %= {"count": describe_count(minutes)}
    raise ImageRefused(
        gettext(
            "One loop of the animation lasts %(length)s; a curator must watch it "
            "to its end, so the shelf takes animations up to an hour long. "
            "Check its frame delays and export it again."
        )
        % {"length": length}
    )


def check_file(data, limits):
    """Refuse on the bytes alone; return the format the bytes announce."""
    if not data:
        raise ImageRefused(
            gettext(
                "The file is empty (0 bytes): it may not have finished "
                "downloading. Save it again and upload that copy."
            )
        )
    if len(data) > limits.max_bytes:
        raise ImageRefused(too_large_message(len(data), limits.max_bytes))
    if looks_like_svg(data):
        raise ImageRefused(
            gettext(
                "SVG drawings are not accepted, because they can carry scripts. "
                "Export it as PNG or GIF and upload that."
            )
        )
    format_name = sniff_format(data)
    if format_name is None:
        raise ImageRefused(
            gettext("This file is not an image the shelf accepts. %(formats)s")
            % {"formats": ACCEPTED_FORMATS_SENTENCE}
        )
    return format_name


def too_large_message(size, max_bytes):
    size_text, most = describe_against_limit(
        size, max_bytes, describe_bytes, exact_bytes
    )
    return gettext(
        "The file is %(size)s; the shelf takes files up to %(most)s. "
        "Compress or trim it, then upload it again."
    ) % {"size": size_text, "most": most}


def exact_bytes(size):
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {
        "count": describe_count(size)
    }


def analyse(data, limits):
    """Open an upload, refuse what breaks `limits`, measure it and render it.

    Raises ImageRefused with a sentence for the curator; never anything else
    for a bad file, however it is broken.
    """
    return with_open_image(data, limits, _analyse_open_image)


def frame_signatures(data, limits):
    """(perceptual hashes, detail hashes) of the frames, each distinct pair
    once, as analyse() finds them, without rendering anything: to hash a
    stored file again. Raises ImageRefused as analyse() does."""
    return with_open_image(data, limits, _signatures_of_open_image)


def with_open_image(data, limits, work):
    """work(image, format name, data, limits) on the opened file, its
    failures turned into ImageRefused."""
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
                return work(image, format_name, data, limits)
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(
                gettext(
                    "The image declares an enormous size and cannot be opened "
                    "safely: the file may be damaged. Open it in an image editor, "
                    "export it again at its real size and upload that."
                )
            ) from None
        except Exception as failure:
            # Decoders fail on hostile or damaged files with every kind of
            # exception (OSError, SyntaxError, ValueError, EOFError, ...). A
            # refusal, not a fault: one line, the traceback only when debugging.
            logger.info(
                "Refused an unreadable %s upload: %s: %s",
                label,
                type(failure).__name__,
                failure,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
            raise ImageRefused(
                gettext(
                    "The file starts like a %(format)s but could not be read: it may "
                    "be damaged or incomplete. Export it again and upload the new file."
                )
                % {"format": label}
            ) from None


def opened_facts(image, format_name, limits):
    """(format name, frames, width, height) of an open image, checked."""
    if format_name == "png" and image.get_format_mimetype() == "image/apng":
        format_name = "apng"
    # A JPEG's extra pictures (MPO) are thumbnails or stereo pairs, not frames.
    frames = 1 if format_name == "jpeg" else getattr(image, "n_frames", 1)
    width, height = displayed_size(image, format_name)
    check_header(width, height, frames, limits)
    return format_name, frames, width, height


def _signatures_of_open_image(image, format_name, data, limits):
    format_name, frames, width, height = opened_facts(image, format_name, limits)
    samples = FrameSamples()
    for frame in displayed_frames(image, format_name, (width, height), frames, limits):
        samples.add(frame)
    _, hashes, details = samples.results()
    return distinct_signatures(hashes, details)


def distinct_signatures(hashes, details):
    """(hashes, details) with each (hash, detail) pair once, in order."""
    pairs = dict.fromkeys(zip(hashes, details, strict=True))
    return tuple(value for value, _ in pairs), tuple(detail for _, detail in pairs)


def _analyse_open_image(image, format_name, data, limits):
    format_name, frames, width, height = opened_facts(image, format_name, limits)

    delays = []
    samples = FrameSamples()
    first_frame = last_frame = None
    preview_size = fit_within((width, height), PREVIEW_LONGER_SIDE)
    # Only every `step`-th frame goes into the preview, so that a long
    # animation's preview frames fit in memory until the WebP is encoded.
    step = math.ceil(frames / MAX_PREVIEW_FRAMES)
    preview_frames = []
    filmstrip = dict.fromkeys(filmstrip_frames(frames))
    shown = displayed_frames(image, format_name, (width, height), frames, limits)
    for index, frame in enumerate(shown):
        delays.append(image.info.get("duration"))
        if first_frame is None:
            first_frame = frame
        last_frame = frame
        if index % step == 0 or index in filmstrip:
            small = shrink(frame, preview_size)
            if index % step == 0:
                preview_frames.append(small)
            if index in filmstrip:
                filmstrip[index] = small
        samples.add(frame)

    duration_ms = loop_duration_ms(delays)
    check_duration(duration_ms)
    facts = ImageFacts(
        format=format_name,
        width=width,
        height=height,
        frames=frames,
        duration_ms=duration_ms,
        loops=plays(format_name, image.info.get("loop"), frames),
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    played_delays = [playable_delay_ms(delay) for delay in delays]
    preview_delays = [
        sum(played_delays[start : start + step]) for start in range(0, frames, step)
    ]
    flash_samples, frame_hashes, frame_details = samples.results()
    frame_hashes, frame_details = distinct_signatures(frame_hashes, frame_details)
    first_still = (format_name == "png" and rewrapped_png(data)) or encode_still(
        first_frame
    )
    return Analysis(
        facts=facts,
        first_still=first_still,
        last_still=(
            first_still if last_frame is first_frame else encode_still(last_frame)
        ),
        preview=encode_preview(preview_frames, preview_delays, facts.loops),
        flash=flash_report(flash_samples, played_delays, facts.loops),
        frame_hashes=frame_hashes,
        frame_details=frame_details,
        poster_frame=poster_frame(filmstrip),
        filmstrip=tuple(
            FilmstripFrame(
                index=index,
                at_ms=round(sum(played_delays[:index])),
                # Seen only at review: fast to write beats a few bytes less.
                png=encode_still(small, compress_level=1),
            )
            for index, small in filmstrip.items()
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


def displayed_frames(image, format_name, size, frames, limits):
    """Each frame of an open image as a browser shows it, cropped to the
    canvas `size`; the image's info is the frame's while it is current."""
    for index in range(frames):
        image.seek(index)
        if format_name == "gif" and image.size != size:
            # A later GIF frame may reach past the canvas, and Pillow then
            # grows the canvas it decodes into: check that size before it does.
            check_header(*image.size, frames, limits)
        image.load()
        frame = displayed_frame(image, format_name)
        if frame.size != size:
            # Browsers crop such a frame to the canvas; so do we.
            frame = frame.crop((0, 0, *size))
        yield frame


def displayed_frame(image, format_name):
    """The current frame as a browser shows it: RGB when every pixel of it
    is opaque (most GIFs: cheaper to shrink and sample), RGBA otherwise."""
    if format_name == "jpeg":
        image = ImageOps.exif_transpose(image)
    # (Not `has_transparency_data`: it asserts on a palette frame that lost
    # its palette, which Pillow still converts.)
    if image.mode not in ("RGBA", "LA", "PA", "RGBa", "La") and (
        "transparency" not in image.info
    ):
        return image.convert("RGB")
    frame = image.convert("RGBA")
    if is_opaque(frame):
        return frame.convert("RGB")
    return frame


def shrink(frame, size):
    if frame.size == size:
        return frame.copy()
    # Premultiplied alpha keeps transparent edges from turning dark.
    premultiplied = frame.mode != "RGB"
    if premultiplied:
        frame = frame.convert("RGBa")
    # Average whole blocks of pixels first (a 480-pixel frame halves in a
    # tenth of a bicubic's time), then resample what is left bicubic. Against
    # Lanczos from the full frame this stays within 38-46 dB (PSNR), where
    # the WebP preview then loses 32-35 dB.
    factor = min(frame.width // size[0], frame.height // size[1])
    if factor >= 2:
        frame = frame.reduce(factor)
    if frame.size != size:
        frame = frame.resize(size, Image.Resampling.BICUBIC)
    return frame.convert("RGBA") if premultiplied else frame


def is_opaque(frame):
    if "A" not in frame.getbands():
        return True
    return frame.getchannel("A").getextrema()[0] == 255


def encode_still(frame, compress_level=6):
    if is_opaque(frame):
        frame = frame.convert("RGB")
        # A third of the bytes to compress for the same pixels (most GIFs).
        frame = as_palette(frame) or frame
    buffer = io.BytesIO()
    frame.save(buffer, "PNG", compress_level=compress_level)
    return buffer.getvalue()


# What a re-wrapped PNG still keeps: the pixels and how to read them. Text,
# EXIF, gamma and times stay behind, as when Pillow encodes a still.
STILL_CHUNKS = (b"IHDR", b"PLTE", b"tRNS", b"iCCP", b"IDAT", b"IEND")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunks(data):
    """(type, contents) of each chunk of a PNG, up to IEND."""
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        yield kind, data[offset + 8 : offset + 8 + length]
        if kind == b"IEND":
            return
        offset += 12 + length


def rewrapped_png(data):
    """The still of an 8-bit RGB, RGBA or palette PNG: its own compressed
    pixels in a new file, or None when the still must be encoded.

    Encoding a large still costs ten times decoding it; copying its IDAT
    chunks shows the same pixels. Only after Pillow decoded `data` whole.
    """
    chunks = list(png_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        return None
    header = chunks[0][1]
    bit_depth, colour_type = header[8], header[9]
    if bit_depth != 8 or colour_type not in (2, 3, 6):
        return None  # (16 bits or grey: Pillow's still is 8-bit RGB)
    kinds = {kind for kind, _ in chunks}
    if kinds & {b"acTL", b"fcTL", b"fdAT"}:
        return None  # an animation's first frame may not be its IDAT
    buffer = io.BytesIO()
    buffer.write(PNG_SIGNATURE)
    for kind, contents in chunks:
        if kind in STILL_CHUNKS:
            buffer.write(len(contents).to_bytes(4, "big") + kind + contents)
            buffer.write(zlib.crc32(kind + contents).to_bytes(4, "big"))
    return buffer.getvalue()


def as_palette(frame):
    """An RGB frame of at most 256 colours as the same pixels in a palette
    image, or None."""
    colours = frame.getcolors(256)
    if colours is None:
        return None
    # Each pixel as one 32-bit number, its colour in the low 24 bits.
    pixels = np.asarray(frame.convert("RGBX")).view("<u4")[..., 0]
    palette = np.array(sorted(r | g << 8 | b << 16 for _, (r, g, b) in colours))
    indices = np.empty(pixels.shape, dtype=np.uint8)
    # A band of rows at a time: the whole frame's 64-bit positions at once
    # held 15 MB for a 1,600 × 1,200 frame.
    for top in range(0, len(pixels), 64):
        band = pixels[top : top + 64] & 0xFFFFFF
        indices[top : top + 64] = np.searchsorted(palette, band)
    result = Image.fromarray(indices, "L").convert("P")
    result.putpalette(
        palette.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    )
    result.info = dict(frame.info)
    return result


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
            loop=min(loops, MAX_PREVIEW_LOOPS),  # beyond it, none can tell
            quality=70,
            method=2,
            # Only the first frame a key frame: a preview is played from its
            # start, never sought, and this is both smaller and faster.
            kmin=0,
            kmax=0,
        )
    return buffer.getvalue()


# --- Per-frame samples --------------------------------------------------------

SAMPLE_SIDE = 64  # every frame is reduced to this once; flash and hash read it
FLASH_GRID = 16  # cells per side; a flash must cover a quarter of the cells
HASH_SIDE = 32


def sample_pixels(frame):
    """A small RGB square of the frame as shown over a white page, 8 bits."""
    small = frame.resize((SAMPLE_SIDE, SAMPLE_SIDE), Image.Resampling.BOX)
    if small.mode != "RGB":
        white = Image.new("RGBA", small.size, (255, 255, 255, 255))
        small = Image.alpha_composite(white, small).convert("RGB")
    return np.asarray(small)


def frame_sample(frame):
    """A small RGB square of the frame as shown over a white page."""
    return np.asarray(sample_pixels(frame), dtype=np.float32) / 255.0


class FrameSamples:
    """Flash cells and perceptual hashes of frames, added one at a time.

    Worked out for a batch of frames at once: frame by frame, numpy's
    per-call overhead cost more than the arithmetic on 64 × 64 samples.
    """

    BATCH = 64  # frames held as samples at once: 0.8 MB of 8-bit pixels

    def __init__(self):
        self.pending = []
        self.flash_cells = []
        self.hashes = []
        self.details = []

    def add(self, frame):
        self.pending.append(sample_pixels(frame))
        if len(self.pending) == self.BATCH:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        pixels = np.stack(self.pending)
        self.pending = []
        samples = np.asarray(pixels, dtype=np.float32) / 255.0
        self.flash_cells += flash_cells_of(samples, pixels)
        self.hashes += perceptual_hashes(samples)
        self.details += detail_hashes(samples)

    def results(self):
        """(flash cells, hashes, detail hashes) of every frame added, in order."""
        self.flush()
        return self.flash_cells, self.hashes, self.details


# --- Flash risk (WCAG 2.3.1) --------------------------------------------------

FLASH_MIN_CHANGE = 0.10
FLASH_MAX_DARKER = 0.80
SATURATED_RED = 0.8
FLASH_AREA = 0.25
MAX_GENERAL_FLASHES = 3  # more than three in a second is a risk
MAX_RED_FLASHES = 2  # three red flashes in a second already are
WINDOW_MS = 1000


def srgb_to_linear(values):
    return np.where(
        values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4
    )


# Samples hold 8-bit values: converting each of the 256 once and looking the
# rest up gives the same floats for a fraction of the work.
LINEAR_OF_8_BITS = srgb_to_linear(np.arange(256, dtype=np.float32) / 255.0)


def block_means(side, blocks, dtype=np.float64):
    """A (blocks, side) matrix M: M @ square @ M.T averages each block of a
    square `side` pixels wide. Two small matrix products do in a tenth of
    the time what a mean over strided axes does."""
    block = side // blocks
    return np.kron(np.eye(blocks, dtype=dtype), np.full((1, block), 1 / block, dtype))


FLASH_CELL_MEANS = block_means(SAMPLE_SIDE, FLASH_GRID)


def flash_cells_of(samples, pixels):
    """Per frame: relative luminance, saturated-red state and red amount of
    each cell. `samples` are frame samples, `pixels` the same as 8 bits."""
    count = len(samples)
    means = FLASH_CELL_MEANS.astype(samples.dtype)
    # (frames, channels, rows, columns) in, (frames, rows, columns, channels) out
    cells = (means @ samples.transpose(0, 3, 1, 2) @ means.T).transpose(0, 2, 3, 1)
    linear = LINEAR_OF_8_BITS[pixels] @ np.array([0.2126, 0.7152, 0.0722])
    luminance = FLASH_CELL_MEANS @ linear @ FLASH_CELL_MEANS.T
    total = cells.sum(axis=3)
    # Near-black has no colour to speak of, whatever its channel ratio.
    red_share = np.divide(
        cells[..., 0], total, out=np.zeros_like(total), where=total > 0.15
    )
    # WCAG's older measure of "how red": (R - G - B), clipped at zero.
    red_amount = np.clip(cells[..., 0] - cells[..., 1] - cells[..., 2], 0, None)
    return list(
        zip(
            luminance.reshape(count, -1),
            (red_share >= SATURATED_RED).reshape(count, -1),
            red_amount.reshape(count, -1),
            strict=True,
        )
    )


def luminance_transitions(luminance):
    """Mark, per frame and cell, a change of luminance that counts for a flash.

    `luminance` is (frames, cells). A transition is a rise or fall of at least
    0.10 from the last extreme, with the darker state below 0.80; the next
    transition must go the other way.
    """
    frames, cells = luminance.shape
    marks = np.zeros((frames, cells), dtype=bool)
    low = luminance[0].copy()
    high = luminance[0].copy()
    last = np.zeros(cells, dtype=np.int8)  # +1 rose, -1 fell, 0 neither yet
    for index in range(1, frames):
        now = luminance[index]
        low = np.minimum(low, now)
        high = np.maximum(high, now)
        rise = (last != 1) & (now - low >= FLASH_MIN_CHANGE) & (low < FLASH_MAX_DARKER)
        fall = (
            (last != -1)
            & (high - now >= FLASH_MIN_CHANGE)
            & (now < FLASH_MAX_DARKER)
            & ~rise
        )
        changed = rise | fall
        last = np.where(rise, 1, np.where(fall, -1, last)).astype(np.int8)
        low = np.where(changed, now, low)
        high = np.where(changed, now, high)
        marks[index] = changed
    return marks


# A red transition must change the red amount visibly, not just nudge a
# colour across the saturation line: (R - G - B) × 320 > 20, as WCAG 2.0
# measured it.
MIN_RED_CHANGE = 20 / 320


def red_transitions(red, amount):
    """Mark entering or leaving saturated red with a visible change of red."""
    marks = np.zeros_like(red)
    marks[1:] = (red[1:] != red[:-1]) & (
        np.abs(amount[1:] - amount[:-1]) > MIN_RED_CHANGE
    )
    return marks


def worst_flashes_per_second(marks, starts_ms):
    """The most flashes in any one-second window that a quarter of the cells
    reach. A flash is a pair of opposing transitions."""
    frames, cells = marks.shape
    counts = np.vstack([np.zeros((1, cells), dtype=np.int32), marks.cumsum(axis=0)])
    window_ends = np.searchsorted(starts_ms, starts_ms + WINDOW_MS, side="left")
    in_window = counts[window_ends] - counts[np.arange(frames)]
    flashes = in_window // 2
    quarter = math.ceil(FLASH_AREA * cells)
    reached_by_quarter = np.sort(flashes, axis=1)[:, cells - quarter]
    return int(reached_by_quarter.max(initial=0))


def played_timeline(samples, delays_ms, plays):
    """Repeat one loop as often as a one-second window needs to see the
    loop's seam, and give each frame's start time."""
    loop_ms = sum(delays_ms)
    repeats = (
        1
        if plays == 1
        else min(plays or math.inf, math.ceil(WINDOW_MS / max(loop_ms, 1)) + 1)
    )
    repeated = samples * int(repeats)
    delays = list(delays_ms) * int(repeats)
    starts = np.concatenate([[0], np.cumsum(delays)[:-1]])
    return repeated, starts


def flash_report(cell_samples, delays_ms, plays):
    """Rate the flash risk of an animation from its per-frame cell samples."""
    if len(cell_samples) < 2:
        return FlashReport(risky=False, per_second=0, red=False)
    timeline, starts = played_timeline(cell_samples, delays_ms, plays)
    luminance = np.array([sample[0] for sample in timeline])
    red = np.array([sample[1] for sample in timeline])
    red_amount = np.array([sample[2] for sample in timeline])
    general = worst_flashes_per_second(luminance_transitions(luminance), starts)
    red_flashes = worst_flashes_per_second(red_transitions(red, red_amount), starts)
    red_risk = red_flashes > MAX_RED_FLASHES
    return FlashReport(
        risky=general > MAX_GENERAL_FLASHES or red_risk,
        per_second=max(general, red_flashes),
        red=red_risk,
    )


# --- Perceptual hashes --------------------------------------------------------

HASH_BITS = 64
NEAR_DUPLICATE_DISTANCE = 6
NEAR_DUPLICATE_SHARE = 0.75


def _dct_matrix(size):
    k = np.arange(size)[:, None]
    i = np.arange(size)[None, :]
    matrix = np.cos(np.pi * (2 * i + 1) * k / (2 * size)) * math.sqrt(2 / size)
    matrix[0] /= math.sqrt(2)
    return matrix


DCT = _dct_matrix(HASH_SIDE)


def perceptual_hash(sample):
    """64-bit DCT hash of one frame sample: robust to resizing and re-encoding."""
    return perceptual_hashes(sample[None])[0]


FLAT_COEFFICIENT = 1e-9  # a real one is 1e-4 or more, rounding 1e-15 or less
# Averaging the sample down to HASH_SIDE and taking the 8 × 8 lowest DCT
# coefficients of that, as one (8, SAMPLE_SIDE) matrix on each side.
LOW_DCT_OF_SAMPLE = DCT[:8] @ block_means(SAMPLE_SIDE, HASH_SIDE)


def perceptual_hashes(samples):
    """perceptual_hash() of each of a stack of frame samples."""
    count = len(samples)
    grey = samples @ np.array([0.299, 0.587, 0.114])
    low = (LOW_DCT_OF_SAMPLE @ grey @ LOW_DCT_OF_SAMPLE.T).reshape(count, HASH_BITS)
    # A flat frame's coefficients are zero but for rounding, which would
    # otherwise pick its bits: every flat frame hashes alike.
    low[np.abs(low) < FLAT_COEFFICIENT] = 0
    bits = low > np.median(low[:, 1:], axis=1, keepdims=True)
    # The first coefficient is the highest bit, as the hashes were stored.
    return [int(value) for value in np.packbits(bits, axis=1).view(">u8").ravel()]


# --- Detail hashes: what the 8 × 8 lowest frequencies cannot tell apart ---------

# A small figure on a plain background, short words on a card or a tiny image
# leave the 8 × 8 lowest frequencies of a 32 × 32 frame saying only "a blob in
# the middle": unrelated frames of that kind hash within a few bits of each
# other. Such a frame is "low-detail", and two frames of which either is must
# also agree on a finer hash of the frame and on its colours.
DETAIL_SIDE = 16  # the 16 × 16 lowest frequencies of the 64 × 64 sample
FINE_DCT_OF_SAMPLE = _dct_matrix(SAMPLE_SIDE)[:DETAIL_SIDE]
# The 192 terms beyond the perceptual hash's 8 × 8.
FINE_TERMS = ~np.pad(np.ones((8, 8), dtype=bool), (0, DETAIL_SIDE - 8))
# Measured by bench/calibrate_duplicates.py (docs/review.md): the root mean
# square of the 63 AC terms is at most 0.26 for figures of radius 20 px or
# less on 320 × 240 and for words in 24 px letters, 0.22 or more for the
# drawn animations (a tenth of their frames, plain cartoons, fall below
# 0.3: being low-detail only asks more of a match). A random 2 × 2 image
# scaled up has 39 of its 63 terms at nothing, a drawn frame at most 8.
LOW_DETAIL_RMS = 0.3
LOW_DETAIL_ZEROS = 16
# Every copy found before is still found at these; at 36 fine bits a copy
# cropped 2% a side is lost, at 6 colour levels one darkened 15%.
DETAIL_FINE_DISTANCE = 44  # of the 192 fine bits
DETAIL_COLOUR_DISTANCE = 7  # thermometer levels, all six channels together
SUBJECT_CONTRAST = 0.1  # a pixel this far from the background is the subject
COLOUR_LEVELS = 10  # per channel, as a thermometer of COLOUR_LEVELS - 1 bits
DETAIL_BITS = 256
FINE_BITS = int(FINE_TERMS.sum())  # the top 192 bits of a detail hash
COLOUR_BITS = 6 * (COLOUR_LEVELS - 1)  # then background and subject colours
LOW_DETAIL_FLAG = 1  # the lowest bit: the frame is low-detail (never compared)


def low_detail(low):
    """Whether each frame's 8 × 8 DCT terms (frames, 64) say little: small
    AC terms (a small subject on a plain background) or many that are
    nothing (a blocky picture: a tiny image scaled up)."""
    ac = np.abs(low[:, 1:])
    rms = np.sqrt((ac**2).mean(axis=1))
    nothing = (ac < 1e-3 * np.maximum(ac.max(axis=1, keepdims=True), 1e-9)).sum(axis=1)
    return (rms < LOW_DETAIL_RMS) | (nothing >= LOW_DETAIL_ZEROS)


def thermometer(values, levels=COLOUR_LEVELS):
    """Values in 0..1 (frames, n) as (frames, n * (levels - 1)) bits whose
    Hamming distance is how many levels apart the values are."""
    level = np.clip((values * levels).astype(np.int64), 0, levels - 1)
    return (np.arange(levels - 1) < level[..., None]).reshape(len(values), -1)


def frame_colours(samples):
    """(frames, 6): each sample's background colour (its median) and its
    subject's (the mean of the pixels farthest from that; the background
    if none is far)."""
    # Channel by channel, each a row of its own: numpy reduces a long
    # contiguous row many times faster than across three channels a pixel.
    planes = np.ascontiguousarray(
        samples.reshape(len(samples), -1, 3).transpose(0, 2, 1)
    )
    background = eight_bit_medians(planes)
    offsets = np.abs(planes - background[:, :, None])
    apart = np.maximum(np.maximum(offsets[:, 0], offsets[:, 1]), offsets[:, 2])
    # The subject's core: its edges, blended into the background, would
    # pull its colour towards the background's, the more so the smaller it is.
    farthest = apart.max(axis=1, keepdims=True)
    far = (apart > SUBJECT_CONTRAST) & (apart >= farthest / 2)
    count = far.sum(axis=1)
    total = (planes * far[:, None, :]).sum(axis=2)
    subject = np.where(
        count[:, None] > 0, total / np.maximum(count, 1)[:, None], background
    )
    return np.concatenate([background, subject], axis=1)


def eight_bit_medians(planes):
    """np.median of each row of `planes` (samples of 8-bit values, v / 255),
    from a histogram of each: the same values, without sorting 4,096."""
    frames, channels, pixels = planes.shape
    levels = np.rint(planes * 255).astype(np.int64).reshape(-1, pixels)
    rows = np.arange(len(levels))[:, None] * 256
    counts = np.bincount((levels + rows).ravel(), minlength=len(levels) * 256)
    below = np.cumsum(counts.reshape(-1, 256), axis=1)
    # The two middle values (one when the count is odd), as np.median takes them.
    middle = [
        np.argmax(below > rank, axis=1) for rank in ((pixels - 1) // 2, pixels // 2)
    ]
    values = np.stack(middle).astype(np.float32) / np.float32(255.0)
    return np.mean(values, axis=0).reshape(frames, channels)


def detail_hashes(samples):
    """A 256-bit detail hash of each of a stack of frame samples: the signs
    of the 192 DCT terms beyond the perceptual hash's (16 × 16 lowest of the
    64 × 64 grey sample, against their median), the background's and the
    subject's colours as thermometers, and the low-detail flag."""
    count = len(samples)
    grey = samples @ np.array([0.299, 0.587, 0.114])
    low = (LOW_DCT_OF_SAMPLE @ grey @ LOW_DCT_OF_SAMPLE.T).reshape(count, HASH_BITS)
    fine = (FINE_DCT_OF_SAMPLE @ grey @ FINE_DCT_OF_SAMPLE.T)[:, FINE_TERMS]
    fine[np.abs(fine) < FLAT_COEFFICIENT] = 0  # as in perceptual_hashes
    bits = np.zeros((count, DETAIL_BITS), dtype=bool)
    bits[:, :FINE_BITS] = fine > np.median(fine, axis=1, keepdims=True)
    bits[:, FINE_BITS : FINE_BITS + COLOUR_BITS] = thermometer(frame_colours(samples))
    bits[:, -1] = low_detail(low)
    return [int.from_bytes(row.tobytes(), "big") for row in np.packbits(bits, axis=1)]


def detail_words(details):
    """Detail hashes (numbers or 64-digit hex strings) as (n, 4) 64-bit words,
    the highest first: words 0-2 the fine terms, word 3 the colours and flag."""
    numbers = [int(d, 16) if isinstance(d, str) else d for d in details]
    data = b"".join(number.to_bytes(DETAIL_BITS // 8, "big") for number in numbers)
    return np.frombuffer(data, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def details_alike(details, others):
    """Whether each row of `details` agrees with the same row of `others`
    ((n, 4) words): fine terms within DETAIL_FINE_DISTANCE bits, colours
    within DETAIL_COLOUR_DISTANCE (the low-detail flag not compared)."""
    apart = np.bitwise_count(details ^ others).astype(np.int64)
    flags = ((details[:, 3] ^ others[:, 3]) & np.uint64(LOW_DETAIL_FLAG)).astype(
        np.int64
    )
    fine = apart[:, :3].sum(axis=1)
    colour = apart[:, 3] - flags
    return (fine <= DETAIL_FINE_DISTANCE) & (colour <= DETAIL_COLOUR_DISTANCE)


# What every flat frame hashes to, black or any other shade: two plain
# backgrounds say nothing about whether two GIFs are the same, so near-duplicate
# matching leaves such frames out (exact copies are caught by their SHA-256).
FLAT_HASHES = (0, 1 << (HASH_BITS - 1))
FLAT_HEX_HASHES = tuple(f"{value:016x}" for value in FLAT_HASHES)


def frames_alike(
    hashes, others, details=(), other_details=(), distance=NEAR_DUPLICATE_DISTANCE
):
    """(len(hashes), len(others)) booleans: the frames' perceptual hashes
    are within `distance` bits, and where either frame is low-detail, their
    detail hashes agree too. A side without its detail hashes (a GIF not yet
    hashed again since they exist) is compared on perceptual hashes alone."""
    mine = np.array(hashes, dtype=np.uint64)[:, None]
    theirs = np.array(others, dtype=np.uint64)[None, :]
    alike = np.bitwise_count(mine ^ theirs) <= distance
    if not details or not other_details:
        return alike
    mine, theirs = detail_words(details), detail_words(other_details)
    flag = np.uint64(LOW_DETAIL_FLAG)
    low = ((mine[:, 3] & flag) > 0)[:, None] | ((theirs[:, 3] & flag) > 0)[None, :]
    rows, columns = np.nonzero(alike & low)
    agree = details_alike(mine[rows], theirs[columns])
    alike[rows[~agree], columns[~agree]] = False
    return alike


def matching_share(
    hashes, others, distance=NEAR_DUPLICATE_DISTANCE, details=(), other_details=()
):
    """Share of `hashes` within `distance` bits of some hash in `others` (and,
    with both sides' detail hashes, alike as frames_alike() says)."""
    if not hashes or not others:
        return 0.0
    alike = frames_alike(hashes, others, details, other_details, distance)
    return float(alike.any(axis=1).mean())


def telling(hashes, details):
    """The hashes and detail hashes of the frames that are not flat."""
    kept = [index for index, value in enumerate(hashes) if value not in FLAT_HASHES]
    return [hashes[i] for i in kept], [details[i] for i in kept] if details else []


def are_near_duplicates(hashes, others, details=(), other_details=()):
    """Most frames of each match a frame of the other, in any order: resized,
    re-encoded, loop-shifted and lightly trimmed copies all qualify. With
    both sides' detail hashes (one for each hash), low-detail frames must
    also agree on those."""
    if len(details) != len(hashes) or len(other_details) != len(others):
        details = other_details = ()
    hashes, details = telling(list(hashes), list(details))
    others, other_details = telling(list(others), list(other_details))
    return (
        matching_share(hashes, others, details=details, other_details=other_details)
        >= NEAR_DUPLICATE_SHARE
        and matching_share(others, hashes, details=other_details, other_details=details)
        >= NEAR_DUPLICATE_SHARE
    )


def near_duplicates_among(hashes, candidates, chunk=2_000):
    """The keys of `candidates` that are near duplicates of `hashes` as
    are_near_duplicates() decides. `hashes` are 16-digit hex strings; the
    candidates are (key, stored) pairs, `stored` the JSON text of such a
    list as Gif.frame_hashes keeps it.

    Compares `chunk` candidates at a time as one array: one by one, an
    upload of a shelf of thousands spent most of its time on numpy's
    per-call overhead, and reading each row's hashes out of its JSON cost
    more than comparing them (stored_hashes reads a chunk at once).
    """
    found = []
    hashes = [value for value in hashes if value not in FLAT_HEX_HASHES]
    if not hashes:
        return found
    mine = hex_hashes(hashes)[:, None]
    batch = []
    for candidate in candidates:
        batch.append(candidate)
        if len(batch) == chunk:
            found += _near_duplicates_in(mine, batch)
            batch = []
    if batch:
        found += _near_duplicates_in(mine, batch)
    return found


def hex_hashes(hashes):
    """16-digit hex strings as an array of 64-bit hashes."""
    return np.frombuffer(bytes.fromhex("".join(hashes)), dtype=">u8").astype(np.uint64)


JSON_PUNCTUATION = str.maketrans("", "", '[]", ')


def stored_hashes(texts):
    """(how many hashes each text holds, all of them as one array) from JSON
    lists of 16-digit hex strings: the lists' punctuation dropped and the
    digits read at once, rather than a parse per list."""
    counts = np.array([text.count('"') // 2 for text in texts], dtype=np.int64)
    digits = "".join(texts).translate(JSON_PUNCTUATION)
    if len(digits) == 16 * counts.sum():
        try:
            return counts, hex_hashes([digits])
        except ValueError:
            pass
    # Something other than hex digits in there: read each list properly.
    lists = [json.loads(text) for text in texts]
    return np.array([len(hashes) for hashes in lists], dtype=np.int64), hex_hashes(
        [value for hashes in lists for value in hashes]
    )


def _near_duplicates_in(mine, batch):
    counts, theirs = stored_hashes([stored for _, stored in batch])
    keys = [key for (key, _), count in zip(batch, counts, strict=True) if count]
    counts = counts[counts > 0]  # a GIF analysed before hashes existed
    if not keys:
        return []
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    telling = ~np.isin(theirs, np.array(FLAT_HASHES, dtype=np.uint64))
    close = np.bitwise_count(mine ^ theirs[None, :]) <= NEAR_DUPLICATE_DISTANCE
    close &= telling[None, :]
    # Per candidate: the share of my hashes near one of its, and of its
    # (flat frames left out) near one of mine: matching_share both ways.
    mine_matched = np.logical_or.reduceat(close, starts, axis=1).mean(axis=0)
    theirs_matched = np.add.reduceat(close.any(axis=0).astype(np.int64), starts)
    telling_counts = np.add.reduceat(telling.astype(np.int64), starts)
    theirs_matched = theirs_matched / np.maximum(telling_counts, 1)
    keep = (
        (telling_counts > 0)
        & (mine_matched >= NEAR_DUPLICATE_SHARE)
        & (theirs_matched >= NEAR_DUPLICATE_SHARE)
    )
    return [key for key, kept in zip(keys, keep, strict=True) if kept]


# A frame shows something once its detail is at least this share of the
# most detailed filmstrip frame's.
POSTER_DETAIL_SHARE = 0.5


def detail(frame):
    """How much there is to see: the spread of the frame's grey levels."""
    return ImageStat.Stat(frame.convert("L")).stddev[0]


def poster_frame(filmstrip):
    """The frame a still card shows, of {index: frame} in order: the first,
    unless it is near empty (an animation that fades or draws itself in),
    then the first with about as much to see as the fullest frame."""
    details = {index: detail(frame) for index, frame in filmstrip.items()}
    enough = POSTER_DETAIL_SHARE * max(details.values(), default=0)
    return next(index for index, value in details.items() if value >= enough)


def poster_frame_of_pngs(pngs):
    """poster_frame() of stored filmstrip PNGs, {index: bytes}: for GIFs
    analysed before posters were chosen."""
    frames = {}
    for index, data in pngs.items():
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            frames[index] = image.copy()
    return poster_frame(frames)


def filmstrip_frames(frames, count=8):
    """Evenly spaced frame numbers that always include the first and last."""
    if frames <= count:
        return list(range(frames))
    return sorted({round(i * (frames - 1) / (count - 1)) for i in range(count)})
