"""Calibrate the near-duplicate rule on animations drawn here.

Draws varied animations (cartoons, camera pans over photo-like scenes,
talking heads, captioned stills), makes the copies people actually upload
(resized, re-quantised, WebP, loop-shifted, trimmed, cropped, brightened)
and unrelated pairs, hashes every one through imaging.analyse, and prints:

- how far each frame of a copy is from the nearest frame of its original,
  against the same figure for unrelated animations;
- the share of frames that match (the smaller of the two directions, which
  is what are_near_duplicates compares with NEAR_DUPLICATE_SHARE), per kind
  of copy;
- what other thresholds would catch and wrongly catch;
- unrelated low-detail frames (small figures on plain backgrounds, short
  words on a card, random 2 × 2 images): how many pairs the rule finds with
  the detail hashes and without them (perceptual hashes alone, as before).

Run from the project folder: .venv/bin/python bench/calibrate_duplicates.py
"""

import itertools
import random
import statistics
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from library import imaging
from tests import images

LIMITS = imaging.Limits(10**9, 10**9, 10**6, 10**12)
SIZES = [(200, 150), (240, 180), (320, 240), (180, 180), (160, 240), (300, 170)]


# --- Drawing ------------------------------------------------------------------


def photo(size, rng):
    """A photo-like picture: smooth colour fields with soft shapes in them."""
    width, height = size
    noise = np.array([[rng.random() for _ in range(3 * 6 * 5)]]).reshape(5, 6, 3)
    base = Image.fromarray((noise * 255).astype(np.uint8), "RGB").resize(
        size, Image.Resampling.BICUBIC
    )
    draw = ImageDraw.Draw(base)
    for _ in range(12):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(0.03, 0.18) * min(size)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape([x - radius, y - radius, x + radius, y + radius * 1.4], fill=colour)
    return base.filter(ImageFilter.GaussianBlur(min(size) / 150))


def cartoon(seed, count, size):
    return images.scene_frames(count=count, size=size, seed=seed)


def pan(seed, count, size, scene_seed=None):
    """A camera panning and zooming slowly across a photo-like scene."""
    rng = random.Random(seed)
    scene_rng = random.Random(seed if scene_seed is None else scene_seed)
    width, height = size
    scene = photo((width * 2, height * 2), scene_rng)
    start = (rng.uniform(0, 0.5) * width, rng.uniform(0, 0.5) * height)
    end = (rng.uniform(0.3, 0.8) * width, rng.uniform(0.3, 0.8) * height)
    zoom = rng.uniform(0.8, 1.2)
    frames = []
    for index in range(count):
        t = index / max(1, count - 1)
        scale = 1 + (zoom - 1) * t
        x = start[0] + (end[0] - start[0]) * t
        y = start[1] + (end[1] - start[1]) * t
        box = (x, y, x + width * scale, y + height * scale)
        frames.append(scene.resize(size, Image.Resampling.BILINEAR, box=box))
    return frames


def talking_head(seed, count, size, template=None):
    """A face over a fixed backdrop that bobs, blinks, talks and waves.

    Two heads with the same `template` share backdrop, face and place; only
    the movement (from `seed`) differs: the same meme template, twice.
    """
    rng = random.Random(seed)
    look = random.Random(seed if template is None else template * 7919)
    width, height = size
    backdrop = photo(size, look).filter(ImageFilter.GaussianBlur(3))
    skin = tuple(look.randrange(120, 256) for _ in range(3))
    shirt = tuple(look.randrange(256) for _ in range(3))
    centre_x = width * look.uniform(0.35, 0.65)
    head = min(size) * 0.22
    blink = set(rng.sample(range(count), max(1, count // 5)))
    phase, speed = rng.uniform(0, 6.3), rng.uniform(1, 3)
    frames = []
    for index in range(count):
        frame = backdrop.copy()
        draw = ImageDraw.Draw(frame)
        bob = head * 0.25 * np.sin(phase + index * speed)
        cy = height * 0.45 + bob
        draw.rectangle(
            [centre_x - head * 1.6, cy + head * 0.9, centre_x + head * 1.6, height],
            fill=shirt,
        )
        wave = np.sin(phase * 2 + index * speed * 1.3)
        arm_x = centre_x + head * 1.8
        draw.line(
            [(arm_x, cy + head * 1.2), (arm_x + head * wave, cy - head * 0.8)],
            fill=skin,
            width=max(3, round(head * 0.4)),
        )
        draw.ellipse(
            [centre_x - head, cy - head * 1.2, centre_x + head, cy + head * 1.0],
            fill=skin,
        )
        eye = head * (0.04 if index in blink else 0.18)
        for side in (-1, 1):
            ex = centre_x + side * head * 0.4
            draw.ellipse(
                [
                    ex - head * 0.18,
                    cy - head * 0.35 - eye,
                    ex + head * 0.18,
                    cy - head * 0.35 + eye,
                ],
                fill=(30, 30, 30),
            )
        mouth = head * 0.35 * abs(np.sin(phase + index * speed * 2))
        draw.ellipse(
            [
                centre_x - head * 0.4,
                cy + head * 0.35 - mouth / 2,
                centre_x + head * 0.4,
                cy + head * 0.35 + mouth / 2 + 2,
            ],
            fill=(120, 20, 30),
        )
        frames.append(frame)
    return frames


def captioned(seed, count, size, picture_seed=None):
    """A still photo with subtitles appearing word by word: little motion."""
    rng = random.Random(seed)
    width, height = size
    picture = photo(size, random.Random(seed if picture_seed is None else picture_seed))
    words = " ".join(rng.choice(images.CAPTIONS) for _ in range(4)).split()
    font = ImageFont.load_default(size=max(12, height // 8))
    frames = []
    for index in range(count):
        frame = picture.copy()
        draw = ImageDraw.Draw(frame)
        shown = " ".join(words[: 1 + index * len(words) // count])
        draw.rectangle([0, height * 0.78, width, height], fill=(0, 0, 0))
        draw.text((width * 0.04, height * 0.8), shown, fill=(255, 255, 0), font=font)
        frames.append(frame)
    return frames


STYLES = {
    "cartoon": cartoon,
    "pan": pan,
    "talking head": talking_head,
    "captioned still": captioned,
}
PER_STYLE = 8


def originals():
    """(name, frames) of every original animation, all different drawings."""
    drawn = []
    for style_number, (style, draw) in enumerate(STYLES.items()):
        for number in range(PER_STYLE):
            seed = 1000 * style_number + number
            rng = random.Random(seed)
            count = rng.randrange(12, 21)
            size = rng.choice(SIZES)
            drawn.append((f"{style} {number}", draw(seed, count, size)))
    return drawn


def look_alikes():
    """Pairs that are not copies but look alike: same template or scene,
    different movement or caption."""
    pairs = []
    for number in range(6):
        size, count = SIZES[number], 16
        pairs.append(
            (
                "same face template, other movement",
                talking_head(500 + number, count, size, template=number),
                talking_head(600 + number, count, size, template=number),
            )
        )
        pairs.append(
            (
                "same picture, other caption",
                captioned(700 + number, count, size, picture_seed=number),
                captioned(800 + number, count, size, picture_seed=number),
            )
        )
        pairs.append(
            (
                "same scene, other camera move",
                pan(900 + number, count, size, scene_seed=number),
                pan(950 + number, count, size, scene_seed=number),
            )
        )
    return pairs


# --- Copies -------------------------------------------------------------------


def gif(frames, duration=80):
    # Pillow's own quantiser (median cut) takes seconds on a photo-like frame;
    # the octree one is what many GIF tools use anyway.
    paletted = [
        frame.quantize(256, method=Image.Quantize.FASTOCTREE) for frame in frames
    ]
    return images.encode(paletted, "GIF", duration=duration, loop=0)


def webp(frames, quality):
    return images.encode(frames, "WEBP", duration=80, loop=0, quality=quality)


def trimmed(frames, share):
    """Drop `share` of the frames, split between the start and the end."""
    drop = round(len(frames) * share)
    head = drop // 2
    return frames[head : len(frames) - (drop - head)]


def cropped(frames, share):
    """Cut `share` of the width and of the height, split evenly on both sides."""
    out = []
    for frame in frames:
        dx, dy = frame.width * share / 2, frame.height * share / 2
        out.append(frame.crop((dx, dy, frame.width - dx, frame.height - dy)))
    return out


def brightened(frames, factor):
    return [ImageEnhance.Brightness(frame).enhance(factor) for frame in frames]


def mirrored(frames):
    return [frame.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for frame in frames]


def quantised(frames, colours):
    return gif(images.requantised(frames, colours))


# (name, expected to be caught, bytes of the copy from the original's frames)
COPIES = [
    ("resized 80%", True, lambda f: gif(images.resized(f, 0.8))),
    ("resized 65%", True, lambda f: gif(images.resized(f, 0.65))),
    ("resized 50%", True, lambda f: gif(images.resized(f, 0.5))),
    ("re-quantised 64 colours", True, lambda f: quantised(f, 64)),
    ("re-quantised 32 colours", True, lambda f: quantised(f, 32)),
    ("re-quantised 16 colours", True, lambda f: quantised(f, 16)),
    ("WebP lossy q75", True, lambda f: webp(f, 75)),
    ("WebP lossy q40", True, lambda f: webp(f, 40)),
    ("WebP q50 of a 60% resize", True, lambda f: webp(images.resized(f, 0.6), 50)),
    (
        "loop shifted by a third",
        True,
        lambda f: gif(images.loop_shifted(f, len(f) // 3)),
    ),
    ("trimmed 10%", True, lambda f: gif(trimmed(f, 0.10))),
    ("trimmed 20%", True, lambda f: gif(trimmed(f, 0.20))),
    ("trimmed 25%", True, lambda f: gif(trimmed(f, 0.25))),
    ("cropped 4%", True, lambda f: gif(cropped(f, 0.04))),
    ("cropped 8%", True, lambda f: gif(cropped(f, 0.08))),
    ("brighter +15%", True, lambda f: gif(brightened(f, 1.15))),
    ("darker -15%", True, lambda f: gif(brightened(f, 0.85))),
    ("every other frame", False, lambda f: gif(f[::2], duration=160)),
    ("trimmed 35%", False, lambda f: gif(trimmed(f, 0.35))),
    ("trimmed 50%", False, lambda f: gif(trimmed(f, 0.50))),
    ("cropped 15%", False, lambda f: gif(cropped(f, 0.15))),
    ("cropped 25%", False, lambda f: gif(cropped(f, 0.25))),
    ("mirrored", False, lambda f: gif(mirrored(f))),
]


# --- Measuring ----------------------------------------------------------------


def hashes(data):
    """(perceptual hashes, detail hashes) as imaging.analyse stores them,
    without rendering the previews and stills that analyse also makes
    (checked against it in main)."""
    return imaging.frame_signatures(data, LIMITS)


def nearest_distances(mine, theirs):
    """For each of `mine`, the bits to the nearest of `theirs`."""
    a = np.array(mine, dtype=np.uint64)[:, None]
    b = np.array(theirs, dtype=np.uint64)[None, :]
    return np.bitwise_count(a ^ b).min(axis=1).tolist()


def score(mine, theirs, distance=imaging.NEAR_DUPLICATE_DISTANCE, details=True):
    """The smaller share of the two directions: what the rule compares.
    `mine` and `theirs` are (hashes, details); flat frames left out as the
    rule does. Without `details`, the perceptual hashes alone (the old rule)."""
    (a, da), (b, db) = (
        imaging.telling(list(h), list(d) if details else []) for h, d in (mine, theirs)
    )
    return min(
        imaging.matching_share(a, b, distance, da, db),
        imaging.matching_share(b, a, distance, db, da),
    )


def found(mine, theirs, details=True):
    return score(mine, theirs, details=details) >= imaging.NEAR_DUPLICATE_SHARE


def percentiles(values, points=(0, 5, 25, 50, 75, 95, 100)):
    ordered = np.sort(np.array(values))
    return [int(np.percentile(ordered, p, method="nearest")) for p in points]


def histogram(values, edges):
    counts = []
    for low, high in itertools.pairwise(edges):
        counts.append(sum(low <= value < high for value in values))
    return counts


def show(line=""):
    print(line, flush=True)


def distance_table(true_distances, unrelated_distances):
    show("== Nearest-frame distance (bits of 64), every frame, both directions ==")
    edges = [0, 3, 5, 7, 9, 11, 13, 17, 21, 65]
    labels = ["0-2", "3-4", "5-6", "7-8", "9-10", "11-12", "13-16", "17-20", "21+"]
    show(f"{'':24}" + "".join(f"{label:>8}" for label in labels))
    for title, values in (
        ("copies meant to match", true_distances),
        ("unrelated animations", unrelated_distances),
    ):
        counts = histogram(values, edges)
        show(f"{title:24}" + "".join(f"{100 * c / len(values):7.1f}%" for c in counts))
    for title, values in (
        ("copies meant to match", true_distances),
        ("unrelated animations", unrelated_distances),
    ):
        show(
            f"{title}: {len(values)} distances, percentiles 0/5/25/50/75/95/100: "
            f"{percentiles(values)}"
        )


def copy_table(base, copies):
    show("== Per kind of copy, over every original ==")
    show(
        f"{'copy':28}{'meant':>7}{'dist p50/p95/max':>18}{'<=6 bits':>10}"
        f"{'min share':>11}{'median':>8}{'found':>8}{'without details':>17}"
    )
    for name, expected, _ in COPIES:
        distances, scores, before = [], [], 0
        for original, hs in base.items():
            copy = copies[name, original]
            distances += nearest_distances(copy[0], hs[0])
            distances += nearest_distances(hs[0], copy[0])
            scores.append(score(hs, copy))
            before += found(hs, copy, details=False)
        now = sum(s >= imaging.NEAR_DUPLICATE_SHARE for s in scores)
        within = sum(d <= imaging.NEAR_DUPLICATE_DISTANCE for d in distances)
        show(
            f"{name:28}{'catch' if expected else 'beyond':>7}"
            f"{'/'.join(map(str, percentiles(distances, (50, 95, 100)))):>18}"
            f"{100 * within / len(distances):9.1f}%{min(scores):11.2f}"
            f"{statistics.median(scores):8.2f}{f'{now}/{len(scores)}':>8}"
            f"{f'{before}/{len(scores)}':>17}"
        )


def sweep(base, copies):
    meant = [
        (hs, copies[name, original])
        for name, expected, _ in COPIES
        if expected
        for original, hs in base.items()
    ]
    unrelated = list(itertools.combinations(base.values(), 2))
    show("== Other thresholds: copies meant to match found / unrelated pairs found ==")
    shares_at = (0.5, 0.6, 0.75, 0.9)
    show(f"{'bits':>6}" + "".join(f"{f'share>={s}':>18}" for s in shares_at))
    for distance in (2, 4, 6, 8, 10, 12, 14):
        cells = []
        for share in shares_at:
            found = sum(score(a, b, distance) >= share for a, b in meant)
            wrong = sum(score(a, b, distance) >= share for a, b in unrelated)
            cells.append(f"{100 * found / len(meant):5.1f}% / {wrong:>3}")
        show(f"{distance:>6}" + "".join(f"{c:>18}" for c in cells))
    show(f"({len(meant)} copies meant to match, {len(unrelated)} unrelated pairs)")


def low_detail_sets():
    """(kind, [signatures]) of unrelated low-detail frames: every pair of a
    set is a different picture."""
    rng = random.Random(0)
    sets = [
        (f"figures of radius {r} on 320 x 240", images.small_figures(r))
        for r in (10, 15, 20, 40, 80)
    ]
    sets.append(
        ("words in 24 px letters on a card", [images.word_card(w) for w in WORDS])
    )
    sets.append(("random 2 x 2 images", [images.tiny_image(rng) for _ in range(40)]))
    return [(kind, [hashes(gif([frame])) for frame in frames]) for kind, frames in sets]


WORDS = ["SORRY", "LOL", "OK", "NO", "WHAT", "YES", "NOPE", "WOW"]


def low_detail_table(base, copies):
    show("== Unrelated low-detail frames: pairs found as near-duplicates ==")
    show(f"{'':36}{'pairs':>7}{'found':>8}{'without details':>17}")
    for kind, signatures in low_detail_sets():
        pairs = list(itertools.combinations(signatures, 2))
        now = sum(found(a, b) for a, b in pairs)
        before = sum(found(a, b, details=False) for a, b in pairs)
        show(f"{kind:36}{len(pairs):>7}{now:>8}{before:>17}")
        low = sum(
            detail & imaging.LOW_DETAIL_FLAG for _, d in signatures for detail in d
        )
        show(f"{'':4}low-detail frames: {low} of {sum(len(d) for _, d in signatures)}")
    frames = [d & imaging.LOW_DETAIL_FLAG for _, ds in base.values() for d in ds]
    copied = [d & imaging.LOW_DETAIL_FLAG for _, ds in copies.values() for d in ds]
    show(
        f"Low-detail frames in the drawn set: {sum(frames)} of {len(frames)} "
        f"originals' distinct frames, {sum(copied)} of {len(copied)} copies'"
    )


def main():
    show(
        f"Rule under test: NEAR_DUPLICATE_DISTANCE={imaging.NEAR_DUPLICATE_DISTANCE} "
        f"bits, NEAR_DUPLICATE_SHARE={imaging.NEAR_DUPLICATE_SHARE}"
    )
    drawn = originals()
    for _, frames in drawn[:: PER_STYLE // 2]:
        data = gif(frames)
        analysis = imaging.analyse(data, LIMITS)
        assert hashes(data) == (analysis.frame_hashes, analysis.frame_details)
    uploaded = {name: gif(frames) for name, frames in drawn}
    base = {name: hashes(data) for name, data in uploaded.items()}
    show(
        f"{len(drawn)} originals ({PER_STYLE} per style: {', '.join(STYLES)}), "
        f"{sum(len(f) for _, f in drawn)} frames; {len(COPIES)} kinds of copy."
    )
    own = [
        bin(hs[i] ^ hs[j]).count("1")
        for hs, _ in base.values()
        for i, j in itertools.combinations(range(len(hs)), 2)
    ]
    counts = [len(hs) for hs, _ in base.values()]
    show(
        f"Distinct hashes per original: {min(counts)}-{max(counts)}; "
        "distance between two frames of the same original, percentiles "
        f"0/5/25/50/75/95/100: {percentiles(own)}"
    )

    # Copies are made from the uploaded GIF's decoded frames, as people do.
    copies = {}
    for original, data in uploaded.items():
        frames = images.decoded_frames(data)
        for name, _, make in COPIES:
            copies[name, original] = hashes(make(frames))

    true_distances = [
        distance
        for name, expected, _ in COPIES
        if expected
        for original, hs in base.items()
        for distance in nearest_distances(copies[name, original][0], hs[0])
        + nearest_distances(hs[0], copies[name, original][0])
    ]
    unrelated_distances, unrelated_scores = [], []
    for (a, ha), (b, hb) in itertools.combinations(base.items(), 2):
        unrelated_distances += nearest_distances(ha[0], hb[0])
        unrelated_distances += nearest_distances(hb[0], ha[0])
        unrelated_scores.append((score(ha, hb), a, b))

    show()
    distance_table(true_distances, unrelated_distances)
    show()
    copy_table(base, copies)
    show()
    shares = [s for s, _, _ in unrelated_scores]
    show(
        f"Unrelated pairs: {len(shares)}; share percentiles 50/95/100: "
        f"{[round(float(np.percentile(shares, p)), 2) for p in (50, 95, 100)]}; "
        f"found as near-duplicates: "
        f"{sum(s >= imaging.NEAR_DUPLICATE_SHARE for s in shares)}"
    )
    closest = sorted(unrelated_scores, reverse=True)[:3]
    show(
        "Closest unrelated pairs: "
        + "; ".join(f"{a} ~ {b}: {s:.2f}" for s, a, b in closest)
    )

    show()
    show("== Look-alikes: not copies, but the same template or scene ==")
    by_kind = {}
    for kind, first, second in look_alikes():
        pair = score(hashes(gif(first)), hashes(gif(second)))
        by_kind.setdefault(kind, []).append(pair)
    for kind, scores in by_kind.items():
        found = sum(s >= imaging.NEAR_DUPLICATE_SHARE for s in scores)
        show(
            f"{kind:36} shares {', '.join(f'{s:.2f}' for s in scores)}"
            f"  found {found}/{len(scores)}"
        )
    solid = {
        colour: hashes(gif([Image.new("RGB", (64, 64), colour)]))[0][0]
        for colour in [(0, 0, 0), (255, 255, 255), (128, 128, 128), (255, 0, 0)]
    }
    show(
        "Solid frames (black, white, grey, red) hash to "
        + ", ".join(f"{value:016x}" for value in solid.values())
    )

    show()
    sweep(base, copies)
    show()
    low_detail_table(base, copies)


if __name__ == "__main__":
    main()
