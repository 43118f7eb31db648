"""Upload fuzzing: broken, truncated and hostile images only ever come out of
the image inspector as a success or a refusal the curator can read.

Hypothesis draws a real file (GIF, PNG, APNG, WebP or JPEG drawn by Pillow,
or one of Pillow's own test images from the shared corpus) and one to four
mutations of it: flipped bits, cuts, splices with another file, repeated
spans, and changes to what the format declares (sizes, frame counts, delays,
chunk lengths) with the checksums kept right so that the damage reaches the
decoder. A refusal that says the file "could not be read" must be one Pillow
agrees with: when Pillow decodes every frame of the file within the limits,
the shelf has no excuse to refuse it.

CI runs a fixed number of examples, derandomized, so every run tries the same
files and a failure reproduces. To fuzz longer, with fresh random examples:

    GIFSHELF_FUZZ_EXAMPLES=20000 GIFSHELF_FUZZ_RANDOM=1 \
        .venv/bin/pytest -q -p no:cacheprovider tests/test_upload_fuzzing.py

Hypothesis prints the failing file's recipe (base file and mutations) and,
with GIFSHELF_FUZZ_RANDOM=1, a `@reproduce_failure` line to replay it.
"""

import hashlib
import io
import os
import random
import struct
import warnings

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from library import imaging
from library.imaging import ImageRefused
from library.models import Gif
from tests import images, mutations
from tests.test_corpus import CORPUS, LIMITS, reads_as_a_sentence
from tests.test_upload import files_in, upload

# About 60 seconds on a quiet 2-core machine; each example must stay under
# the deadline (a slow decode of a small file is a bug of its own).
EXAMPLES = int(os.environ.get("GIFSHELF_FUZZ_EXAMPLES", 700))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("GIFSHELF_FUZZ_RANDOM"),
    database=None,
    deadline=30_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
UNREADABLE = "could not be read"


def corpus_files():
    if not CORPUS.is_dir():
        return {}  # test_corpus.py fails loudly when the corpus is missing
    return {
        f"corpus/{path.name}": path.read_bytes()
        for path in sorted(CORPUS.iterdir())
        if path.is_file() and not path.name.startswith("LICENSE")
    }


BASES = {**mutations.base_files(), **corpus_files()}

offsets = st.integers(0, 2**20)
declared = st.one_of(st.sampled_from(mutations.EXTREMES), st.integers(0, 2**32 - 1))
MUTATION = st.one_of(
    st.tuples(st.just("flip_bit"), offsets, st.integers(0, 7)),
    st.tuples(st.just("set_byte"), offsets, st.integers(0, 255)),
    st.tuples(st.just("truncate"), offsets),
    st.tuples(st.just("delete_span"), offsets, st.integers(1, 64)),
    st.tuples(st.just("repeat_span"), offsets, st.integers(1, 256), st.integers(2, 40)),
    st.tuples(st.just("splice"), st.sampled_from(sorted(BASES)), offsets, offsets),
    st.tuples(
        st.just("png_declare"), offsets, st.sampled_from(mutations.PNG_FIELDS), declared
    ),
    st.tuples(st.just("png_chunk_length"), offsets, declared),
    st.tuples(st.just("png_drop_chunk"), offsets),
    st.tuples(st.just("png_repeat_chunk"), offsets),
    st.tuples(st.just("png_mutate_payload"), offsets, offsets, st.integers(0, 255)),
    st.tuples(
        st.just("gif_declare"), offsets, st.sampled_from(mutations.GIF_FIELDS), declared
    ),
    st.tuples(st.just("gif_repeat_frame"), offsets, st.integers(1, 1_200)),
    st.tuples(
        st.just("webp_declare"),
        offsets,
        st.sampled_from(mutations.WEBP_FIELDS),
        declared,
    ),
)


def mutated(base, recipe):
    data = BASES[base]
    for name, *arguments in recipe:
        if name == "splice":
            other, at, other_at = arguments
            arguments = [BASES[other], at, other_at]
        data = getattr(mutations, name)(data, *arguments)
    return data


def pillow_decodes(data):
    """Whether Pillow itself decodes every frame of `data` to RGBA, within
    the shelf's limits; False for a file the limits refuse anyway."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
                if (
                    width * height > LIMITS.max_pixels
                    or frames > LIMITS.max_frames
                    or width * height * frames > LIMITS.max_total_pixels
                ):
                    return False
                for index in range(frames):
                    image.seek(index)
                    if image.size != (width, height):
                        return False  # a grown GIF canvas: the shelf checks it
                    image.load()
                    image.convert("RGBA")
    except Exception:
        return False
    return True


def check_inspected(data):
    """The properties every file must keep, whatever was done to it."""
    try:
        analysis = imaging.analyse(data, LIMITS)
    except ImageRefused as refusal:
        message = str(refusal)
        assert reads_as_a_sentence(message), message
        if UNREADABLE in message:
            assert not pillow_decodes(data), (
                "Refused as unreadable a file Pillow decodes: " + message
            )
        return None

    facts = analysis.facts
    assert facts.bytes == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert 1 <= facts.width * facts.height <= LIMITS.max_pixels
    assert 1 <= facts.frames <= LIMITS.max_frames
    assert facts.width * facts.height * facts.frames <= LIMITS.max_total_pixels
    assert facts.duration_ms >= 0 and facts.loops >= 0
    for still in (analysis.first_still, analysis.last_still):
        with Image.open(io.BytesIO(still)) as image:
            assert image.size == (facts.width, facts.height)
    with Image.open(io.BytesIO(analysis.preview)) as preview:
        assert preview.size == imaging.fit_within(
            (facts.width, facts.height), imaging.PREVIEW_LONGER_SIDE
        )
    assert analysis.filmstrip[-1].index == facts.frames - 1
    assert 1 <= len(analysis.frame_hashes) <= facts.frames
    return analysis


@FUZZ
@given(base=st.sampled_from(sorted(BASES)), recipe=st.lists(MUTATION, max_size=4))
def test_a_mutated_image_is_accepted_or_refused_with_a_sentence(base, recipe):
    check_inspected(mutated(base, recipe))


def test_every_base_file_is_accepted_unmutated():
    """The fuzzing starts from files the shelf takes, so that a mutation is
    what makes the difference."""
    for name, data in mutations.base_files().items():
        assert check_inspected(data) is not None, name


# --- Through the real upload page ---------------------------------------------


def random_recipe(rng):
    """A recipe like the ones Hypothesis draws, from a seeded generator."""
    at = rng.randrange(2**16)
    value = rng.choice([*mutations.EXTREMES, rng.randrange(2**32)])
    choices = [
        ("flip_bit", at, rng.randrange(8)),
        ("truncate", at),
        ("repeat_span", at, rng.randint(1, 256), rng.randint(2, 40)),
        ("splice", rng.choice(sorted(BASES)), at, rng.randrange(2**16)),
        ("png_declare", at, rng.choice(mutations.PNG_FIELDS), value),
        ("png_mutate_payload", at, rng.randrange(2**16), rng.randrange(256)),
        ("gif_declare", at, rng.choice(mutations.GIF_FIELDS), value),
        ("gif_repeat_frame", at, rng.randint(1, 1_200)),
        ("webp_declare", at, rng.choice(mutations.WEBP_FIELDS), value),
    ]
    return [rng.choice(choices) for _ in range(rng.randint(1, 3))]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_uploads_get_a_page_and_leave_only_accepted_files(
    curator_client, media_root, seed
):
    rng = random.Random(seed)
    names = sorted(BASES)
    files = []
    for number in range(django_settings.GIFSHELF_MAX_FILES_PER_UPLOAD):
        base = names[rng.randrange(len(names))]
        data = mutated(base, random_recipe(rng))
        files.append((f"fuzzed-{seed}-{number}.{base.rsplit('.', 1)[-1][:4]}", data))

    response = upload(curator_client, *files)

    assert response.status_code == 200
    reported = response.content.decode()
    for name, _ in files:
        assert name in reported  # every file gets its line in the report
    kept = {
        str(media_root / name) for gif in Gif.objects.all() for name in gif.file_names()
    }
    assert {str(path) for path in files_in(media_root)} == kept


# --- What the fuzzing found ------------------------------------------------------


def test_a_gif_repeating_the_most_times_it_can_declare_is_accepted():
    """65,535 repeats (65,536 plays) once broke the WebP preview, whose loop
    count has 16 bits, and the GIF was refused as damaged."""
    data = images.gif_bytes(loop=65_535)

    analysis = check_inspected(data)

    assert analysis.facts.loops == 65_536
    with Image.open(io.BytesIO(analysis.preview)) as preview:
        assert preview.info["loop"] == 65_535


@pytest.mark.django_db
def test_an_apng_declaring_billions_of_plays_is_stored(upload_gif):
    """APNG counts plays in 32 bits; the database column holds 31."""
    data = images.encode(
        images.frames_of(3, (40, 30)), "PNG", duration=120, loop=2**32 - 1
    )

    gif = upload_gif(data=data, name="forever-ish.png")

    assert Gif.objects.get(pk=gif.pk).loops == imaging.MAX_PLAYS


def apng_with_delay(frames, seconds):
    """An APNG whose every frame declares `seconds` (APNG's 16-bit fraction)."""
    data = images.apng_bytes(count=frames)
    for pick, (_, kind, _) in enumerate(mutations.png_chunks(data)):
        if kind == b"fcTL":
            data = mutations.rewrite_png_chunk(
                data,
                pick,
                lambda _, fctl: mutations.set_field(
                    fctl, 20, struct.pack(">HH", seconds, 1)
                ),
            )
    return data


@pytest.mark.parametrize(
    ("data", "words"),
    [
        # Each frame past WebP's 24-bit frame delay: the preview failed.
        (apng_with_delay(2, 65_535), "lasts 36 hours"),
        # One loop past the database's integer column.
        (apng_with_delay(40, 65_535), "lasts 728 hours"),
        (images.webp_bytes(count=2, duration=1_900_000), "lasts 63 minutes"),
    ],
    ids=["36 hours", "a month", "63 minutes"],
)
def test_an_animation_longer_than_an_hour_is_refused_with_its_length(data, words):
    with pytest.raises(ImageRefused) as refusal:
        imaging.analyse(data, LIMITS)

    assert words in str(refusal.value)
    assert "up to an hour long" in str(refusal.value)
    assert reads_as_a_sentence(str(refusal.value))


def test_an_animation_just_under_an_hour_is_accepted():
    data = images.encode(images.frames_of(3, (40, 30)), "WEBP", duration=1_199_000)

    assert check_inspected(data).facts.duration_ms == 3_597_000


def test_a_gif_frame_that_lost_its_palette_is_read_as_pillow_reads_it():
    """Found by fuzzing Pillow's comment_after_only_frame.gif: a later frame
    in palette mode without a palette, which Pillow decodes and converts,
    once made the RGB shortcut for opaque frames fail."""
    recipe = [
        ("flip_bit", 23053, 6),
        ("splice", "corpus/second_frame_comment.gif", 23053, 45719),
        ("gif_declare", 23053, "top", 65535),
    ]
    data = mutated("corpus/comment_after_only_frame.gif", recipe)
    assert pillow_decodes(data)

    assert check_inspected(data).facts.frames == 3
