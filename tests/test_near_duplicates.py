"""Near-duplicates: every frame is hashed, and two GIFs are near-duplicates
when at least 75% of each one's distinct frame hashes lie within 6 bits of
some frame of the other; a low-detail frame (a small figure on a plain
background, a word on a card, a tiny image) must also agree on its detail
hash. bench/calibrate_duplicates.py measures the margins.
"""

import io
import itertools
import json
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image, ImageEnhance

from library import imaging
from library.imaging import Limits
from library.models import Gif
from tests import images

# The shelf's default limits (settings.GIFSHELF_MAX_*).
LIMITS = Limits(
    max_bytes=15_000_000,
    max_pixels=4_000_000,
    max_frames=1_000,
    max_total_pixels=300_000_000,
)
FRAMES = 16
SCENE = images.scene_frames(count=FRAMES, size=(200, 150), seed=1)
OTHER_SCENE = images.scene_frames(count=FRAMES, size=(200, 150), seed=2)


def as_gif(frames, duration=80):
    return images.encode(frames, "GIF", duration=duration, loop=0)


def as_webp(frames, quality=60):
    return images.encode(frames, "WEBP", duration=80, loop=0, quality=quality)


def hash_of(frame):
    """A frame's hash, the way analyse() computes it."""
    return imaging.perceptual_hash(imaging.frame_sample(frame.convert("RGBA")))


def bits_apart(first, second):
    return (first ^ second).bit_count()


def far_apart_hashes(count, seed=0):
    """`count` 64-bit hashes, each far more than 6 bits from every other."""
    rng = random.Random(seed)
    hashes = [rng.getrandbits(64) for _ in range(count)]
    assert all(
        bits_apart(a, b) > 2 * imaging.NEAR_DUPLICATE_DISTANCE
        for index, a in enumerate(hashes)
        for b in hashes[index + 1 :]
    )
    return hashes


def near_duplicate_ids(client_for, gif):
    url = reverse("library:api_gif", args=[gif.pk])
    return client_for("curator").get(url).json()["near_duplicates"]


# --- Through the real upload --------------------------------------------------

COPIES = [
    pytest.param(
        lambda frames: as_gif(images.resized(frames, 0.6)),
        {"format": "gif", "width": 120, "height": 90, "frames": FRAMES},
        id="resized-to-60-percent",
    ),
    pytest.param(
        lambda frames: as_gif(images.requantised(frames, 32)),
        {"format": "gif", "width": 200, "frames": FRAMES},
        id="re-quantised-to-32-dithered-colours",
    ),
    pytest.param(
        lambda frames: as_webp(frames),
        {"format": "webp", "width": 200, "frames": FRAMES},
        id="converted-to-lossy-animated-webp",
    ),
    pytest.param(
        lambda frames: as_gif(images.loop_shifted(frames, 6)),
        {"format": "gif", "frames": FRAMES},
        id="loop-shifted-by-6-frames",
    ),
    pytest.param(
        lambda frames: as_gif(frames[1:-1]),
        {"format": "gif", "frames": FRAMES - 2},
        id="trimmed-by-a-frame-at-each-end",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("make_copy", "copy_facts"), COPIES)
def test_an_uploaded_copy_is_linked_to_its_original_both_ways(
    make_copy, copy_facts, upload_gif, client_for
):
    original_data = as_gif(SCENE)
    original = upload_gif(data=original_data, name="welcome.gif")
    unrelated = upload_gif(data=as_gif(OTHER_SCENE), name="oh-no.gif")

    copy = upload_gif(
        data=make_copy(images.decoded_frames(original_data)), name="welcome-copy"
    )

    assert {field: getattr(copy, field) for field in copy_facts} == copy_facts
    assert list(copy.near_duplicates.all()) == [original]
    assert list(original.near_duplicates.all()) == [copy]
    assert not unrelated.near_duplicates.exists()
    assert near_duplicate_ids(client_for, original) == [copy.pk]
    assert near_duplicate_ids(client_for, copy) == [original.pk]
    assert near_duplicate_ids(client_for, unrelated) == []


@pytest.mark.django_db
def test_gifs_of_different_drawings_are_not_near_duplicates(upload_gif, client_for):
    gifs = [
        upload_gif(data=as_gif(images.scene_frames(count=FRAMES, seed=seed)))
        for seed in (1, 2, 3)
    ]

    for gif in gifs:
        assert not gif.near_duplicates.exists()
        assert near_duplicate_ids(client_for, gif) == []


@pytest.mark.django_db
def test_gifs_that_share_only_their_first_frame_are_not_near_duplicates(
    upload_gif, client_for
):
    same_opening = [SCENE[0], *OTHER_SCENE[1:]]
    first = upload_gif(data=as_gif(SCENE), name="welcome.gif")

    second = upload_gif(data=as_gif(same_opening), name="same-opening.gif")

    # The openings are the same picture: first-frame hashing would match them.
    assert first.frame_hashes[0] == second.frame_hashes[0]
    assert not second.near_duplicates.exists()
    assert near_duplicate_ids(client_for, first) == []


@pytest.mark.django_db
def test_a_still_of_a_gifs_first_frame_is_not_a_near_duplicate_of_it(
    upload_gif, client_for
):
    animation = upload_gif(data=as_gif(SCENE), name="welcome.gif")

    still = upload_gif(data=images.encode([SCENE[0]], "PNG"), name="welcome.png")

    # Every frame of the still matches the GIF; only 1 of 16 of the GIF's
    # frames matches the still, and the rule asks both sides.
    mine = [int(value, 16) for value in still.frame_hashes]
    theirs = [int(value, 16) for value in animation.frame_hashes]
    assert imaging.matching_share(mine, theirs) == 1.0
    assert imaging.matching_share(theirs, mine) == 1 / FRAMES
    assert not still.near_duplicates.exists()
    assert near_duplicate_ids(client_for, animation) == []


# --- Low-detail frames ---------------------------------------------------------


def signatures(frames, format_name="GIF", **params):
    """(hashes, detail hashes) of frames saved as a file, as an upload stores."""
    data = images.encode(frames, format_name, **params)
    return imaging.frame_signatures(data, LIMITS)


def alike(first, second):
    """(near-duplicates by perceptual hashes alone, by the whole rule)."""
    (hashes, details), (others, other_details) = first, second
    return (
        imaging.are_near_duplicates(hashes, others),
        imaging.are_near_duplicates(hashes, others, details, other_details),
    )


FIGURE_PAIRS = [
    pytest.param(radius, first, second, id=f"{first}-{second}-radius-{radius}")
    for radius, first, second in [
        (10, "circle", "square"),
        (10, "square", "ring"),
        (15, "circle", "triangle"),
        (15, "diamond", "bar"),
        (20, "square", "cross"),
        (20, "triangle", "ring"),
    ]
]


@pytest.mark.parametrize(("radius", "first", "second"), FIGURE_PAIRS)
def test_different_small_figures_on_plain_backgrounds_are_not_near_duplicates(
    radius, first, second
):
    figures = dict(zip(images.SHAPES, images.small_figures(radius), strict=True))

    before, now = alike(signatures([figures[first]]), signatures([figures[second]]))

    assert before  # the 8 × 8 lowest frequencies alone see the same blob
    assert not now


@pytest.mark.django_db
def test_sorry_and_lol_on_a_plain_card_are_not_near_duplicates(upload_gif):
    sorry = upload_gif(data=as_gif([images.word_card("SORRY")]), name="sorry.gif")

    lol = upload_gif(data=as_gif([images.word_card("LOL")]), name="lol.gif")

    mine = [int(value, 16) for value in sorry.frame_hashes]
    theirs = [int(value, 16) for value in lol.frame_hashes]
    assert imaging.are_near_duplicates(mine, theirs)  # as the old rule saw them
    assert not lol.near_duplicates.exists()
    assert not sorry.near_duplicates.exists()


def test_most_random_2_by_2_images_are_told_apart():
    rng = random.Random(3)
    tiny = [signatures([images.tiny_image(rng)]) for _ in range(24)]
    pairs = [alike(a, b) for a, b in itertools.combinations(tiny, 2)]

    before = sum(old for old, _ in pairs)
    now = sum(new for _, new in pairs)

    assert before > 0.25 * len(pairs)
    assert now < 0.1 * len(pairs)


@pytest.mark.parametrize("seed", range(3))
def test_copies_of_a_small_figure_moving_on_a_plain_background_still_match(seed):
    drawn = as_gif(images.moving_figure(seed=seed))
    frames = images.decoded_frames(drawn)
    original = imaging.frame_signatures(drawn, LIMITS)
    copies = [
        as_gif(images.resized(frames, 0.6)),
        as_gif(images.requantised(frames, 32)),
        as_webp(frames),
        as_gif(images.loop_shifted(frames, 5)),
        as_gif(frames[1:-1]),
        as_gif([ImageEnhance.Brightness(f).enhance(0.85) for f in frames]),
    ]

    assert all(detail & imaging.LOW_DETAIL_FLAG for detail in original[1])
    for copy in copies:
        assert alike(original, imaging.frame_signatures(copy, LIMITS)) == (True, True)


def test_only_frames_with_little_to_see_are_low_detail():
    def low(frame):
        return bool(signatures([frame])[1][0] & imaging.LOW_DETAIL_FLAG)

    assert low(images.small_figures(15)[0])
    assert low(images.word_card("SORRY"))
    assert low(images.tiny_image(random.Random(1)))
    # A cartoon with a large ball, a bar and a caption over a gradient.
    assert not any(low(frame) for frame in SCENE)


@pytest.mark.django_db
def test_an_uploaded_copy_of_a_small_moving_figure_is_linked(upload_gif):
    drawn = as_gif(images.moving_figure(seed=7))
    original = upload_gif(data=drawn, name="ball.gif")
    other = upload_gif(data=as_gif(images.moving_figure(seed=8)), name="other.gif")

    copy = upload_gif(data=as_webp(images.decoded_frames(drawn)), name="ball-copy.webp")

    assert len(copy.frame_details) == len(copy.frame_hashes)
    assert list(copy.near_duplicates.all()) == [original]
    assert not other.near_duplicates.exists()


# --- Hashing existing GIFs again -----------------------------------------------


def as_before_detail_hashes(*gifs, linked=()):
    """Put GIFs back as an upload before detail hashes left them: no detail
    hashes, and the links the perceptual hashes alone found."""
    Gif.objects.filter(pk__in=[gif.pk for gif in gifs]).update(frame_details=[])
    for one, other in linked:
        one.near_duplicates.add(other)


def rehash_frames(*arguments):
    output = io.StringIO()
    call_command("rehash_frames", "--no-progress", *arguments, stdout=output)
    return output.getvalue()


@pytest.mark.django_db
def test_rehashing_drops_the_false_links_and_keeps_the_real_ones(upload_gif):
    sorry = upload_gif(data=as_gif([images.word_card("SORRY")]), name="sorry.gif")
    lol = upload_gif(data=as_gif([images.word_card("LOL")]), name="lol.gif")
    original = upload_gif(data=as_gif(SCENE), name="welcome.gif")
    copy = upload_gif(data=as_webp(SCENE), name="welcome.webp")
    hashes = {gif.pk: gif.frame_hashes for gif in (sorry, lol, original, copy)}
    as_before_detail_hashes(sorry, lol, original, copy, linked=[(sorry, lol)])

    said = rehash_frames()

    assert said == (
        "Hashed the frames of 4 GIFs again. Near-duplicate links: 1 dropped, 0 added.\n"
    )
    for gif in (sorry, lol, original, copy):
        gif.refresh_from_db()
        assert gif.frame_hashes == hashes[gif.pk]
        assert len(gif.frame_details) == len(gif.frame_hashes)
    assert not sorry.near_duplicates.exists()
    assert not lol.near_duplicates.exists()
    assert list(copy.near_duplicates.all()) == [original]
    assert list(original.near_duplicates.all()) == [copy]
    assert rehash_frames() == (
        "Every GIF's frames carry their detail hashes: nothing to do.\n"
    )


@pytest.mark.django_db
def test_a_gif_not_yet_hashed_again_is_compared_on_its_perceptual_hashes(
    upload_gif,
):
    original = upload_gif(data=as_gif(SCENE), name="welcome.gif")
    sorry = upload_gif(data=as_gif([images.word_card("SORRY")]), name="sorry.gif")
    as_before_detail_hashes(original, sorry)

    copy = upload_gif(data=as_webp(SCENE), name="welcome.webp")
    lol = upload_gif(data=as_gif([images.word_card("LOL")]), name="lol.gif")

    assert list(copy.near_duplicates.all()) == [original]
    # Without SORRY's detail hashes, LOL is matched as before until it has them.
    assert list(lol.near_duplicates.all()) == [sorry]
    rehash_frames()
    assert not lol.near_duplicates.exists()


@pytest.mark.django_db
def test_a_gif_whose_file_is_gone_is_reported_and_left_as_it_was(upload_gif):
    gif = upload_gif(data=as_gif(SCENE), name="welcome.gif")
    as_before_detail_hashes(gif)
    Gif._meta.get_field("original").storage.delete(gif.original.name)

    said = rehash_frames()

    assert said.startswith("Hashed the frames of 0 GIFs again.")
    assert f"GIF {gif.pk} “Welcome” was left as it was: its original could not" in said
    gif.refresh_from_db()
    assert gif.frame_details == []


# --- Perceptual hashes --------------------------------------------------------


@pytest.mark.parametrize("scale", [0.8, 0.6, 0.5])
def test_a_frame_hash_barely_changes_when_the_frame_is_resized(scale):
    for frame, smaller in zip(SCENE, images.resized(SCENE, scale), strict=True):
        assert bits_apart(hash_of(frame), hash_of(smaller)) <= 6


def test_frames_of_different_drawings_hash_far_apart():
    distances = [bits_apart(hash_of(a), hash_of(b)) for a in SCENE for b in OTHER_SCENE]

    assert min(distances) > 2 * imaging.NEAR_DUPLICATE_DISTANCE


def test_frames_of_one_animation_hash_apart_from_each_other():
    # The premise of the tests above: the scene really moves, so a copy must
    # match frame by frame, not by matching one picture repeated.
    hashes = [hash_of(frame) for frame in SCENE]

    assert len(set(hashes)) == FRAMES
    assert bits_apart(hashes[0], hashes[-1]) > 2 * imaging.NEAR_DUPLICATE_DISTANCE


def test_flat_frames_of_a_fade_hash_alike_whatever_their_shade():
    # A fade's flat frames come back a shade off from a re-encoded copy; their
    # hashes must not be picked by rounding, or the copy's frames stop matching.
    shades = [(200, 30, 30), (190, 40, 35), (12, 12, 12), (250, 250, 240)]
    hashes = {
        hash_of(Image.new("RGB", size, shade))
        for shade in shades
        for size in [(90, 70), (320, 240), (333, 191)]
    }

    assert len(hashes) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ([Image.new("RGB", (40, 40), "red")], [Image.new("RGB", (64, 64), "navy")]),
        ([Image.new("RGB", (8, 8), "black")], [Image.new("RGB", (300, 200), "white")]),
        # A fade from black, then different drawings.
        (
            [Image.new("RGB", (200, 150), "black"), *SCENE[:4]],
            [Image.new("RGB", (200, 150), "black"), *OTHER_SCENE[:4]],
        ),
    ],
    ids=["two-plain-colours", "black-and-white", "same-fade-in-different-drawings"],
)
def test_plain_backgrounds_alone_do_not_make_near_duplicates(
    first, second, upload_gif, client_for
):
    one = upload_gif(data=as_gif(first), name="one.gif")

    two = upload_gif(data=as_gif(second), name="two.gif")

    assert not two.near_duplicates.exists()
    assert near_duplicate_ids(client_for, one) == []


@pytest.mark.django_db
def test_a_copy_with_a_fade_in_is_still_a_near_duplicate(upload_gif):
    faded = [Image.new("RGB", (200, 150), (8, 8, 8)), *SCENE]
    original = upload_gif(data=as_gif(faded), name="welcome.gif")

    copy = upload_gif(data=as_webp(faded), name="welcome.webp")

    assert list(copy.near_duplicates.all()) == [original]


def test_a_hash_is_a_64_bit_number():
    hashes = [hash_of(frame) for frame in SCENE + OTHER_SCENE]

    assert all(0 <= value < 2**64 for value in hashes)
    assert any(value >= 2**63 for value in hashes)  # the top bit is used too


def test_analysis_keeps_each_distinct_frame_hash_once_in_order():
    data = as_gif([SCENE[0], SCENE[5], SCENE[0], SCENE[5], SCENE[9]])

    hashes = imaging.analyse(data, LIMITS).frame_hashes

    assert hashes == (hash_of(SCENE[0]), hash_of(SCENE[5]), hash_of(SCENE[9]))


# --- Matching shares ----------------------------------------------------------


def test_a_hash_within_6_bits_matches_and_one_7_bits_away_does_not():
    assert imaging.matching_share([0], [0b11_1111]) == 1.0
    assert imaging.matching_share([0], [0b111_1111]) == 0.0


def test_hashes_with_the_top_bit_set_are_compared_bit_by_bit():
    top = 2**64 - 1

    assert imaging.matching_share([top], [top ^ 0b11_1111]) == 1.0
    assert imaging.matching_share([top], [0]) == 0.0


def test_the_matching_share_is_the_share_of_the_first_list_that_matches():
    one, two, three, four = far_apart_hashes(4)

    assert imaging.matching_share([one, two, three, four], [one]) == 0.25
    assert imaging.matching_share([one], [one, two, three, four]) == 1.0


def test_nothing_matches_an_empty_list():
    assert imaging.matching_share([], [1]) == 0.0
    assert imaging.matching_share([1], []) == 0.0
    assert not imaging.are_near_duplicates([], [])


def test_frames_match_in_any_order():
    hashes = far_apart_hashes(16)
    shuffled = random.Random(1).sample(hashes, len(hashes))

    assert imaging.are_near_duplicates(hashes, shuffled)


@pytest.mark.parametrize(
    ("kept", "near"),
    [(16, True), (12, True), (11, False), (4, False)],
    ids=["all-16", "12-of-16-a-quarter-trimmed", "11-of-16", "4-of-16"],
)
def test_a_trimmed_copy_is_a_near_duplicate_while_it_keeps_three_quarters(kept, near):
    hashes = far_apart_hashes(16)
    trimmed = hashes[:kept]

    assert imaging.are_near_duplicates(hashes, trimmed) is near
    assert imaging.are_near_duplicates(trimmed, hashes) is near


def test_extra_frames_on_either_side_count_against_a_match():
    hashes = far_apart_hashes(22)
    gif, longer_by_5, longer_by_6 = hashes[:16], hashes[:21], hashes

    assert imaging.are_near_duplicates(gif, longer_by_5)  # 16 / 21 = 0.76
    assert not imaging.are_near_duplicates(gif, longer_by_6)  # 16 / 22 = 0.73
    assert not imaging.are_near_duplicates(longer_by_6, gif)


# --- Filmstrip ----------------------------------------------------------------


@pytest.mark.parametrize("frames", [1, 2, 7, 8, 9, 10, 16, 17, 60, 1000])
def test_the_filmstrip_is_up_to_8_evenly_spaced_frames_from_first_to_last(frames):
    strip = imaging.filmstrip_frames(frames)
    gaps = [later - earlier for earlier, later in itertools.pairwise(strip)]

    assert strip[0] == 0
    assert strip[-1] == frames - 1
    assert strip == sorted(set(strip))  # in order, none twice
    assert len(strip) == min(frames, 8)
    assert all(gap >= 1 for gap in gaps)
    assert max(gaps, default=1) - min(gaps, default=1) <= 1  # evenly spaced


def test_the_analysis_filmstrip_shows_when_each_frame_appears():
    data = as_gif(SCENE, duration=[80] * 15 + [1000])  # a long last frame

    strip = imaging.analyse(data, LIMITS).filmstrip

    assert [frame.index for frame in strip] == [0, 2, 4, 6, 9, 11, 13, 15]
    assert [frame.at_ms for frame in strip] == [0, 160, 320, 480, 720, 880, 1040, 1200]
    assert all(frame.png.startswith(b"\x89PNG") for frame in strip)


# --- Comparing a whole shelf at once -------------------------------------------


def hex_of(values):
    return [f"{value:016x}" for value in values]


def flipped(value, bits, rng):
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


def shelf_of_variants(rng, base):
    """GIFs that are, and are not quite, near duplicates of `base`: frames
    moved a few bits or too many, frames dropped or added, and strangers."""
    shelf = []
    for _ in range(60):
        frames = [flipped(value, rng.choice([0, 3, 6, 7, 12]), rng) for value in base]
        if rng.random() < 0.5:
            frames = rng.sample(frames, rng.randint(1, len(frames)))
        if rng.random() < 0.3:
            frames += [rng.getrandbits(64) for _ in range(rng.randint(1, 6))]
        shelf.append(frames)
    for number, frames in enumerate(shelf):  # some fade in or out: flat frames
        frames += imaging.FLAT_HASHES[: number % 3]
    shelf += [
        [rng.getrandbits(64) for _ in range(rng.randint(1, 9))] for _ in range(20)
    ]
    shelf.append([])  # a GIF analysed before hashes existed
    shelf.append(list(imaging.FLAT_HASHES))  # plain backgrounds only
    return shelf


@pytest.mark.parametrize("seed", range(12))
def test_a_whole_shelf_at_once_finds_what_one_by_one_comparisons_find(seed):
    rng = random.Random(seed)
    base = [rng.getrandbits(64) for _ in range(rng.randint(1, 12))]
    if seed % 2:
        base.append(imaging.FLAT_HASHES[seed % 4 // 2])
    shelf = shelf_of_variants(rng, base)
    one_by_one = [
        number
        for number, frames in enumerate(shelf)
        if imaging.are_near_duplicates(base, frames)
    ]

    at_once = imaging.near_duplicates_among(
        hex_of(base),
        ((number, json.dumps(hex_of(frames))) for number, frames in enumerate(shelf)),
        chunk=7,  # several chunks, the last one short
    )

    assert at_once == one_by_one
    assert 0 < len(one_by_one) < len(shelf)  # both kinds are in the shelf


@pytest.mark.parametrize(
    "written",
    [
        lambda hashes: json.dumps(hashes),  # as SQLite keeps it
        lambda hashes: json.dumps(hashes, separators=(",", ":")),
        lambda hashes: json.dumps(hashes, indent=2),  # another reader's way
        lambda hashes: json.dumps([value.upper() for value in hashes]),
    ],
)
def test_stored_hashes_are_read_however_the_json_is_written(written):
    rng = random.Random(5)
    lists = [[rng.getrandbits(64) for _ in range(n)] for n in (3, 0, 1, 7)]

    counts, values = imaging.stored_hashes([written(hex_of(each)) for each in lists])

    assert counts.tolist() == [3, 0, 1, 7]
    assert values.tolist() == [value for each in lists for value in each]


@pytest.mark.django_db
def test_a_link_an_upload_makes_while_the_frames_are_hashed_again_is_kept(
    upload_gif, monkeypatch
):
    gif = upload_gif(data=as_gif(SCENE), name="welcome.gif")
    other = upload_gif(data=as_gif([images.word_card("SORRY")]), name="sorry.gif")
    as_before_detail_hashes(gif)
    comparing = Gif.find_near_duplicates

    def while_an_upload_links(self):
        found = comparing(self)
        # An upload's own comparison lands between the reading and the write.
        other.near_duplicates.add(self)
        return found

    monkeypatch.setattr(Gif, "find_near_duplicates", while_an_upload_links)
    rehash_frames()

    assert list(gif.near_duplicates.all()) == [other]
