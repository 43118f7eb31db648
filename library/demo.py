"""The demo library: reaction GIFs drawn by Pillow, and how the team filed them.

Nothing here touches the database. `LIBRARY` describes every picture and its
place on the shelf; `draw(item)` returns the file's bytes. The load_demo
command puts them on the shelf through the real upload path.

A picture is a stack of layers. A layer is a function `paint(image, t)` that
draws one frame at phase `t` (0 <= t < 1) of the loop; the makers below
(`face`, `confetti`, `pop_text`, ...) each return one.
"""

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

# Pillow draws without antialiasing: draw twice as big, then shrink.
SUPERSAMPLE = 2

INK = (45, 42, 62)
WHITE = (255, 255, 255)
CREAM = (255, 248, 231)
YELLOW = (255, 204, 77)
SKIN_EDGE = (222, 150, 40)
FACE_INK = (102, 69, 0)
BLUSH = (255, 160, 110)
ORANGE = (255, 140, 66)
RED = (235, 87, 87)
PINK = (255, 122, 162)
ROSE = (255, 228, 236)
PURPLE = (140, 102, 220)
LAVENDER = (112, 104, 170)
BLUE = (76, 139, 245)
SLEEVE_EDGE = (60, 90, 160)
SKY = (191, 227, 255)
TEAL = (38, 170, 160)
GREEN = (60, 180, 100)
NAVY = (32, 44, 84)
SLATE = (110, 124, 140)
TEAR = (110, 190, 255)
FESTIVE = (RED, ORANGE, YELLOW, GREEN, BLUE, PURPLE, PINK)
CENTRE = (0.5, 0.5)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    password: str  # published on purpose: these logins exist only in the demo
    does: str


LOGINS = [
    Login("agent", "agent", "agent-demo-pass", "searches the shelf, copies GIFs"),
    Login("curator", "curator", "curator-demo-pass", "uploads and reviews GIFs"),
    Login("curator2", "curator", "curator2-demo-pass", "reviews what curator uploads"),
    Login("lead", "lead", "lead-demo-pass", "appropriateness, retiring, admin"),
]


@dataclass(frozen=True)
class DemoGif:
    filename: str  # its extension picks the format
    title: str
    alt_text: str
    size: tuple[int, int]
    frames: int
    layers: tuple[Callable, ...]
    delay: int = 80  # ms per frame
    hold: int = 0  # ms on the last frame, when it should linger
    loop: int | None = 0  # 0 = forever; None = no loop field (plays once)
    transparent: bool = False
    mood: tuple[str, ...] = ()
    situation: tuple[str, ...] = ()
    unsuitable_for: tuple[str, ...] = ()  # appropriateness tags
    use_when: str = ""
    avoid_when: str = ""
    # The same notes for Russian-speaking agents (empty: they read the English).
    use_when_ru: str = ""
    avoid_when_ru: str = ""
    # Its alt text for them (empty: the English one). The words drawn in the
    # picture stay as drawn; the alt text says what they are.
    alt_text_ru: str = ""
    status: str = "approved"
    uploaded_by: str = "curator"
    reviewed_by: str = "curator2"


def draw(item):
    """The file's bytes, in the format its filename names."""
    frames = render(item.size, item.frames, item.layers, item.transparent)
    return encode(frames, item.filename, item.delay, item.hold, item.loop)


def render(size, count, layers, transparent=False):
    big = (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE)
    mode, background = ("RGBA", (0, 0, 0, 0)) if transparent else ("RGB", WHITE)
    frames = []
    for index in range(count):
        image = Image.new(mode, big, background)
        for paint in layers:
            paint(image, index / count)
        if transparent:
            # Premultiplied alpha keeps transparent edges from turning dark.
            image = image.convert("RGBa").reduce(SUPERSAMPLE).convert("RGBA")
        else:
            image = image.reduce(SUPERSAMPLE)
        frames.append(image)
    return frames


def encode(frames, filename, delay, hold=0, loop=0):
    extension = filename.rsplit(".", 1)[-1].lower()
    format_name, options = {
        "gif": ("GIF", {}),
        "png": ("PNG", {}),
        "webp": ("WEBP", {"quality": 85}),
        "jpg": ("JPEG", {"quality": 88}),
    }[extension]
    if format_name == "GIF":
        frames = one_palette(frames)
    if len(frames) > 1:
        options |= {
            "save_all": True,
            "append_images": frames[1:],
            "duration": [delay] * (len(frames) - 1) + [hold or delay],
        }
        if loop is not None:
            options["loop"] = loop
    buffer = io.BytesIO()
    frames[0].save(buffer, format_name, **options)
    return buffer.getvalue()


def one_palette(frames):
    """Quantise every frame to one palette, so colours do not flicker."""
    sample = frames[:: max(1, len(frames) // 6)]
    width, height = sample[0].size
    sheet = Image.new("RGB", (width, height * len(sample)))
    for index, frame in enumerate(sample):
        sheet.paste(frame, (0, height * index))
    palette = sheet.reduce(2).quantize(255, Image.Quantize.MEDIANCUT)
    return [
        frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames
    ]


# Helpers


def progress(t, start=0.0, end=1.0):
    """How far `t` is through [start, end], clamped to 0..1."""
    return min(1.0, max(0.0, (t - start) / (end - start)))


def ease_in_out(p):
    return 0.5 - 0.5 * math.cos(math.pi * p)


def ease_out_back(p):
    """Overshoots a little before it settles: a pop."""
    return 1 + 2.7 * (p - 1) ** 3 + 1.7 * (p - 1) ** 2


def wave(t, cycles=1, phase=0.0):
    return math.sin(2 * math.pi * (cycles * t + phase))


def mix(a, b, k):
    return tuple(round(x + (y - x) * k) for x, y in zip(a, b, strict=True))


def between(a, b, share):
    return (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)


def circle(x, y, r):
    return [x - r, y - r, x + r, y + r]


def heart_points(x, y, width, steps=48):
    points = []
    for index in range(steps):
        a = 2 * math.pi * index / steps
        hx = 16 * math.sin(a) ** 3
        hy = 13 * math.cos(a) - 5 * math.cos(2 * a) - 2 * math.cos(3 * a)
        hy -= math.cos(4 * a)
        points.append((x + hx * width / 33, y - (hy + 2.5) * width / 33))
    return points


def star_points(x, y, outer, inner, tips=5):
    points = []
    for index in range(tips * 2):
        r = outer if index % 2 == 0 else inner
        a = math.pi * index / tips - math.pi / 2
        points.append((x + r * math.cos(a), y + r * math.sin(a)))
    return points


def capsule(draw, a, b, width, fill, edge=None, edge_width=0):
    """A thick line with round ends, outlined in `edge` if given."""
    strokes = [(edge, width + 2 * edge_width)] if edge else []
    for colour, w in [*strokes, (fill, width)]:
        draw.line([a, b], fill=colour, width=round(w))
        for x, y in (a, b):
            draw.ellipse(circle(x, y, w / 2), fill=colour)


def overlay(image, layer, offset=(0, 0)):
    if image.mode == "RGBA":
        full = Image.new("RGBA", image.size, (0, 0, 0, 0))
        full.paste(layer, offset)
        image.alpha_composite(full)
    else:
        image.paste(layer, offset, layer)


def rotated(image, angle, pivot, paint):
    """Let `paint(draw)` draw on a clear layer, turn it about `pivot`, lay it on."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    paint(ImageDraw.Draw(layer))
    box = layer.getbbox()
    if not box:
        return
    # Turning the whole frame is slow; turn only the square the drawing sweeps.
    corners = [(x, y) for x in box[::2] for y in box[1::2]]
    reach = math.ceil(max(math.dist(pivot, corner) for corner in corners))
    left, top = round(pivot[0]) - reach, round(pivot[1]) - reach
    piece = layer.crop((left, top, left + 2 * reach, top + 2 * reach))
    centre = (pivot[0] - left, pivot[1] - top)
    piece = piece.rotate(angle, Image.Resampling.BILINEAR, center=centre)
    overlay(image, piece, (left, top))


@cache
def font(size):
    return ImageFont.load_default(size=size)


@cache
def fitted_size(text, width, height):
    """The largest font size, up to `height` px, at which `text` fits `width`."""
    size = max(4, int(height))
    while size > 4 and font(size).getlength(text) > width:
        size -= 2
    return size


def write(draw, xy, text, size, colour=WHITE, outline=INK, anchor="mm"):
    draw.text(
        xy,
        text,
        font=font(max(1, round(size))),
        fill=colour,
        anchor=anchor,
        stroke_width=round(size * 0.08) if outline else 0,
        stroke_fill=outline,
    )


class Grid:
    """Draws in units of `unit` pixels around a centre point."""

    def __init__(self, draw, cx, cy, unit):
        self.draw, self.cx, self.cy, self.unit = draw, cx, cy, unit

    @classmethod
    def on(cls, image, at=CENTRE, scale=1.0, draw=None):
        """`scale` is the unit as a share of the image's shorter side."""
        width, height = image.size
        draw = draw or ImageDraw.Draw(image)
        return cls(draw, at[0] * width, at[1] * height, scale * min(width, height))

    def moved(self, dx=0.0, dy=0.0, draw=None):
        x, y = self.xy(dx, dy)
        return type(self)(draw or self.draw, x, y, self.unit)

    def xy(self, x, y):
        return (self.cx + x * self.unit, self.cy + y * self.unit)

    def points(self, *pairs):
        return [self.xy(x, y) for x, y in pairs]

    def box(self, x, y, rx, ry=None):
        ry = rx if ry is None else ry
        return [*self.xy(x - rx, y - ry), *self.xy(x + rx, y + ry)]

    def px(self, k):
        return max(1, round(k * self.unit))

    def disc(self, x, y, r, fill, ry=None, edge=None, edge_width=0.02):
        width = self.px(edge_width) if edge else 0
        self.draw.ellipse(self.box(x, y, r, ry), fill=fill, outline=edge, width=width)

    def shape(self, points, fill, edge=None, edge_width=0.02):
        width = self.px(edge_width) if edge else 0
        self.draw.polygon(self.points(*points), fill=fill, outline=edge, width=width)

    def block(self, x0, y0, x1, y1, radius, fill, edge=None, edge_width=0.025):
        self.draw.rounded_rectangle(
            [*self.xy(x0, y0), *self.xy(x1, y1)],
            radius=self.px(radius),
            fill=fill,
            outline=edge,
            width=self.px(edge_width) if edge else 0,
        )

    def stroke(self, points, fill, width):
        self.draw.line(
            self.points(*points), fill=fill, width=self.px(width), joint="curve"
        )

    def pill(self, a, b, width, fill, edge=None, edge_width=0.025):
        a, b = self.xy(*a), self.xy(*b)
        capsule(self.draw, a, b, self.px(width), fill, edge, self.px(edge_width))


# Backgrounds and timing


def fill(colour):
    def paint(image, t):
        image.paste(colour, (0, 0, *image.size))

    return paint


@cache
def gradient_image(size, top, bottom):
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(
        Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask
    )


def gradient(top, bottom):
    def paint(image, t):
        image.paste(gradient_image(image.size, top, bottom))

    return paint


def bubbles(colour, seed=1, count=7):
    """Soft circles drifting up behind the picture."""
    rng = random.Random(seed)
    spots = [(rng.random(), rng.random(), rng.uniform(0.08, 0.2)) for _ in range(count)]

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        for x, y, r in spots:
            cy = ((y - t) % 1.4 - 0.2) * image.height
            draw.ellipse(circle(x * image.width, cy, r * min(image.size)), fill=colour)

    return paint


def sparkles(colour=WHITE, seed=2, count=6):
    """Four-point stars that twinkle, each on its own beat."""
    rng = random.Random(seed)
    stars = [(rng.random(), rng.random(), rng.random()) for _ in range(count)]

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        for x, y, phase in stars:
            r = max(0.0, wave(t, 1, phase)) * 0.06 * min(image.size)
            if r > 1:
                star = star_points(x * image.width, y * image.height, r, r * 0.3, 4)
                draw.polygon(star, fill=colour)

    return paint


def during(paint_later, start, end=1.0):
    """Paint only between phases `start` and `end`, on a clock of its own."""

    def paint(image, t):
        if start <= t < end:
            paint_later(image, (t - start) / (end - start))

    return paint


# Text


def text_layer(style):
    """Make a text layer maker from `style(draw, text, px, x, y, t, colour,
    outline)`. `size` is the font size as a share of the picture's height,
    shrunk to fit `width`, a share of its width. `colour` may be a tuple of
    colours, one letter each, for styles that draw letter by letter."""

    def make(text, at=CENTRE, size=0.3, width=0.86, colour=WHITE, outline=INK):
        def paint(image, t):
            px = fitted_size(text, width * image.width, size * image.height)
            x, y = at[0] * image.width, at[1] * image.height
            style(ImageDraw.Draw(image), text, px, x, y, t, colour, outline)

        return paint

    make.__doc__ = style.__doc__
    return make


@text_layer
def plain_text(draw, text, px, x, y, t, colour, outline):
    """Text that simply stays, for stills."""
    write(draw, (x, y), text, px, colour, outline)


@text_layer
def pop_text(draw, text, px, x, y, t, colour, outline):
    """Text that pops in with a small overshoot, then stays."""
    scale = ease_out_back(progress(t, 0, 0.3))
    if scale > 0.05:
        write(draw, (x, y), text, px * scale, colour, outline)


@text_layer
def pulsing_text(draw, text, px, x, y, t, colour, outline):
    """Text that beats gently, like a heart."""
    write(draw, (x, y), text, px * (1 + 0.08 * max(0.0, wave(t, 2))), colour, outline)


@text_layer
def shaky_text(draw, text, px, x, y, t, colour, outline):
    """Text that trembles, then calms down."""
    write(draw, (x + wave(t, 3) * (1 - t) * px * 0.25, y), text, px, colour, outline)


@text_layer
def typed_text(draw, text, px, x, y, t, colour, outline):
    """Text typed letter by letter behind a blinking cursor."""
    shown = text[: math.ceil(len(text) * progress(t, 0, 0.7))]
    left = x - font(px).getlength(text) / 2
    write(draw, (left, y), shown, px, colour, outline, anchor="lm")
    if (t * 6) % 1 < 0.5:
        cursor = left + font(px).getlength(shown) + px * 0.08
        draw.rectangle(
            [cursor, y - px * 0.4, cursor + px * 0.08, y + px * 0.4], fill=colour
        )


@text_layer
def wavy_text(draw, text, px, x, y, t, colour, outline):
    """Letters that ride a wave, one after another."""
    colours = colour if isinstance(colour[0], tuple) else [colour]
    left = x - font(px).getlength(text) / 2
    for index, letter in enumerate(text):
        lift = px * 0.12 * wave(t, 1, -index / len(text))
        xy = (left + font(px).getlength(text[:index]), y + lift)
        write(draw, xy, letter, px, colours[index % len(colours)], outline, "lm")


@text_layer
def waiting_text(draw, text, px, x, y, t, colour, outline):
    """Text followed by three dots that hop in turn."""
    gap = px * 0.26
    left = x - (font(px).getlength(text) + gap * 3) / 2
    write(draw, (left, y), text, px, colour, outline, anchor="lm")
    left += font(px).getlength(text) + gap * 0.6
    for index in range(3):
        hop = max(0.0, wave(t, 1, -index / 6)) * px * 0.25
        dot = (left + gap * index, y + px * 0.22 - hop)
        draw.ellipse(circle(*dot, px * 0.12), fill=outline)
        draw.ellipse(circle(*dot, px * 0.08), fill=colour)


# Faces


class Face(Grid):
    """Features placed in units of the face's radius."""

    def eye(self, x, openness=1.0, look=(0.0, 0.0)):
        if openness < 0.25:
            self.pill((x - 0.1, -0.18), (x + 0.1, -0.18), 0.06, FACE_INK)
            return
        x, y = x + look[0], -0.2 + look[1]
        self.disc(x, y, 0.09, FACE_INK, ry=0.14 * openness)
        self.disc(x + 0.03, y - 0.06 * openness, 0.03, WHITE)

    def eyes(self, openness=1.0, look=(0.0, 0.0)):
        for x in (-0.35, 0.35):
            self.eye(x, openness, look)

    def white_eyes(self, look):
        for x in (-0.33, 0.33):
            self.disc(x, -0.2, 0.16, WHITE, ry=0.19, edge=FACE_INK, edge_width=0.04)
            self.disc(x + look[0], -0.2 + look[1], 0.08, FACE_INK)

    def arc(self, x, y, rx, ry, start, end, width=0.07):
        box = self.box(x, y, rx, ry)
        self.draw.arc(box, start, end, fill=FACE_INK, width=self.px(width))

    def happy_eye(self, x):
        self.arc(x, -0.12, 0.13, 0.11, 200, 340)

    def closed_eye(self, x):
        self.arc(x, -0.26, 0.13, 0.09, 20, 160)

    def brow(self, inner, outer):
        self.pill(inner, outer, 0.06, FACE_INK)

    def smile(self, x=0.0, width=0.5):
        self.arc(x, 0.05, width, 0.42, 25, 155)

    def grin(self, openness=1.0):
        self.draw.chord(self.box(0, 0.12, 0.46, 0.4 * openness), 0, 180, fill=FACE_INK)
        self.block(-0.4, 0.12, 0.4, 0.2, 0, WHITE)

    def frown(self):
        self.arc(0, 0.62, 0.32, 0.24, 205, 335)

    def cheeks(self):
        for x in (-0.58, 0.58):
            self.disc(x, 0.2, 0.14, BLUSH, ry=0.09)

    def drop(self, x, y, r, colour=TEAR):
        shoulder = y - r * 0.3
        self.shape([(x - r, shoulder), (x, y - r * 2.3), (x + r, shoulder)], colour)
        self.disc(x, y, r, colour)


def smiling(f, t):
    f.cheeks()
    f.eyes(openness=0.1 if 0.75 <= t < 0.85 else 1.0)
    f.smile()


def laughing(f, t):
    f.cheeks()
    f.happy_eye(-0.35)
    f.happy_eye(0.35)
    f.grin(0.85 + 0.15 * wave(t, 2))


def sad(f, t):
    f.brow((-0.2, -0.55), (-0.52, -0.42))
    f.brow((0.2, -0.55), (0.52, -0.42))
    f.eyes(look=(0.0, 0.04))
    f.frown()
    if t >= 0.15:
        f.drop(0.36, -0.02 + 0.7 * progress(t, 0.15, 0.95), 0.08)


def surprised(f, t):
    for x in (-0.35, 0.35):
        f.arc(x, -0.5, 0.15, 0.1, 200, 340, width=0.06)
    f.eyes(openness=1.25)
    gasp = 0.8 + 0.4 * abs(wave(t))
    f.disc(0, 0.42, 0.13 * gasp, FACE_INK, ry=0.17 * gasp)


def winking(f, t):
    f.cheeks()
    f.eye(-0.35)
    if 0.3 <= t < 0.7:
        f.happy_eye(0.35)
        f.draw.polygon(
            star_points(*f.xy(0.85, -0.62), f.px(0.16), f.px(0.05), 4), fill=WHITE
        )
    else:
        f.eye(0.35)
    f.smile(x=0.06, width=0.46)


def thinking(f, t):
    f.brow((-0.2, -0.48), (-0.5, -0.44))
    f.brow((0.18, -0.62), (0.48, -0.58))
    f.eyes(look=(0.06, -0.06))
    f.pill((-0.2, 0.46), (0.2, 0.38), 0.06, FACE_INK)
    for index, (x, y, r) in enumerate(
        ((0.95, -0.7, 0.08), (1.18, -0.95, 0.12), (1.5, -1.2, 0.2))
    ):
        if t >= 0.15 + 0.2 * index:
            f.disc(x, y, r, WHITE, edge=SLATE, edge_width=0.03)


def nervous(f, t):
    f.brow((-0.2, -0.56), (-0.5, -0.5))
    f.brow((0.2, -0.56), (0.5, -0.5))
    f.eyes()
    f.block(-0.42, 0.26, 0.42, 0.52, 0.08, WHITE, FACE_INK, 0.04)
    f.stroke([(-0.42, 0.39), (0.42, 0.39)], FACE_INK, 0.03)
    for x in (-0.21, 0.0, 0.21):
        f.stroke([(x, 0.26), (x, 0.52)], FACE_INK, 0.03)
    f.drop(0.74, -0.5 + 0.3 * progress(t, 0.1, 0.9), 0.09)


def love(f, t):
    beat = 1 + 0.18 * max(0.0, wave(t, 2))
    for x in (-0.36, 0.36):
        f.draw.polygon(heart_points(*f.xy(x, -0.2), f.unit * 0.42 * beat), fill=RED)
    f.grin(0.75)


def relieved(f, t):
    f.cheeks()
    f.closed_eye(-0.35)
    f.closed_eye(0.35)
    f.smile(width=0.36)
    drying = 1 - progress(t, 0.2, 0.8)  # phew: the sweat dries up
    if drying > 0.1:
        f.drop(0.7, -0.5, 0.09 * drying)


def confused(f, t):
    f.brow((-0.2, -0.46), (-0.5, -0.46))
    f.brow((0.2, -0.66), (0.5, -0.56))
    f.eye(-0.35, openness=0.8)
    f.eye(0.35, openness=1.15)
    f.stroke(
        [(x / 10, 0.42 + 0.05 * math.sin(x * 1.2)) for x in range(-3, 4)],
        FACE_INK,
        0.06,
    )
    write(f.draw, f.xy(1.0, -0.9 + 0.08 * wave(t)), "?", f.unit * 0.9)


def rolling_eyes(f, t):
    a = math.pi * (1 - ease_in_out(progress(t, 0.1, 0.7)))
    f.white_eyes(look=(0.07 * math.cos(a), -0.09 * math.sin(a) - 0.02))
    f.brow((-0.18, -0.5), (-0.5, -0.5))
    f.brow((0.18, -0.5), (0.5, -0.56))
    f.pill((-0.22, 0.44), (0.18, 0.44), 0.06, FACE_INK)


def face(expression, at=CENTRE, radius=0.38):
    """A round yellow face that bobs; `expression(face, t)` draws its features."""

    def paint(image, t):
        f = Face.on(image, at, radius).moved(dy=0.04 * wave(t))
        f.disc(0, 0, 1.0, YELLOW, edge=SKIN_EDGE, edge_width=0.04)
        expression(f, t)

    return paint


# Things


def thumbs_up(at=CENTRE, scale=0.8):
    """A thumbs-up that bounces and rocks."""

    def paint(image, t):
        base = Grid.on(image, at, scale)

        def hand(draw):
            g = base.moved(dy=-0.06 * abs(wave(t)), draw=draw)
            g.block(-0.46, -0.04, -0.24, 0.42, 0.05, BLUE, SLEEVE_EDGE)
            g.block(-0.27, -0.08, 0.12, 0.42, 0.1, YELLOW, SKIN_EDGE)
            g.pill((-0.1, 0.0), (-0.1, -0.34), 0.17, YELLOW, SKIN_EDGE)
            for y in (0.0, 0.125, 0.25, 0.36):
                g.pill((0.02, y), (0.2, y), 0.13, YELLOW, SKIN_EDGE)

        rotated(image, 10 * wave(t), base.xy(-0.2, 0.45), hand)

    return paint


def waving_hand(at=CENTRE, scale=0.8):
    """An open hand waving from the wrist, twice a loop."""

    def paint(image, t):
        base = Grid.on(image, at, scale)
        swing = wave(t, 2)

        def hand(draw):
            g = base.moved(draw=draw)
            for x, top in ((-0.15, -0.22), (-0.05, -0.32), (0.05, -0.3), (0.15, -0.2)):
                g.pill((x, top), (x, 0.05), 0.1, YELLOW, SKIN_EDGE)
            g.pill((-0.17, 0.2), (-0.33, 0.02), 0.11, YELLOW, SKIN_EDGE)
            g.block(-0.2, -0.02, 0.2, 0.36, 0.12, YELLOW, SKIN_EDGE)
            g.block(-0.13, 0.32, 0.13, 0.5, 0.04, BLUE, SLEEVE_EDGE)

        rotated(image, 22 * swing, base.xy(0, 0.45), hand)
        # Motion lines on the side the hand swings away from.
        start = 285 if swing > 0 else 215
        for r in (0.9, 1.02):
            box = base.box(0, 0.45, r)
            base.draw.arc(box, start, start + 40, fill=INK, width=base.px(0.025))

    return paint


def confetti(seed=3, count=60):
    """Paper bits tumbling down, in one seamless loop."""
    rng = random.Random(seed)
    bits = [
        (
            rng.random(),
            rng.random(),
            rng.choice((1, 1, 2)),  # falls through the picture once or twice
            rng.choice(FESTIVE),
            rng.uniform(0.6, 1.1),
            rng.choice((-2, -1, 1, 2)),  # turns a loop
            rng.random(),
        )
        for _ in range(count)
    ]

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        for x, y, speed, colour, size, spin, phase in bits:
            cx = (x + 0.03 * wave(t, speed, phase)) * image.width
            cy = (((y + speed * t) % 1) * 1.2 - 0.1) * image.height
            a = 2 * math.pi * (spin * t + phase)
            # A flat bit seen turning: it narrows and widens as it tumbles.
            w = 0.035 * size * min(image.size)
            h = w * 0.6 * (0.3 + 0.7 * abs(math.cos(a)))
            cos, sin = math.cos(a), math.sin(a)
            corners = ((-w, -h), (w, -h), (w, h), (-w, h))
            turned = [
                (cx + u * cos - v * sin, cy + u * sin + v * cos) for u, v in corners
            ]
            draw.polygon(turned, fill=colour)

    return paint


def fireworks(seed=4, bursts=4, night=NAVY):
    """Bursts of sparks, each on its own beat."""
    rng = random.Random(seed)
    shells = [
        (rng.uniform(0.15, 0.85), rng.uniform(0.2, 0.5), FESTIVE[index], index / bursts)
        for index in range(bursts)
    ]

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        for x, y, colour, phase in shells:
            p = ((t + phase) % 1) / 0.75
            if p >= 1:
                continue
            burst = Grid(draw, x * image.width, y * image.height, min(image.size))
            r = (1 - (1 - p) ** 2) * 0.26
            spark = mix(colour, night, p**2)
            for index in range(14):
                dx, dy = math.cos(index * math.pi / 7), math.sin(index * math.pi / 7)
                burst.stroke(
                    [(dx * r * 0.6, dy * r * 0.6), (dx * r, dy * r)], spark, 0.012
                )
                burst.disc(dx * r, dy * r, 0.013, spark)

    return paint


def hearts_rising(seed=5, count=9, colours=(RED, PINK, (255, 170, 190))):
    """Hearts floating up and swaying."""
    rng = random.Random(seed)
    hearts = [
        (
            rng.random(),
            rng.random(),
            rng.choice(colours),
            rng.uniform(0.08, 0.16),
            rng.choice((1, 1, 2)),
        )
        for _ in range(count)
    ]

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        for x, phase, colour, size, speed in hearts:
            cx = (x + 0.04 * wave(t, speed, phase)) * image.width
            cy = (1.15 - ((phase + speed * t) % 1) * 1.3) * image.height
            draw.polygon(heart_points(cx, cy, size * min(image.size)), fill=colour)

    return paint


def balloons(seed=6, count=6):
    """Balloons on strings, rising past."""
    rng = random.Random(seed)
    flock = [
        (
            (index + rng.uniform(0, 0.8)) / count,
            rng.random(),
            FESTIVE[index],
            rng.uniform(0.11, 0.16),
        )
        for index in range(count)
    ]

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        for x, phase, colour, size in flock:
            cx = (x + 0.03 * wave(t, 1, phase)) * image.width
            cy = (1.3 - ((phase + t) % 1) * 1.75) * image.height
            b = Grid(draw, cx, cy, size * min(image.size))
            string = [(0.12 * wave(k / 8 + t), 1.15 + k * 0.2) for k in range(9)]
            b.stroke(string, SLATE, 0.04)
            b.shape([(0, 1.0), (-0.14, 1.18), (0.14, 1.18)], colour)
            b.disc(0, 0.01, 0.82, colour, ry=1.01)
            b.disc(-0.35, -0.4, 0.16, mix(colour, WHITE, 0.6))

    return paint


def spinner(at=(0.5, 0.42), scale=0.55, colour=BLUE, fade_to=CREAM, dots=12):
    """A ring of dots chasing its head; one step a frame at `dots` frames."""

    def paint(image, t):
        g = Grid.on(image, at, scale)
        head = int(t * dots)
        for index in range(dots):
            age = (head - index) % dots / dots
            a = 2 * math.pi * index / dots - math.pi / 2
            x, y = 0.42 * math.cos(a), 0.42 * math.sin(a)
            g.disc(x, y, 0.08 * (1 - 0.5 * age), mix(colour, fade_to, age * 0.85))

    return paint


def hourglass(at=CENTRE, scale=0.9):
    """Sand runs down, then the glass turns over."""
    sand, glass, wood = (240, 186, 90), (225, 242, 255), (150, 96, 60)

    def bulb(y):  # half the glass's width at height y from the neck
        return 0.035 + 0.21 * math.sin(math.pi / 2 * min(1.0, abs(y) / 0.3))

    def outline(sign, reach):
        steps = [reach * k / 12 for k in range(13)]
        return [(bulb(y), sign * y) for y in steps] + [
            (-bulb(y), sign * y) for y in reversed(steps)
        ]

    def paint(image, t):
        base = Grid.on(image, at, scale)
        left = 1 - progress(t, 0.0, 0.75)  # share of the sand still on top
        heap = 0.3 * (1 - left)
        floor = bulb(0.36)

        def frame(draw):
            g = base.moved(draw=draw)
            for sign in (-1, 1):
                g.shape(outline(sign, 0.37), glass, SLATE, 0.015)
            if left > 0.01:
                g.shape(outline(-1, 0.33 * left), sand)
            if heap > 0.01:
                xs = [floor * k / 20 for k in range(-20, 21)]
                pile = [
                    (x, 0.36 - heap * max(0.0, 1 - abs(x) / floor) ** 0.6) for x in xs
                ]
                g.shape(pile, sand)
            if 0 < left < 1:
                g.stroke([(0, 0), (0, 0.36 - heap)], sand, 0.015)
            for x in (-0.29, 0.27):
                g.block(x, -0.38, x + 0.02, 0.38, 0, wood)
            for y in (-0.44, 0.37):
                g.block(-0.34, y, 0.34, y + 0.07, 0.03, wood)

        turn = 180 * ease_in_out(progress(t, 0.8, 1.0))
        rotated(image, turn, (base.cx, base.cy), frame)

    return paint


def ocean():
    """Sun over rolling waves, with a little boat riding them."""
    swells = (  # height, amplitude, wavelength (share of width), speed, colour
        (0.56, 0.04, 0.9, 1, (130, 196, 236)),
        (0.68, 0.05, 0.6, 2, (70, 150, 214)),
        (0.8, 0.05, 0.45, 3, (40, 110, 184)),
    )

    def surface(swell, x, t):  # as shares of the picture's height and width
        level, amplitude, length, speed, _ = swell
        return level + amplitude * wave(x / length - speed * t)

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        width, height = image.size
        draw.ellipse(
            circle(0.8 * width, 0.26 * height, 0.12 * height), fill=(255, 214, 102)
        )
        for swell in swells:
            crest = [
                (x, height * surface(swell, x / width, t))
                for x in range(0, width + 8, 8)
            ]
            draw.polygon([*crest, (width, height), (0, height)], fill=swell[-1])
            if swell is swells[1]:  # the boat rides the middle swell
                boat = Grid(draw, 0.4 * width, height * surface(swell, 0.4, t), height)
                boat.shape(
                    [(-0.14, -0.05), (0.14, -0.05), (0.1, 0.02), (-0.1, 0.02)], RED
                )
                boat.stroke([(0, -0.05), (0, -0.32)], INK, 0.015)
                boat.shape([(0.01, -0.31), (0.01, -0.08), (0.13, -0.08)], WHITE)

    return paint


def check_mark(at=(0.5, 0.42), scale=0.7, colour=GREEN):
    """A green disc pops up, then a tick is drawn across it."""
    a, b, c = (-0.2, 0.02), (-0.06, 0.16), (0.22, -0.14)

    def paint(image, t):
        g = Grid.on(image, at, scale)
        grow = ease_out_back(progress(t, 0, 0.25))
        if grow > 0.02:
            g.disc(0, 0, 0.45 * grow, colour)
        # The short stroke, then the long one.
        for start, end, share in (
            (a, b, progress(t, 0.25, 0.35)),
            (b, c, progress(t, 0.35, 0.55)),
        ):
            if share > 0:
                g.pill(start, between(start, end, share), 0.09, WHITE)

    return paint


def progress_bar(at=(0.5, 0.6), width=0.76, colour=GREEN):
    """A striped bar filling up to 100%, with the percentage below."""

    def paint(image, t):
        draw = ImageDraw.Draw(image)
        g = Grid(draw, at[0] * image.width, at[1] * image.height, image.height)
        half = width * image.width / g.unit / 2
        done = ease_in_out(progress(t, 0.05, 0.9))
        g.block(-half, -0.09, half, 0.09, 0.09, WHITE, INK, 0.015)
        right = -half + 0.03 + max(0.12, (2 * half - 0.06) * done)
        mask = Image.new("L", image.size, 0)
        g.moved(draw=ImageDraw.Draw(mask)).block(
            -half + 0.03, -0.06, right, 0.06, 0.06, 255
        )
        stripes = Image.new("RGB", image.size, colour)
        lines = g.moved(draw=ImageDraw.Draw(stripes))
        for k in range(int(half * 9) + 2):
            x = -half + (k - 1 + (t * 4) % 1) * 0.24
            lines.shape(
                [(x, 0.06), (x + 0.12, 0.06), (x + 0.24, -0.06), (x + 0.12, -0.06)],
                mix(colour, WHITE, 0.25),
            )
        image.paste(stripes, (0, 0), mask)
        write(g.draw, g.xy(0, 0.22), f"{round(done * 100)}%", g.unit * 0.12, INK, None)

    return paint


def clock(at=CENTRE, scale=0.8):
    """An alarm clock whose minute hand sweeps round once a loop."""

    def paint(image, t):
        g = Grid.on(image, at, scale)
        for x in (-0.3, 0.3):
            g.disc(x, -0.4, 0.13, RED)
            g.pill((x * 0.9, 0.35), (x * 1.2, 0.48), 0.05, INK)
        g.disc(0, 0, 0.46, RED)
        g.disc(0, 0, 0.39, WHITE)
        for hour in range(12):
            dx, dy = math.sin(hour * math.pi / 6), -math.cos(hour * math.pi / 6)
            inner = 0.3 if hour % 3 == 0 else 0.33
            g.stroke([(inner * dx, inner * dy), (0.36 * dx, 0.36 * dy)], INK, 0.025)
        for turns, length, thickness in (
            (10 / 12 + t / 12, 0.2, 0.05),
            (t, 0.3, 0.035),
        ):
            a = 2 * math.pi * turns
            g.pill(
                (0, 0), (length * math.sin(a), -length * math.cos(a)), thickness, INK
            )
        g.disc(0, 0, 0.04, RED)

    return paint


def ladybug(at=CENTRE, scale=0.5):
    """A ladybug walking in from the left; it stops halfway through the loop."""

    def paint(image, t):
        arrived = progress(t, 0, 0.5)
        g = Grid.on(image, at, scale)
        g = g.moved(-(1 - ease_in_out(arrived)) * 0.6 * image.width / g.unit)
        stride = 0.06 * wave(t, 6) if arrived < 1 else 0
        for side in (-1, 1):
            for index, x in enumerate((-0.16, 0.02, 0.2)):
                swing = stride * (1 if index % 2 else -1) * side
                g.stroke(
                    [(x, 0), (x + swing + (index - 1) * 0.08, side * 0.36)], INK, 0.04
                )
            g.stroke([(0.38, side * 0.05), (0.52, side * 0.2)], INK, 0.025)
            g.disc(0.52, side * 0.2, 0.03, INK)
        g.disc(0.3, 0, 0.15, INK)
        g.disc(0, 0, 0.33, RED, ry=0.28, edge=INK, edge_width=0.03)
        g.stroke([(-0.33, 0), (0.33, 0)], INK, 0.025)
        for x, y, r in ((-0.16, 0.13, 0.06), (0.08, 0.15, 0.065), (0.2, 0.07, 0.045)):
            for side in (-1, 1):
                g.disc(x, side * y, r, INK)

    return paint


def stamp(text, at=CENTRE, size=0.22, colour=GREEN, angle=12):
    """A rubber stamp that slams down and stays."""

    def paint(image, t):
        px = fitted_size(text, 0.55 * image.width, size * image.height)
        px *= 1 + 0.8 * (1 - progress(t, 0, 0.2)) ** 2
        x, y = at[0] * image.width, at[1] * image.height
        half = font(round(px)).getlength(text) / 2 + px * 0.3

        def mark(draw):
            box = [x - half, y - px * 0.75, x + half, y + px * 0.75]
            draw.rounded_rectangle(
                box, radius=px * 0.2, outline=colour, width=round(px * 0.12)
            )
            write(draw, (x, y), text, px, colour, colour)

        rotated(image, angle, (x, y), mark)

    return paint


def light_bulb(at=(0.5, 0.45), scale=0.75):
    """A bulb that flickers on and glows."""

    def paint(image, t):
        g = Grid.on(image, at, scale)
        lit = t >= 0.3 and not 0.38 <= t < 0.46
        if lit:
            g.disc(0, -0.12, 0.44, (255, 240, 170))
            rays = g.moved(dy=-0.12)
            for index in range(9):
                a = math.pi * (1 + index / 8)
                dx, dy, r = math.cos(a), math.sin(a), 0.5 + 0.04 * wave(t, 2, index / 9)
                rays.pill((0.34 * dx, 0.34 * dy), (r * dx, r * dy), 0.035, ORANGE)
        glass, edge = (YELLOW, SKIN_EDGE) if lit else ((226, 230, 238), SLATE)
        g.shape([(-0.16, 0.02), (0.16, 0.02), (0.11, 0.2), (-0.11, 0.2)], glass, edge)
        g.disc(0, -0.12, 0.28, glass, edge=edge)
        g.block(-0.145, 0.0, 0.145, 0.06, 0, glass)
        filament = [
            (-0.07, 0.12),
            (-0.05, -0.08),
            (0, -0.02),
            (0.05, -0.08),
            (0.07, 0.12),
        ]
        g.stroke(filament, ORANGE if lit else SLATE, 0.02)
        for index, (half, y) in enumerate(((0.12, 0.2), (0.115, 0.26), (0.1, 0.32))):
            shade = mix(SLATE, WHITE, 0.1 + 0.2 * (index % 2))
            g.block(-half, y, half, y + 0.065, 0.025, shade)

    return paint


def coffee_cup(at=(0.5, 0.5), scale=0.7):
    """A cup with steam curling up from it."""

    def paint(image, t):
        g = Grid.on(image, at, scale)
        for index, x in enumerate((-0.12, 0.0, 0.12)):
            heights = [-0.15 - k * 0.025 for k in range(13)]
            g.stroke(
                [(x + 0.035 * wave(10 * y + t, 1, index / 3), y) for y in heights],
                WHITE,
                0.035,
            )
        g.disc(0, 0.32, 0.44, WHITE, ry=0.07, edge=SLATE, edge_width=0.015)
        g.draw.ellipse(g.box(0.27, 0.1, 0.12, 0.11), outline=TEAL, width=g.px(0.05))
        g.block(-0.28, -0.08, 0.25, 0.32, 0.12, TEAL)
        g.block(-0.28, -0.08, 0.25, 0.1, 0, TEAL)
        g.disc(-0.015, -0.08, 0.265, (110, 70, 40), ry=0.05, edge=mix(TEAL, INK, 0.3))

    return paint


def rocket(at=(0.5, 0.46), scale=0.8, seed=7):
    """A rocket climbing past streaking stars."""
    rng = random.Random(seed)
    stars = [(rng.random(), rng.random(), rng.choice((1, 2))) for _ in range(14)]

    def paint(image, t):
        sky = Grid(ImageDraw.Draw(image), 0, 0, image.height)
        for x, y, speed in stars:
            top = ((y + speed * t) % 1) * 1.2 - 0.1
            x *= image.width / image.height
            sky.stroke(
                [(x, top), (x, top + 0.06 * speed)], mix(NAVY, WHITE, 0.6), 0.006
            )
        g = Grid.on(image, (at[0] + 0.01 * wave(t, 2), at[1]), scale)
        flicker = 0.8 + 0.2 * wave(t, 4)
        g.disc(0, 0.3, 0.08, ORANGE, ry=0.15 * flicker)
        g.disc(0, 0.27, 0.045, YELLOW, ry=0.09 * flicker)
        for side in (-1, 1):
            g.shape([(side * 0.11, 0.0), (side * 0.25, 0.22), (side * 0.11, 0.18)], RED)
        nose = [(0, -0.45), (0.08, -0.37), (0.115, -0.25)]
        body = [*nose, (0.12, 0.2), (-0.12, 0.2), (-0.115, -0.25), (-0.08, -0.37)]
        g.shape(body, WHITE, SLATE, 0.015)
        g.shape([*nose[:2], (0.1, -0.32), (-0.1, -0.32), (-0.08, -0.37)], RED)
        g.disc(0, -0.12, 0.065, SKY, edge=SLATE)
        g.block(-0.12, 0.15, 0.12, 0.2, 0, SLATE)

    return paint


def typing_bubble(at=CENTRE, scale=1.0):
    """A chat bubble with three dots hopping in turn: someone is typing."""

    def paint(image, t):
        g = Grid.on(image, at, scale)
        border = (200, 205, 215)
        g.shape([(-0.36, 0.14), (-0.46, 0.32), (-0.18, 0.17)], WHITE, border)
        g.block(-0.55, -0.24, 0.55, 0.2, 0.2, WHITE, border, 0.02)
        g.shape([(-0.34, 0.17), (-0.42, 0.27), (-0.2, 0.16)], WHITE)
        for index, x in enumerate((-0.22, 0.0, 0.22)):
            hop = max(0.0, wave(t, 1, -index / 5))
            g.disc(x, -0.02 - 0.08 * hop, 0.075, mix((170, 176, 190), INK, hop))

    return paint


def sunrise():
    """A sun rising behind two hills: soft light, made for JPEG."""
    hills = (
        (0.78, 0.05, 1.3, 0.2, (96, 62, 120)),
        (0.87, 0.04, 2.1, 0.0, (56, 38, 84)),
    )

    def paint(image, t):
        width, height = image.size
        sun = (0.5 * width, 0.72 * height)
        glow = Image.new("RGBA", image.size, (0, 0, 0, 0))
        for r, alpha in ((0.45, 40), (0.34, 60), (0.25, 90)):
            ImageDraw.Draw(glow).ellipse(
                circle(*sun, r * height), fill=(255, 226, 150, alpha)
            )
        overlay(image, glow)
        draw = ImageDraw.Draw(image)
        draw.ellipse(circle(*sun, 0.17 * height), fill=(255, 214, 120))
        for level, amplitude, cycles, shift, colour in hills:
            ridge = [
                (x, height * (level + amplitude * wave(x / width, cycles, shift)))
                for x in range(0, width + 8, 8)
            ]
            draw.polygon([*ridge, (width, height), (0, height)], fill=colour)

    return paint


def badge(top_line, bottom_line, colour=TEAL):
    """A round sticker with a scalloped edge and two lines of text."""

    def paint(image, t):
        g = Grid.on(image)
        g.draw.polygon(
            star_points(g.cx, g.cy, g.unit * 0.49, g.unit * 0.44, 20), fill=colour
        )
        g.disc(0, 0, 0.38, WHITE)
        g.draw.ellipse(g.box(0, 0, 0.34), outline=colour, width=g.px(0.015))
        g.draw.polygon(
            star_points(*g.xy(0, -0.22), g.px(0.06), g.px(0.025)), fill=YELLOW
        )
        for line, y, ink in ((top_line, -0.04, colour), (bottom_line, 0.13, INK)):
            size = fitted_size(line, 0.52 * g.unit, 0.15 * g.unit)
            write(g.draw, g.xy(0, y), line, size, ink, None)

    return paint


# The shelf. Uploaded by "curator" and reviewed by "curator2" unless it says
# otherwise: nobody reviews their own upload. Listed newest first.

LIBRARY = [
    DemoGif(
        "thank-you.gif",
        "Thank you!",
        "“Thank you!” in white beats gently on pink as small hearts float up.",
        (320, 180),
        16,
        (
            fill(PINK),
            hearts_rising(seed=11, colours=(ROSE, (255, 170, 196))),
            pulsing_text("Thank you!"),
        ),
        delay=70,
        mood=("Thank you", "Grateful"),
        situation=("Thanks for your patience",),
        use_when="the customer waited patiently or sent a kind word",
        avoid_when="you still owe them the answer",
        use_when_ru="клиент терпеливо ждал или написал доброе слово",
        avoid_when_ru="вы ещё не дали ответ",
        alt_text_ru="Белая надпись «Thank you!» («Спасибо!») мягко пульсирует "
        "на розовом фоне, вверх плывут маленькие сердечки.",
    ),
    DemoGif(
        "on-it.gif",
        "On it!",
        "The words “On it!” pop up in white on blue, with a few twinkling sparkles.",
        (240, 160),
        14,
        (fill(BLUE), sparkles(seed=12), pop_text("On it!", size=0.4)),
        hold=1200,
        mood=("On it",),
        situation=("Working on it",),
        use_when="you have taken the case and will come back with the answer",
        use_when_ru="вы взяли обращение и вернётесь с ответом",
        alt_text_ru="Белая надпись «On it!» («Уже занимаюсь!») выскакивает на "
        "синем фоне, вокруг мерцают искорки.",
    ),
    DemoGif(
        "sorry.gif",
        "Sorry!",
        "“Sorry!” in white trembles on muted purple, then settles. Plays 3 times.",
        (280, 160),
        14,
        (
            fill(LAVENDER),
            bubbles(mix(LAVENDER, WHITE, 0.12), seed=13),
            shaky_text("Sorry!"),
        ),
        delay=60,
        loop=2,
        mood=("Sorry",),
        situation=("Apology",),
        unsuitable_for=("Money question",),
        use_when="you own a small slip and the fix comes in the same message",
        avoid_when="the apology is for lost money or data: say it in words",
        use_when_ru="вы признаёте мелкую оплошность и исправление в том же сообщении",
        avoid_when_ru="извиняетесь за потерянные деньги или данные: скажите словами",
    ),
    DemoGif(
        "welcome.gif",
        "Welcome!",
        "“Welcome!” in white rides a wave, letter by letter, on teal.",
        (360, 180),
        16,
        (fill(TEAL), bubbles(mix(TEAL, WHITE, 0.12), seed=14), wavy_text("Welcome!")),
        mood=("Welcome", "Happy"),
        situation=("Greeting",),
        unsuitable_for=("First contact", "Outage or bug report", "Upset customer"),
        use_when="a customer you already know comes back in a cheerful mood",
        avoid_when="it is the first message to someone new",
    ),
    DemoGif(
        "hang-tight.gif",
        "Hang tight…",
        "The words “Hang tight” on dark blue, followed by three dots hopping in turn.",
        (300, 150),
        12,
        (fill(NAVY), waiting_text("Hang tight", colour=YELLOW)),
        delay=120,
        mood=("On it",),
        situation=("Please hold",),
        use_when="you need a minute or two to check something",
        avoid_when="the wait will be long: give a time instead",
        use_when_ru="вам нужна минута-другая, чтобы что-то проверить",
        avoid_when_ru="ждать придётся долго: лучше назовите срок",
    ),
    DemoGif(
        "fixed-it.gif",
        "Fixed it!",
        "A white tick is drawn on a green disc, then “Fixed it!” appears. Plays once.",
        (240, 240),
        20,
        (
            fill(CREAM),
            check_mark(),
            during(
                pop_text(
                    "Fixed it!", at=(0.5, 0.86), size=0.17, colour=GREEN, outline=WHITE
                ),
                0.55,
            ),
        ),
        delay=60,
        hold=2000,
        loop=None,
        mood=("Celebrating",),
        situation=("Bug fixed", "Problem solved"),
        use_when="the fix is live and you have checked it",
        avoid_when="the fix is not confirmed yet",
        # Rule 7: even once fixed, an outage report gets no celebrating.
        unsuitable_for=("Celebratory",),
    ),
    DemoGif(
        "good-news.gif",
        "Good news!",
        "“Good news!” is typed out in white on a sunny yellow-to-orange background.",
        (320, 160),
        18,
        (gradient(YELLOW, ORANGE), typed_text("Good news!")),
        delay=70,
        hold=1500,
        mood=("Happy",),
        situation=("Good news",),
        unsuitable_for=("Money question", "Outage or bug report", "Upset customer"),
        use_when="a feature shipped or the answer is the one they hoped for",
        avoid_when="the news is about billing",
    ),
    DemoGif(
        "got-it.gif",
        "Got it!",
        "The words “Got it!” pop up in white on green.",
        (200, 120),
        10,
        (fill(GREEN), pop_text("Got it!", size=0.38)),
        delay=90,
        hold=1000,
        mood=("On it", "Neutral"),
        situation=("Working on it",),
        use_when="confirming you understood the request",
    ),
    DemoGif(
        "bye-for-now.gif",
        "Bye for now!",
        "A yellow hand waves on orange beside the words “Bye for now!”.",
        (360, 200),
        12,
        (
            fill(ORANGE),
            waving_hand(at=(0.2, 0.5), scale=0.75),
            wavy_text("Bye for now!", at=(0.62, 0.5), width=0.6),
        ),
        delay=90,
        mood=("Happy",),
        situation=("Goodbye",),
        unsuitable_for=("Formal customer", "Outage or bug report", "Upset customer"),
        use_when="ending a friendly chat that went well",
        avoid_when="the customer left unhappy",
    ),
    DemoGif(
        "hello-there.gif",
        "Hello there!",
        "A yellow hand waves above the words “Hello there!” on light blue.",
        (260, 260),
        16,
        (
            fill(SKY),
            waving_hand(at=(0.5, 0.4), scale=0.6),
            pop_text("Hello there!", at=(0.5, 0.85), size=0.15, outline=BLUE),
        ),
        delay=80,
        mood=("Welcome",),
        situation=("Greeting",),
        # Rules 4 and 7: a cheery wave contrasts an upset or outage report.
        unsuitable_for=(
            "First contact",
            "Formal customer",
            "Outage or bug report",
            "Upset customer",
        ),
        use_when="greeting a regular who writes informally",
        avoid_when="you have never spoken with them before",
    ),
    DemoGif(
        "happy-to-help.png",
        "Happy to help",
        "A round teal sticker with a yellow star and the words “Happy to help”.",
        (220, 220),
        1,
        (badge("HAPPY", "TO HELP"),),
        transparent=True,
        mood=("Happy", "Grateful"),
        situation=("Problem solved", "Goodbye"),
        # Rule 7: even a solved outage gets an apology, not a beaming sticker.
        unsuitable_for=("Outage or bug report", "Upset customer"),
        use_when="the customer thanks you at the end of a solved case",
    ),
    DemoGif(
        "you-rock.gif",
        "You rock!",
        "“You rock!” waves in rainbow letters on purple, with twinkling sparkles.",
        (300, 170),
        16,
        (fill(PURPLE), sparkles(seed=16), wavy_text("You rock!", colour=FESTIVE)),
        mood=("Grateful", "Happy"),
        situation=("Thanks for your patience",),
        unsuitable_for=("Formal customer", "Playful"),
        use_when="a customer went out of their way to help you reproduce a bug",
        status="pending",
        uploaded_by="curator2",
    ),
    DemoGif(
        "great-question.gif",
        "Great question!",
        "A light bulb flickers on and glows above the words “Great question!”.",
        (260, 280),
        16,
        (
            fill(CREAM),
            light_bulb(at=(0.5, 0.4), scale=0.65),
            during(
                pop_text(
                    "Great question!",
                    at=(0.5, 0.88),
                    size=0.12,
                    colour=ORANGE,
                    outline=INK,
                ),
                0.3,
            ),
        ),
        delay=100,
        mood=("Thinking",),
        situation=("Feature request",),
        use_when="a customer suggests an idea worth passing on",
        avoid_when="you cannot say whether it will be built",
        status="pending",
        uploaded_by="curator2",
    ),
    DemoGif(
        "all-set.gif",
        "All set!",
        "The words “All set!” pop up in white on teal, with sparkles around them.",
        (220, 140),
        12,
        (fill(TEAL), sparkles(seed=17, count=8), pop_text("All set!", size=0.36)),
        hold=1500,
        mood=("Celebrating", "Happy"),
        situation=("Problem solved",),
        use_when="everything the customer asked for is done",
        unsuitable_for=("Celebratory",),
    ),
    DemoGif(
        "we-hear-you.gif",
        "We hear you",
        "The words “We hear you” are typed out slowly in white on calm grey-blue.",
        (340, 160),
        20,
        (fill(SLATE), typed_text("We hear you", size=0.26)),
        delay=110,
        hold=2500,
        loop=None,
        mood=("Frustrated", "Angry"),
        situation=("Apology",),
        use_when="a frustrated customer writes informally; answer in the same message",
        avoid_when="the customer is angry: name the feeling in words instead",
        status="pending",
        uploaded_by="curator2",
    ),
    DemoGif(
        "thanks-a-ton.gif",
        "Thanks a ton",
        "“Thanks a ton!” pops up on pink, then flips to a sarcastic “…NOT!”.",
        (300, 160),
        20,
        (
            fill(PINK),
            during(pop_text("Thanks a ton!"), 0, 0.8),
            during(pop_text("…NOT!", colour=YELLOW), 0.8),
        ),
        delay=90,
        mood=("Thank you",),
        situation=("Thanks for your patience",),
        avoid_when="always: the surprise ending turns the thanks sarcastic",
        status="rejected",
        uploaded_by="curator2",
        reviewed_by="curator",
    ),
    DemoGif(
        "welcome-aboard.gif",
        "Welcome aboard (old style)",
        "The words “Welcome aboard!” pop up in white on grey.",
        (300, 150),
        10,
        (fill((150, 150, 160)), pop_text("Welcome aboard!", size=0.22)),
        hold=1500,
        mood=("Welcome",),
        situation=("Greeting",),
        unsuitable_for=("First contact",),
        avoid_when="any chat: “Welcome!” replaced it",
        status="retired",
        reviewed_by="lead",
    ),
    # Faces
    DemoGif(
        "smiling-face.gif",
        "Smiling face",
        "A round yellow face with rosy cheeks smiles, bobs gently and blinks.",
        (200, 200),
        16,
        (fill(SKY), face(smiling)),
        mood=("Happy", "Neutral"),
        situation=("Greeting", "Goodbye"),
        use_when="a light, friendly touch in a relaxed chat",
        # Rules 4 and 7: no smile at an upset customer or a broken product.
        unsuitable_for=("Outage or bug report", "Upset customer"),
        alt_text_ru=(
            "Круглое жёлтое лицо с румяными щеками улыбается, слегка "
            "покачивается и моргает."
        ),
    ),
    DemoGif(
        "laughing-face.gif",
        "Laughing face",
        "A round yellow face laughs, eyes squeezed shut and mouth wide open.",
        (240, 240),
        12,
        (fill((255, 236, 179)), face(laughing)),
        delay=70,
        mood=("Happy",),
        situation=("Goodbye",),
        unsuitable_for=(
            "Upset customer",
            "Outage or bug report",
            "Formal customer",
            "Playful",
        ),
        use_when="the customer made a joke",
        avoid_when="the joke is at anyone's expense",
        alt_text_ru="Круглое жёлтое лицо смеётся, зажмурив глаза и широко открыв рот.",
    ),
    DemoGif(
        "sad-face.gif",
        "Sad face with a tear",
        "A round yellow face frowns, eyebrows worried, as a tear rolls down.",
        (180, 180),
        18,
        (fill((214, 226, 240)), face(sad)),
        delay=90,
        mood=("Sorry", "Frustrated"),
        situation=("Apology",),
        unsuitable_for=("Formal customer",),
        use_when="sharing the customer's disappointment about a small thing",
        avoid_when="it could look like mocking their frustration",
        alt_text_ru=(
            "Круглое жёлтое лицо хмурится, брови встревожены, по щеке катится слеза."
        ),
    ),
    DemoGif(
        "surprised-face.gif",
        "Surprised face",
        "A round yellow face with raised eyebrows gasps, mouth round. Plays 4 times.",
        (160, 160),
        12,
        (fill((255, 220, 200)), face(surprised)),
        loop=3,
        mood=("Happy",),
        situation=("Good news",),
        unsuitable_for=("Outage or bug report", "Upset customer"),
        use_when="reacting to surprisingly good news from the customer",
        alt_text_ru=(
            "Круглое жёлтое лицо с поднятыми бровями ахает, рот буквой «о». "
            "Проигрывается 4 раза."
        ),
    ),
    DemoGif(
        "winking-face.gif",
        "Winking face",
        "A round yellow face smiles and winks; a sparkle flashes by the winking eye.",
        (200, 200),
        14,
        (fill((200, 236, 220)), face(winking)),
        mood=("Happy",),
        situation=("Goodbye", "Problem solved"),
        unsuitable_for=(
            "Formal customer",
            "Playful",
            "Outage or bug report",
            "Upset customer",
        ),
        use_when="the customer jokes and you share the joke",
        avoid_when="you have not read the customer's tone yet",
        alt_text_ru=(
            "Круглое жёлтое лицо улыбается и подмигивает; у подмигивающего "
            "глаза вспыхивает искорка."
        ),
    ),
    DemoGif(
        "thinking-face.gif",
        "Thinking face",
        "A round yellow face looks up, one eyebrow raised, as thought bubbles appear.",
        (320, 240),
        20,
        (fill(SKY), face(thinking, at=(0.38, 0.6), radius=0.34)),
        delay=100,
        hold=1200,
        mood=("Thinking",),
        situation=("Please hold", "Working on it"),
        use_when="you need a moment to look into something",
        avoid_when="the customer is in a hurry",
        alt_text_ru=(
            "Круглое жёлтое лицо смотрит вверх, подняв бровь, и появляются "
            "облачка мыслей."
        ),
    ),
    DemoGif(
        "nervous-grin.gif",
        "Nervous grin (oops)",
        "A round yellow face grins nervously, teeth clenched, a bead of sweat sliding.",
        (220, 220),
        16,
        (fill((255, 236, 214)), face(nervous)),
        mood=("Sorry",),
        situation=("Apology",),
        unsuitable_for=(
            "Outage or bug report",
            "Money question",
            "Upset customer",
            "Playful",
        ),
        use_when="owning a harmless slip, like a typo, with a relaxed customer",
        avoid_when="the mistake cost the customer anything",
        alt_text_ru=(
            "Круглое жёлтое лицо нервно улыбается сквозь сжатые зубы, по лбу "
            "стекает капля пота."
        ),
    ),
    DemoGif(
        "heart-eyes.gif",
        "Heart eyes",
        "A round yellow face grins with beating red hearts for eyes.",
        (200, 200),
        12,
        (fill(ROSE), face(love)),
        delay=90,
        mood=("Grateful", "Happy"),
        situation=("Thanks for your patience",),
        unsuitable_for=(
            "Formal customer",
            "First contact",
            "Playful",
            "Outage or bug report",
            "Upset customer",
        ),
        use_when="a regular sends warm praise",
        alt_text_ru=(
            "Круглое жёлтое лицо улыбается, вместо глаз бьются красные сердечки."
        ),
    ),
    DemoGif(
        "relieved-face.gif",
        "Relieved face (phew)",
        "A round yellow face smiles softly, eyes closed, as its bead of sweat dries.",
        (180, 180),
        14,
        (fill((220, 240, 214)), face(relieved)),
        delay=100,
        mood=("Happy",),
        situation=("Problem solved",),
        use_when="a tricky case finally worked out",
        status="pending",
        alt_text_ru=(
            "Круглое жёлтое лицо мягко улыбается с закрытыми глазами, капля "
            "пота высыхает."
        ),
    ),
    DemoGif(
        "confused-face.gif",
        "Confused face",
        "A round yellow face, one eyebrow up and mouth wobbly, beside a bobbing “?”.",
        (240, 240),
        12,
        (fill((235, 228, 250)), face(confused, at=(0.45, 0.56), radius=0.34)),
        delay=100,
        mood=("Confused",),
        situation=("Working on it",),
        use_when="you are about to ask a clarifying question",
        avoid_when="the confusion is about money",
        status="pending",
        uploaded_by="curator2",
    ),
    DemoGif(
        "eye-roll.gif",
        "Eye roll",
        "A round yellow face rolls its eyes up and over, mouth flat.",
        (200, 200),
        16,
        (fill((240, 240, 240)), face(rolling_eyes)),
        mood=("Frustrated",),
        situation=("Please hold",),
        avoid_when="always: it reads as mocking the customer",
        status="rejected",
        alt_text_ru="Круглое жёлтое лицо закатывает глаза, рот ровной линией.",
    ),
    # Other pictures
    DemoGif(
        "hooray-confetti.gif",
        "Hooray! (confetti)",
        "Bright confetti tumbles down dark blue behind the word “Hooray!”.",
        (360, 220),
        20,
        (fill(NAVY), confetti(), pop_text("Hooray!", size=0.3, outline=NAVY)),
        delay=60,
        mood=("Celebrating",),
        situation=("Problem solved", "Good news"),
        unsuitable_for=("Outage or bug report", "Money question", "Celebratory"),
        use_when="a long case ended well and the customer is pleased",
        avoid_when="anything is still broken",
    ),
    DemoGif(
        "one-moment.gif",
        "One moment… (spinner)",
        "A ring of blue dots spins above the words “One moment…”.",
        (160, 160),
        12,
        (
            fill(CREAM),
            spinner(),
            pop_text(
                "One moment…", at=(0.5, 0.86), size=0.13, colour=INK, outline=None
            ),
        ),
        delay=60,
        mood=("On it", "Neutral"),
        situation=("Please hold", "Working on it"),
        use_when="you will answer within a minute",
    ),
    DemoGif(
        "hourglass.gif",
        "Hourglass",
        "Sand runs through an hourglass on light blue, then the glass turns over.",
        (160, 220),
        24,
        (fill(SKY), hourglass()),
        delay=90,
        mood=("On it",),
        situation=("Please hold", "Thanks for your patience"),
        use_when="a check will take a few minutes",
        avoid_when="the customer is already tired of waiting",
        alt_text_ru=(
            "На голубом фоне сыплется песок в песочных часах, потом часы "
            "переворачиваются."
        ),
    ),
    DemoGif(
        "floating-hearts.gif",
        "Floating hearts",
        "Red and pink hearts float up and sway on a soft pink background.",
        (240, 240),
        20,
        (fill(ROSE), hearts_rising()),
        mood=("Grateful",),
        situation=("Thanks for your patience",),
        unsuitable_for=(
            "Formal customer",
            "Money question",
            "Outage or bug report",
            "Upset customer",
        ),
        use_when="returning the warmth of a customer who thanked you",
        alt_text_ru=(
            "Красные и розовые сердечки поднимаются и покачиваются на "
            "нежно-розовом фоне."
        ),
    ),
    DemoGif(
        "thumbs-up.gif",
        "Thumbs up",
        "A yellow thumbs-up in a blue sleeve bounces and rocks on cream.",
        (200, 200),
        12,
        (fill(CREAM), thumbs_up()),
        delay=70,
        mood=("Happy", "Neutral", "On it"),
        situation=("Problem solved", "Working on it"),
        unsuitable_for=("Formal customer", "Outage or bug report", "Upset customer"),
        use_when="confirming, in a relaxed chat, that something is done or agreed",
        alt_text_ru=(
            "Жёлтый большой палец вверх в синем рукаве подпрыгивает и "
            "покачивается на кремовом фоне."
        ),
    ),
    DemoGif(
        "calm-waves.gif",
        "Calm waves",
        "Gentle waves roll under a yellow sun, a small red boat riding them.",
        (480, 200),
        20,
        (gradient((150, 210, 255), (225, 242, 255)), ocean()),
        delay=100,
        mood=("Neutral",),
        situation=("Please hold",),
        use_when="a long wait needs a calm note alongside the time estimate",
        status="pending",
        alt_text_ru=(
            "Под жёлтым солнцем катятся мягкие волны, на них покачивается "
            "красная лодочка."
        ),
    ),
    DemoGif(
        "working-on-it.gif",
        "Working on it (progress bar)",
        "A green striped bar fills from 0% to 100% under the words “Working on it”.",
        (360, 160),
        24,
        (
            fill(CREAM),
            typed_text(
                "Working on it", at=(0.5, 0.26), size=0.18, colour=INK, outline=None
            ),
            progress_bar(at=(0.5, 0.56)),
        ),
        hold=1500,
        mood=("On it",),
        situation=("Working on it",),
        use_when="the fix is under way and you will report back",
        avoid_when="you have no real progress to report",
    ),
    DemoGif(
        "ticking-clock.gif",
        "Ticking clock",
        "A red alarm clock on cream; its minute hand sweeps round.",
        (200, 200),
        12,
        (fill(CREAM), clock()),
        delay=125,
        mood=("Neutral",),
        situation=("Please hold",),
        use_when="asking the customer to wait a few minutes",
        avoid_when="the wait is long: give a time in words",
        alt_text_ru=(
            "Красный будильник на кремовом фоне; минутная стрелка идёт по кругу."
        ),
    ),
    DemoGif(
        "bug-fixed.gif",
        "Bug fixed (ladybug)",
        "A ladybug walks in and stops; a green “FIXED” stamp lands by it. Plays once.",
        (320, 200),
        20,
        (
            fill((236, 246, 232)),
            ladybug(at=(0.3, 0.5), scale=0.55),
            during(stamp("FIXED", at=(0.68, 0.5)), 0.55),
        ),
        delay=70,
        hold=1800,
        loop=None,
        mood=("Celebrating",),
        situation=("Bug fixed",),
        use_when="confirming that the bug the customer reported is fixed",
        avoid_when="the fix is not deployed yet",
        unsuitable_for=("Celebratory",),
    ),
    DemoGif(
        "brewing.gif",
        "Brewing your answer",
        "A teal coffee cup steams on cream above the words “Brewing your answer…”.",
        (280, 220),
        16,
        (
            fill(CREAM),
            coffee_cup(at=(0.5, 0.5), scale=0.7),
            pop_text(
                "Brewing your answer…",
                at=(0.5, 0.88),
                size=0.11,
                colour=TEAL,
                outline=None,
            ),
        ),
        delay=90,
        mood=("On it", "Thinking"),
        situation=("Working on it", "Please hold"),
        unsuitable_for=("Upset customer",),
        use_when="a friendly customer waits for a longer answer",
    ),
    DemoGif(
        "shipped.gif",
        "Shipped! (rocket)",
        "A white and red rocket climbs past streaking stars on dark blue.",
        (240, 320),
        16,
        (fill(NAVY), rocket()),
        delay=60,
        mood=("Celebrating",),
        situation=("Good news", "Feature request"),
        unsuitable_for=("Outage or bug report", "Celebratory"),
        use_when="a feature the customer asked for has shipped",
        status="pending",
        uploaded_by="curator2",
    ),
    DemoGif(
        "woohoo-fireworks.gif",
        "Woohoo! (fireworks)",
        "Fireworks burst in bright colours over a night sky behind the word “Woohoo!”.",
        (360, 240),
        20,
        (
            gradient(NAVY, (70, 60, 120)),
            fireworks(),
            sparkles(seed=18, count=10),
            pop_text("Woohoo!", at=(0.5, 0.78), size=0.22, outline=NAVY),
        ),
        delay=80,
        mood=("Celebrating",),
        situation=("Problem solved",),
        unsuitable_for=(
            "Outage or bug report",
            "Money question",
            "Upset customer",
            "Celebratory",
        ),
        use_when="celebrating a big win together with a happy customer",
        uploaded_by="curator2",
        reviewed_by="curator",
    ),
    DemoGif(
        "typing.png",
        "Typing… (animated PNG)",
        "A white chat bubble, three grey dots hopping in turn, on a clear background.",
        (180, 120),
        12,
        (typing_bubble(),),
        delay=110,
        transparent=True,
        mood=("On it",),
        situation=("Working on it", "Please hold"),
        use_when="you are writing a longer answer",
        use_when_ru="вы пишете длинный ответ",
        uploaded_by="curator2",
        reviewed_by="curator",
    ),
    DemoGif(
        "good-morning.jpg",
        "Good morning (sunrise)",
        "A sun rises between purple hills under a violet sky: “Good morning!”.",
        (480, 320),
        1,
        (
            gradient((96, 72, 164), (255, 170, 110)),
            sunrise(),
            plain_text(
                "Good morning!", at=(0.5, 0.3), size=0.14, outline=(96, 72, 164)
            ),
        ),
        mood=("Happy",),
        situation=("Greeting",),
        unsuitable_for=(
            "First contact",
            "Formal customer",
            "Outage or bug report",
            "Upset customer",
        ),
        use_when="opening the day's first chat with a regular",
        uploaded_by="curator2",
        reviewed_by="curator",
    ),
    DemoGif(
        "congrats-balloons.webp",
        "Congrats! (balloons)",
        "Colourful balloons rise past the word “Congrats!” on light blue.",
        (280, 280),
        18,
        (
            gradient(SKY, (236, 246, 255)),
            balloons(),
            pop_text("Congrats!", size=0.16, outline=BLUE),
        ),
        mood=("Celebrating",),
        situation=("Good news", "Problem solved"),
        unsuitable_for=("Outage or bug report", "Money question", "Celebratory"),
        use_when="the customer shares a milestone of their own",
        uploaded_by="curator2",
        reviewed_by="curator",
    ),
    DemoGif(
        "waving-hand.gif",
        "Waving hand",
        "A yellow hand in a blue sleeve waves from the wrist on light blue.",
        (160, 160),
        16,
        (fill(SKY), waving_hand()),
        delay=70,
        mood=("Welcome",),
        situation=("Greeting", "Goodbye"),
        unsuitable_for=("First contact", "Outage or bug report", "Upset customer"),
        use_when="saying hello or goodbye to a customer who chats informally",
        alt_text_ru="Жёлтая рука в синем рукаве машет на голубом фоне.",
    ),
]
