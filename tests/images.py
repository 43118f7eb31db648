"""Images drawn with Pillow at test time: no binary fixtures in the repo."""

import io

from PIL import Image, ImageDraw


def frames_of(count=4, size=(64, 48), colours=None, seed=0):
    """`count` visibly different frames, each a solid colour with a marker.

    A different `seed` gives different colours, so a different file.
    """
    colours = colours or [
        (
            (index * 67 + seed * 13) % 256,
            (index * 131 + 40 + seed * 7) % 256,
            (index * 29 + 90 + seed * 3) % 256,
        )
        for index in range(count)
    ]
    frames = []
    for index, colour in enumerate(colours):
        frame = Image.new("RGB", size, colour)
        draw = ImageDraw.Draw(frame)
        x = (index * 7) % max(1, size[0] - 8)
        draw.rectangle([x, 2, x + 6, 8], fill=(255, 255, 255))
        frames.append(frame)
    return frames


def encode(frames, format_name, **params):
    buffer = io.BytesIO()
    if len(frames) > 1:
        params = {"save_all": True, "append_images": frames[1:], **params}
    frames[0].save(buffer, format_name, **params)
    return buffer.getvalue()


def gif_bytes(count=4, size=(64, 48), duration=80, loop=0, seed=0, **params):
    frames = frames_of(count, size, seed=seed)
    return encode(frames, "GIF", duration=duration, loop=loop, **params)


def apng_bytes(count=3, size=(40, 30), duration=120, loop=0):
    return encode(frames_of(count, size), "PNG", duration=duration, loop=loop)


def webp_bytes(count=3, size=(40, 30), duration=150, loop=0):
    if count == 1:
        return encode(frames_of(1, size), "WEBP")
    return encode(frames_of(count, size), "WEBP", duration=duration, loop=loop)


def png_bytes(size=(40, 30)):
    return encode(frames_of(1, size), "PNG")


def jpeg_bytes(size=(40, 30)):
    return encode(frames_of(1, size), "JPEG", quality=90)


def named(data, name):
    """An in-memory file with a name, as the test client uploads it."""
    upload = io.BytesIO(data)
    upload.name = name
    return upload


RED = (200, 30, 30)
BLUE = (30, 30, 200)


def _one_frame_gif(size, colour):
    """A GIF of one `colour` frame on a red-and-blue palette, kept unoptimised
    so that its frame's colour indexes mean the same in any other such GIF."""
    frame = Image.new("P", size, [RED, BLUE].index(colour))
    frame.putpalette([*RED, *BLUE])
    return encode([frame], "GIF", duration=100, optimize=False)


def gif_declaring_canvas(width, height):
    """A GIF whose header declares a `width` × `height` canvas around a single
    red pixel: tiny on disk, enormous once decoded."""
    data = bytearray(_one_frame_gif((1, 1), RED))
    data[6:10] = width.to_bytes(2, "little") + height.to_bytes(2, "little")
    return bytes(data)


def gif_reaching_past_canvas(canvas=(40, 30), reach=(60, 50), count=3):
    """A GIF whose first frame fills a red `canvas` and whose later frames, blue,
    reach past it to `reach`. Pillow grows its canvas to decode them; browsers
    crop them to the canvas."""
    first = _one_frame_gif(canvas, RED)
    later = _one_frame_gif(reach, BLUE)
    later_frame = later[later.index(b"!\xf9") : -1]  # from its delay to its end
    return first[:-1] + later_frame * (count - 1) + b";"


def jpeg_bytes_turned(size=(40, 30), orientation=6):
    """A JPEG stored `size` but with an EXIF note to show it turned a quarter."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # the EXIF Orientation tag
    return encode(frames_of(1, size), "JPEG", quality=90, exif=exif)
