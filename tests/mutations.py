"""Ways to break an image file, for the upload fuzzing test.

Each mutation takes bytes and returns bytes. Some know nothing of the format
(a flipped bit, a cut, a splice); the structural ones find the format's
fields (a PNG chunk, a GIF image descriptor, a WebP frame), change what they
declare and keep the checksums right, so the damage reaches the decoder
instead of stopping at a bad CRC.
"""

import struct
import zlib

from PIL import Image

from tests import images

# Values a hostile header declares: nothing, one, the edges of every width.
EXTREMES = [0, 1, 2, 3, 255, 256, 4_095, 32_767, 65_535, 2**24 - 1, 2**31 - 1]


def base_files():
    """Well-formed files of every accepted kind, drawn by Pillow."""
    transparent = [
        frame.convert("RGBA") for frame in images.frames_of(4, (36, 28), seed=2)
    ]
    for frame in transparent:
        frame.putpixel((0, 0), (0, 0, 0, 0))
    palette = [frame.convert("P") for frame in images.frames_of(3, (30, 20), seed=3)]
    return {
        "gif": images.gif_bytes(count=5, size=(40, 30)),
        "gif-still": images.gif_bytes(count=1, size=(24, 16)),
        "gif-disposal": images.encode(
            images.frames_of(4, (32, 24), seed=1),
            "GIF",
            duration=[40, 0, 200, 5],
            disposal=[0, 1, 2, 3],
            transparency=0,
            loop=3,
        ),
        "png": images.png_bytes(),
        "png-palette": images.encode(palette[:1], "PNG"),
        "png-grey16": images.encode([Image.new("I;16", (20, 12), 40_000)], "PNG"),
        "apng": images.apng_bytes(count=3),
        "apng-blend": images.encode(
            transparent,
            "PNG",
            duration=[50, 100, 0, 70],
            disposal=[0, 1, 2, 0],
            blend=[0, 1, 1, 0],
            loop=2,
        ),
        "webp": images.webp_bytes(count=1),
        "webp-lossless": images.encode(transparent[:1], "WEBP", lossless=True),
        "webp-animated": images.webp_bytes(count=3),
        "webp-animated-alpha": images.encode(
            transparent, "WEBP", duration=[60, 60, 0, 200], loop=1
        ),
        "jpeg": images.jpeg_bytes(),
        "jpeg-turned": images.jpeg_bytes_turned(),
    }


# --- Format-blind mutations ----------------------------------------------------


def flip_bit(data, at, bit):
    if not data:
        return data
    changed = bytearray(data)
    changed[at % len(data)] ^= 1 << bit
    return bytes(changed)


def set_byte(data, at, value):
    if not data:
        return data
    changed = bytearray(data)
    changed[at % len(data)] = value
    return bytes(changed)


def truncate(data, at):
    return data[: at % (len(data) + 1)]


def delete_span(data, at, length):
    start = at % (len(data) + 1)
    return data[:start] + data[start + length :]


def repeat_span(data, at, length, times):
    """A run of bytes said again: a chunk, a frame or a block twice over."""
    start = at % (len(data) + 1)
    span = data[start : start + length]
    return data[:start] + span * times + data[start:]


def splice(data, other, at, other_at):
    """This file's head on another file's tail."""
    cut = at % (len(data) + 1)
    return data[:cut] + other[other_at % (len(other) + 1) :]


# --- PNG and APNG ------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunks(data):
    """[(offset, type, payload)] up to the first chunk that does not fit."""
    found, at = [], len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if at + 12 + length > len(data):
            break
        found.append((at, kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    return found


def png_chunk(kind, payload):
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def rewrite_png_chunk(data, pick, change):
    """Replace one chunk's payload with `change(kind, payload)`, CRC fixed."""
    chunks = png_chunks(data) if data.startswith(PNG_SIGNATURE) else []
    if not chunks:
        return data
    at, kind, payload = chunks[pick % len(chunks)]
    new = change(kind, bytearray(payload))
    end = at + 12 + len(payload)
    return data[:at] + png_chunk(kind, bytes(new)) + data[end:]


def set_field(payload, offset, packed):
    """Overwrite the bytes at `offset` with `packed`, if the payload is that long."""
    if offset + len(packed) <= len(payload):
        payload[offset : offset + len(packed)] = packed
    return payload


def png_declare(data, pick, field, value):
    """Set a field of the chunk `pick` selects, if that chunk has it:
    IHDR's size, acTL's frame and play counts, fcTL's size, offsets and delay."""
    fields = {
        b"IHDR": {"width": 0, "height": 4, "depth": 8},
        b"acTL": {"frames": 0, "plays": 4},
        b"fcTL": {
            "width": 4,
            "height": 8,
            "x": 12,
            "y": 16,
            "delay": 20,
            "dispose": 24,
        },
    }

    def change(kind, payload):
        offsets = fields.get(kind, {})
        if field not in offsets:
            return payload
        offset = offsets[field]
        if field in ("depth", "dispose"):
            return set_field(payload, offset, bytes([value & 0xFF]))
        if field == "delay":
            return set_field(payload, offset, struct.pack(">HH", value & 0xFFFF, 0))
        return set_field(payload, offset, struct.pack(">I", value & 0xFFFFFFFF))

    return rewrite_png_chunk(data, pick, change)


def png_chunk_length(data, pick, length):
    """Declare a chunk longer or shorter than it is, CRC untouched."""
    chunks = png_chunks(data) if data.startswith(PNG_SIGNATURE) else []
    if not chunks:
        return data
    at = chunks[pick % len(chunks)][0]
    return data[:at] + struct.pack(">I", length & 0xFFFFFFFF) + data[at + 4 :]


def png_drop_chunk(data, pick):
    chunks = png_chunks(data) if data.startswith(PNG_SIGNATURE) else []
    if not chunks:
        return data
    at, _, payload = chunks[pick % len(chunks)]
    return data[:at] + data[at + 12 + len(payload) :]


def png_repeat_chunk(data, pick):
    """A chunk said twice: two IHDRs, two acTLs, a frame's fcTL again."""
    chunks = png_chunks(data) if data.startswith(PNG_SIGNATURE) else []
    if not chunks:
        return data
    at, _, payload = chunks[pick % len(chunks)]
    end = at + 12 + len(payload)
    return data[:end] + data[at:end] + data[end:]


def png_mutate_payload(data, pick, at, value):
    """Change one byte inside a chunk and keep its CRC right: the damage
    reaches the decoder (compressed pixels, palettes, frame numbers)."""

    def change(kind, payload):
        if payload:
            payload[at % len(payload)] = value
        return payload

    return rewrite_png_chunk(data, pick, change)


# --- GIF -----------------------------------------------------------------------


def gif_blocks(data):
    """Offsets of image descriptors (0x2C), graphic control extensions and
    the NETSCAPE loop field, found by walking the block structure."""
    found = {"descriptor": [], "control": [], "loop": []}
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 13:
        return found
    at = 13
    if data[10] & 0x80:
        at += 3 << ((data[10] & 7) + 1)
    while at < len(data):
        kind = data[at]
        if kind == 0x2C:
            found["descriptor"].append(at)
            if at + 10 > len(data):
                break
            flags = data[at + 9]
            at += 10
            if flags & 0x80:
                at += 3 << ((flags & 7) + 1)
            at += 1  # LZW minimum code size
            at = skip_sub_blocks(data, at)
        elif kind == 0x21 and at + 1 < len(data):
            label = data[at + 1]
            if label == 0xF9:
                found["control"].append(at)
            elif data[at + 3 : at + 14] == b"NETSCAPE2.0":
                found["loop"].append(at + 16)
            at = skip_sub_blocks(data, at + 2)
        else:
            break
    return found


def skip_sub_blocks(data, at):
    while at < len(data) and data[at]:
        at += data[at] + 1
    return at + 1


def gif_declare(data, pick, field, value):
    """Set the screen size, a frame's place and size, delay, disposal or
    loop count that a GIF declares."""
    changed = bytearray(data)
    little = struct.pack("<H", value & 0xFFFF)
    blocks = gif_blocks(data)
    if field in ("screen width", "screen height"):
        if len(changed) >= 10:
            offset = 6 if field == "screen width" else 8
            changed[offset : offset + 2] = little
        return bytes(changed)
    descriptor_fields = {"left": 1, "top": 3, "width": 5, "height": 7}
    if field in descriptor_fields and blocks["descriptor"]:
        at = blocks["descriptor"][pick % len(blocks["descriptor"])]
        offset = at + descriptor_fields[field]
        changed[offset : offset + 2] = little
    elif field in ("delay", "disposal") and blocks["control"]:
        at = blocks["control"][pick % len(blocks["control"])]
        if field == "delay":
            changed[at + 4 : at + 6] = little
        elif at + 3 < len(changed):
            changed[at + 3] = (changed[at + 3] & 0xE3) | ((value & 7) << 2)
    elif field == "loop" and blocks["loop"]:
        at = blocks["loop"][0]
        changed[at : at + 2] = little
    elif field == "code size" and blocks["descriptor"]:
        at = blocks["descriptor"][pick % len(blocks["descriptor"])]
        flags = changed[at + 9] if at + 9 < len(changed) else 0
        table = 3 << ((flags & 7) + 1) if flags & 0x80 else 0
        if at + 10 + table < len(changed):
            changed[at + 10 + table] = value & 0xFF
    return bytes(changed[: len(data)])


def gif_repeat_frame(data, pick, times):
    """One frame (its control extension and image) said `times` over: a
    cheap way to a huge frame count."""
    blocks = gif_blocks(data)
    if not blocks["descriptor"]:
        return data
    at = blocks["descriptor"][pick % len(blocks["descriptor"])]
    controls = [offset for offset in blocks["control"] if offset < at]
    start = controls[-1] if controls else at
    flags = data[at + 9] if at + 9 < len(data) else 0
    end = at + 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
    end = skip_sub_blocks(data, end)
    frame = data[start:end]
    return data[:end] + frame * times + data[end:]


# --- WebP ----------------------------------------------------------------------


def webp_chunks(data):
    """[(offset, fourcc, payload)] of a RIFF WebP's top-level chunks and the
    frames inside ANMF."""
    found = []
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return found
    at = 12
    while at + 8 <= len(data):
        kind = data[at : at + 4]
        (length,) = struct.unpack("<I", data[at + 4 : at + 8])
        found.append((at, kind, data[at + 8 : at + 8 + length]))
        at += 8 + length + (length & 1)
    return found


def webp_declare(data, pick, field, value):
    """Set VP8X's canvas, ANIM's loop count, or an ANMF frame's place, size
    or duration (24-bit fields), or a chunk's or the RIFF's declared size."""
    changed = bytearray(data)
    chunks = webp_chunks(data)
    if not chunks:
        return data
    three = struct.pack("<I", value & 0xFFFFFF)[:3]
    if field == "riff size":
        changed[4:8] = struct.pack("<I", value & 0xFFFFFFFF)
        return bytes(changed)
    if field == "chunk size":
        at = chunks[pick % len(chunks)][0]
        changed[at + 4 : at + 8] = struct.pack("<I", value & 0xFFFFFFFF)
        return bytes(changed[: len(data)])
    targets = {
        "canvas width": (b"VP8X", 4),
        "canvas height": (b"VP8X", 7),
        "loop": (b"ANIM", 4),
        "frame x": (b"ANMF", 0),
        "frame y": (b"ANMF", 3),
        "frame width": (b"ANMF", 6),
        "frame height": (b"ANMF", 9),
        "duration": (b"ANMF", 12),
    }
    kind, offset = targets[field]
    matching = [at for at, found, _ in chunks if found == kind]
    if not matching:
        return data
    at = matching[pick % len(matching)] + 8 + offset
    value_bytes = struct.pack("<H", value & 0xFFFF) if field == "loop" else three
    changed[at : at + len(value_bytes)] = value_bytes
    return bytes(changed[: len(data)])


GIF_FIELDS = [
    "screen width",
    "screen height",
    "left",
    "top",
    "width",
    "height",
    "delay",
    "disposal",
    "loop",
    "code size",
]
PNG_FIELDS = ["width", "height", "depth", "frames", "plays", "x", "y", "delay"]
PNG_FIELDS += ["dispose"]
WEBP_FIELDS = [
    "riff size",
    "chunk size",
    "canvas width",
    "canvas height",
    "loop",
    "frame x",
    "frame y",
    "frame width",
    "frame height",
    "duration",
]
