"""``backcoach bench camera``: server time to read, check and measure a guided camera test's upload."""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
import typer

from backcoach.cli.bench import bench_app


def _upload(seq) -> bytes:  # type: ignore[no-untyped-def]
    """The browser's upload of a recording: one 536-byte frame message per frame."""
    from backcoach.app.live.protocol import encode_frame

    return b"".join(encode_frame(float(seq.t[i]), np.column_stack([seq.xyz[i], seq.visibility[i]]))
                    for i in range(len(seq)))


def _median_ms(run, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def bench_camera(repeats: int = typer.Option(5, min=1, help="Runs per figure (the median is printed).")) -> None:
    """Median milliseconds to decode and measure synthetic camera-test uploads, and one set-up check.

    Uploads: 10 backward bends and a 60 s front plank from the generator; the check runs on their
    first 30 frames. Printed as JSON (see docs/benchmarks.md)."""
    from backcoach.app import camera_assessment as cam
    from backcoach.motion.synthetic.generate import generate

    cases = {"rom_extension": generate("standing_extension", reps=10, seed=3, setup=False).sequence,
             "hold_prone_plank": generate("front_plank", reps=1, hold_s=60, seed=1).sequence}
    out = {}
    for test_id, seq in cases.items():
        body = _upload(seq)
        decoded = cam.decode_recording(body, seq.image_size)
        window = cam.decode_recording(body[:30 * len(body) // len(seq)], seq.image_size)
        out[test_id] = {
            "frames": len(seq), "bytes": len(body),
            "decode_ms": _median_ms(lambda: cam.decode_recording(body, seq.image_size), repeats),
            "measure_ms": _median_ms(lambda: cam.measure(decoded, test_id), repeats),
            "setup_check_30_frames_ms": _median_ms(lambda: cam.setup_check(window, test_id, "en"), repeats),
        }
    typer.echo(json.dumps(out, indent=2))


def register(app: typer.Typer) -> None:
    bench_app.command("camera")(bench_camera)
