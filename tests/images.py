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


def gif_played_once(count=3, size=(64, 48), duration=600):
    """A GIF without a NETSCAPE loop block: browsers play it once and leave
    its last frame showing. Its frames are `frames_of(count, size)`."""
    return encode(frames_of(count, size), "GIF", duration=duration)


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


# --- Flash vectors and realistic animations (flash risk, near-duplicates) ----

BLACK = (0, 0, 0)
WHITE = (255, 255, 255)
SATURATED_RED = (255, 0, 0)


def solid(colour, size=(128, 128)):
    return Image.new("RGB", size, colour)


def patch_frame(colour, cells, size=(128, 128), background=(128, 128, 128)):
    """A `background` frame with a `colour` patch in its top-left corner.

    `cells` is the patch's (columns, rows) in the flash check's 16 × 16 grid,
    so that the share of the frame it covers is exact: (8, 8) is a quarter.
    """
    frame = solid(background, size)
    cell_width, cell_height = size[0] // 16, size[1] // 16
    columns, rows = cells
    ImageDraw.Draw(frame).rectangle(
        [0, 0, columns * cell_width - 1, rows * cell_height - 1], fill=colour
    )
    return frame


def alternating(first, second, count=2):
    """`count` frames, taking turns between the frames `first` and `second`."""
    return [first if index % 2 == 0 else second for index in range(count)]


def _gradient(size, top_left, bottom_right):
    import numpy as np  # (imports here keep this file's additions append-only)

    width, height = size
    ramp = (
        np.linspace(0, 1, width)[None, :] * 0.6
        + np.linspace(0, 1, height)[:, None] * 0.4
    )[..., None]
    start, end = np.array(top_left, float), np.array(bottom_right, float)
    pixels = start + (end - start) * ramp
    return Image.fromarray(pixels.round().astype(np.uint8), "RGB")


CAPTIONS = ["thank you!", "on it", "oh no", "wow", "sorry!", "welcome", "nope", "yes!"]


def scene_frames(count=16, size=(200, 150), seed=0):
    """`count` frames of a small cartoon, the way a reaction GIF looks: a
    gradient backdrop, a ball that travels across it, a bar that swings the
    other way, and a caption that types itself out. Every `seed` draws a
    different cartoon (colours, paths, caption); every frame differs visibly
    from the others.
    """
    import math
    import random

    from PIL import ImageFont

    rng = random.Random(seed)
    width, height = size

    def colour():
        return tuple(rng.randrange(256) for _ in range(3))

    backdrop = _gradient(size, colour(), colour())
    ball_colour, bar_colour, text_colour = colour(), colour(), colour()
    radius = height * rng.uniform(0.18, 0.3)
    start_x, start_y = rng.uniform(0.1, 0.3), rng.uniform(0.2, 0.8)
    direction = rng.choice([-1, 1])
    caption = rng.choice(CAPTIONS)
    font = ImageFont.load_default(size=max(10, height // 7))
    frames = []
    for index in range(count):
        progress = index / count
        frame = backdrop.copy()
        draw = ImageDraw.Draw(frame)
        x = width * (start_x + 0.6 * progress)
        y = height * (start_y + direction * 0.25 * math.sin(2 * math.pi * progress))
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=ball_colour)
        bar_x = width * (0.9 - 0.7 * progress)
        draw.rectangle(
            [bar_x - width * 0.06, height * 0.05, bar_x, height * 0.6], fill=bar_colour
        )
        shown = caption[: round(len(caption) * (index + 1) / count)]
        draw.text((width * 0.05, height * 0.78), shown, fill=text_colour, font=font)
        frames.append(frame)
    return frames


def decoded_frames(data):
    """The frames of an animation's bytes as RGB pictures, in order."""
    with Image.open(io.BytesIO(data)) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(image.convert("RGB"))
        return frames


def resized(frames, scale):
    return [
        frame.resize(
            (round(frame.width * scale), round(frame.height * scale)),
            Image.Resampling.LANCZOS,
        )
        for frame in frames
    ]


def requantised(frames, colours=32):
    """Frames squeezed into a small palette with dithering, as a re-export
    from another tool does: every pixel value may change."""
    squeezed = []
    for frame in frames:
        palette = frame.quantize(colours, method=Image.Quantize.FASTOCTREE)
        dithered = frame.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
        squeezed.append(dithered.convert("RGB"))
    return squeezed


def loop_shifted(frames, by):
    return frames[by:] + frames[:by]


SHAPES = ("circle", "square", "triangle", "diamond", "ring", "cross", "bar")


def small_shape(kind, radius, colour, background, size=(320, 240), centre=None):
    """One of SHAPES, `radius` pixels from its centre to its edge, on a plain
    background: a frame the 8 × 8 lowest frequencies see only as a blob."""
    frame = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(frame)
    x, y = centre or (size[0] / 2, size[1] / 2)
    r, thin = radius, max(2, radius // 4)
    box = [x - r, y - r, x + r, y + r]
    if kind == "circle":
        draw.ellipse(box, fill=colour)
    elif kind == "square":
        draw.rectangle(box, fill=colour)
    elif kind == "triangle":
        draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=colour)
    elif kind == "diamond":
        draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=colour)
    elif kind == "ring":
        draw.ellipse(box, outline=colour, width=thin)
    elif kind == "cross":
        draw.rectangle([x - r, y - thin, x + r, y + thin], fill=colour)
        draw.rectangle([x - thin, y - r, x + thin, y + r], fill=colour)
    elif kind == "bar":
        draw.rectangle([x - r, y - r // 3, x + r, y + r // 3], fill=colour)
    else:
        raise ValueError(kind)
    return frame


# Seven unrelated small figures: each its own shape, colour and background.
FIGURE_COLOURS = [
    ((200, 30, 30), (255, 255, 255)),
    ((20, 20, 20), (128, 128, 128)),
    ((30, 90, 200), (240, 240, 230)),
    ((240, 200, 40), (20, 20, 40)),
    ((40, 160, 60), (200, 220, 255)),
    ((120, 40, 160), (255, 255, 255)),
    ((255, 140, 0), (90, 90, 90)),
]


def small_figures(radius, size=(320, 240)):
    """One frame of each of SHAPES, in FIGURE_COLOURS, in the middle."""
    return [
        small_shape(kind, radius, colour, background, size)
        for kind, (colour, background) in zip(SHAPES, FIGURE_COLOURS, strict=True)
    ]


def word_card(word, size=(320, 240), letters=24, ink=(20, 20, 20)):
    """A short word in `letters`-pixel type, centred on a plain card."""
    from PIL import ImageFont

    card = Image.new("RGB", size, (250, 245, 230))
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=letters)
    width = draw.textlength(word, font=font)
    place = ((size[0] - width) / 2, (size[1] - letters) / 2)
    draw.text(place, word, fill=ink, font=font)
    return card


def tiny_image(rng, side=2):
    """A `side` × `side` picture of random colours."""
    frame = Image.new("RGB", (side, side))
    frame.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(side**2)])
    return frame


def moving_figure(count=12, radius=14, size=(320, 240), seed=0):
    """A small ball crossing a plain background: a low-detail animation."""
    import random

    rng = random.Random(seed)
    colour = tuple(rng.randrange(256) for _ in range(3))
    background = tuple(rng.randrange(256) for _ in range(3))
    frames = []
    for index in range(count):
        x = size[0] * (0.2 + 0.6 * index / count)
        y = size[1] * (0.5 + 0.2 * ((index % 4) - 1.5) / 1.5)
        frames.append(small_shape("circle", radius, colour, background, size, (x, y)))
    return frames
