"""Pillow's own test images, hostile and odd ones included, through the pipeline.

Each file is either accepted with the frames and duration Pillow itself finds
when it decodes every frame, or refused with a sentence for the curator;
nothing else may come out of the pipeline.
"""

import warnings
from pathlib import Path

import pytest
from PIL import Image

from library import imaging
from library.imaging import ImageRefused, Limits

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared/corpus/pillow-tests"

# The shelf's default limits (settings.GIFSHELF_MAX_*).
LIMITS = Limits(
    max_bytes=15_000_000,
    max_pixels=4_000_000,
    max_frames=1_000,
    max_total_pixels=300_000_000,
)


def corpus_files():
    if not CORPUS.is_dir():
        # CI has the corpus: a missing folder must fail, not skip quietly.
        return [pytest.param(CORPUS, id="corpus-missing")]
    return [
        pytest.param(path, id=path.name)
        for path in sorted(CORPUS.iterdir())
        if path.is_file() and not path.name.startswith("LICENSE")
    ]


def as_pillow_plays_it(path):
    """(frames, one loop in ms) found by decoding every frame with Pillow,
    counting a delay of 10 ms or less, or none, as 100 ms; None when Pillow
    cannot decode it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1)
                total = 0
                for index in range(frames):
                    image.seek(index)
                    image.load()
                    delay = image.info.get("duration")
                    total += 100 if delay is None or delay <= 10 else delay
    except Exception:
        return None
    return frames, 0 if frames == 1 else round(total)


def reads_as_a_sentence(message):
    return (
        message[:1].isupper()
        and message.endswith(".")
        and len(message.split()) >= 5
        and "\n" not in message
        and "Error" not in message
    )


def analysed(name):
    return imaging.analyse((CORPUS / name).read_bytes(), LIMITS)


def refused(name):
    with pytest.raises(ImageRefused) as caught:
        analysed(name)
    return str(caught.value)


def test_the_pillow_corpus_is_there():
    assert CORPUS.is_dir(), f"{CORPUS} is missing: CI checks out the shared corpus."
    assert len(corpus_files()) >= 40


@pytest.mark.parametrize("path", corpus_files())
def test_a_corpus_file_is_measured_as_pillow_plays_it_or_refused(path):
    data = path.read_bytes()

    try:
        analysis = imaging.analyse(data, LIMITS)
    except ImageRefused as refusal:
        assert reads_as_a_sentence(str(refusal)), str(refusal)
        return
    facts = analysis.facts
    assert (facts.frames, facts.duration_ms) == as_pillow_plays_it(path)
    assert facts.bytes == len(data)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("decompression_bomb.gif", "enormous size"),
        ("decompression_bomb_extents.gif", "enormous size"),
        ("broken.png", "starts like a PNG but could not be read"),
        ("zero_width.gif", "starts like a GIF but could not be read"),
        ("apng-chunk_no_fdat.png", "damaged or incomplete"),
        ("apng-syntax_num_frames_zero.png", "damaged or incomplete"),
    ],
)
def test_hostile_and_broken_corpus_files_are_refused(name, words):
    assert words in refused(name)


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        # (format, width, height, frames, duration_ms, loops)
        ("chi.gif", ("gif", 320, 240, 31, 3100, 0)),
        ("iss634.gif", ("gif", 245, 245, 42, 2830, 0)),
        ("dispose_bgnd.gif", ("gif", 100, 100, 5, 5000, 0)),
        ("hopper.gif", ("gif", 128, 128, 1, 0, 1)),
        ("test.colors.gif", ("gif", 807, 606, 1, 0, 1)),
        ("transparent_dispose.gif", ("gif", 3, 1, 3, 1100, 1)),
        ("apng-different_durations.png", ("apng", 16, 16, 2, 5000, 0)),
        ("apng-dispose_op_none.png", ("apng", 128, 64, 3, 300, 1)),
        ("apng-single_frame.png", ("apng", 128, 64, 1, 0, 1)),
        ("anim_frame1.webp", ("webp", 82, 82, 1, 0, 1)),
    ],
)
def test_well_formed_corpus_files_are_accepted_with_their_facts(name, facts):
    found = analysed(name).facts

    assert (
        found.format,
        found.width,
        found.height,
        found.frames,
        found.duration_ms,
        found.loops,
    ) == facts
