"""How long the upload pipeline takes per GIF, against decoding it.

Draws a set of animations with Pillow (a few small frames, a typical reaction
GIF, hundreds and a thousand frames, large frames, a large still, an APNG and
an animated WebP), then for each one times:

- the bare decode: Pillow opening the file and decoding every frame, and
- the pipeline: `imaging.analyse`, the function every upload calls (facts,
  stills, the WebP preview, the filmstrip, flash risk, perceptual hashes),

and prints both (the median CPU time of the process), their ratio, and the
most memory the pipeline held at once above what the process held before
(Linux: the peak resident set of a fresh process, reset through
/proc/self/clear_refs).

    .venv/bin/python bench/ingest.py [--runs N] [--only NAME] [--profile NAME]

The issue's target: the whole pipeline within 3 times the bare decode. A
benchmark, not a test: the figures go in README.md ("Ingest").
"""

import argparse
import cProfile
import io
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gifshelf.settings")

TARGET_RATIO = 3


def cases():
    """(name, bytes) of every file, drawn now."""

    from tests.images import encode, scene_frames

    def gif(count, size, duration=80):
        frames = scene_frames(count, size, seed=count)
        return encode(frames, "GIF", duration=duration, loop=0)

    def animated(format_name, count, size, **params):
        frames = scene_frames(count, size, seed=count)
        return encode(frames, format_name, duration=80, loop=0, **params)

    still = scene_frames(2, (2000, 2000), seed=7)[1]
    yield "GIF 64×48, 4 frames", gif(4, (64, 48))
    yield "GIF 320×240, 40 frames", gif(40, (320, 240))
    yield "GIF 480×270, 120 frames", gif(120, (480, 270))
    yield "GIF 240×180, 400 frames", gif(400, (240, 180), duration=40)
    yield "GIF 240×240, 1,000 frames", gif(1000, (240, 240), duration=30)
    yield "GIF 1,600×1,200, 12 frames", gif(12, (1600, 1200))
    yield "PNG 2,000×2,000 still", encode([still], "PNG")
    yield "APNG 320×240, 40 frames", animated("PNG", 40, (320, 240))
    yield "WebP 320×240, 40 frames", animated("WEBP", 40, (320, 240), quality=80)


def bare_decode(data):
    """What any program showing the file must do: decode every frame."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            image.load()


def pipeline(data):
    from library import imaging
    from library.models import upload_limits

    return imaging.analyse(data, upload_limits())


def timed(function, data, runs):
    """The median CPU time of `runs` calls, in ms, after one warm-up call.

    CPU time, not wall time: on a machine shared with other work, wall time
    measures the neighbours too. Both are single-threaded, so on a quiet
    machine the two agree.
    """
    function(data)
    times = []
    for _ in range(runs):
        started = time.process_time()
        function(data)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def peak_memory_mb(data):
    """The most resident memory the pipeline adds at once, in MB, measured
    in a fresh process (a warm one reuses the memory it freed); Linux only."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as file:
        file.write(data)
        file.flush()
        child = subprocess.run(
            [sys.executable, __file__, "--peak-memory-of", file.name],
            capture_output=True,
            text=True,
            check=False,
        )
    return float(child.stdout) if child.returncode == 0 else None


def measure_peak_memory(path):
    import django

    django.setup()
    data = Path(path).read_bytes()
    status = Path("/proc/self/status")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak to now
    before = int(re.search(r"VmRSS:\s+(\d+)", status.read_text()).group(1))
    pipeline(data)
    peak = int(re.search(r"VmHWM:\s+(\d+)", status.read_text()).group(1))
    print((peak - before) / 1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per file")
    parser.add_argument("--only", help="only the files whose name holds this")
    parser.add_argument(
        "--profile", help="cProfile the pipeline on the file whose name holds this"
    )
    parser.add_argument("--peak-memory-of", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.peak_memory_of:
        return measure_peak_memory(options.peak_memory_of)

    import django

    django.setup()
    from PIL import Image

    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Pillow {Image.__version__}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print()
    header = (
        f"{'file':<28} {'KB':>7} {'decode ms':>10} {'pipeline ms':>12} "
        f"{'ratio':>6} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    totals = [0.0, 0.0]
    worst = 0.0
    for name, data in cases():
        if options.only and options.only.lower() not in name.lower():
            continue
        if options.profile and options.profile.lower() in name.lower():
            profile(name, data)
            continue
        decode_ms = timed(bare_decode, data, options.runs)
        pipeline_ms = timed(pipeline, data, options.runs)
        peak = peak_memory_mb(data)
        ratio = pipeline_ms / decode_ms
        totals[0] += decode_ms
        totals[1] += pipeline_ms
        worst = max(worst, ratio)
        peak_text = f"{peak:8.0f}" if peak is not None else f"{'?':>8}"
        print(
            f"{name:<28} {len(data) / 1000:7,.0f} {decode_ms:10,.1f} "
            f"{pipeline_ms:12,.1f} {ratio:5.1f}× {peak_text}"
        )
    if totals[0]:
        overall = totals[1] / totals[0]
        print("-" * len(header))
        print(
            f"{'all files':<28} {'':>7} {totals[0]:10,.1f} {totals[1]:12,.1f} "
            f"{overall:5.1f}×"
        )
        met = "met" if worst <= TARGET_RATIO else "NOT met"
        print(f"\nTarget: every file within {TARGET_RATIO}× its bare decode: {met}")
        print(f"(load average now {os.getloadavg()[0]:.1f})")


def profile(name, data):
    print(f"\ncProfile of the pipeline on {name}:")
    profiler = cProfile.Profile()
    profiler.enable()
    pipeline(data)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
