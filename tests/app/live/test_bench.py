from __future__ import annotations

import pytest

from backcoach.app.live.bench import percentiles, server_latency


def test_percentiles_of_a_known_list() -> None:
    figures = percentiles([float(v) for v in range(1, 101)])
    assert figures["n"] == 100 and figures["max_ms"] == 100.0
    assert figures["p50_ms"] == pytest.approx(50.5) and figures["p95_ms"] == pytest.approx(95.05)


def test_server_latency_streams_every_frame_and_counts_the_generated_reps() -> None:
    figures = server_latency(reps=2, fps=20.0)
    assert figures["journal_mode"] == "wal"  # the store's setting
    assert figures["reps_counted"] == 2 and figures["frames_with_rep_write"]["n"] == 2
    assert figures["all_frames"]["n"] == figures["frames"] > 100


def test_server_latency_with_the_rollback_journal_stores_the_set_trace() -> None:
    figures = server_latency(reps=2, fps=20.0, rollback=True)
    assert figures["journal_mode"] == "delete" and figures["reps_counted"] == 2
    assert figures["set_end_ms"] is not None
    # The set ends on its last rep's frame (the frames after it are not part of the set): the trace
    # holds every frame up to it, 4 bytes of time + 33 x 4 float32 each.
    frames_in_set, rest = divmod(figures["trace_bytes"], 4 + 33 * 4 * 4)
    assert rest == 0 and frames_in_set == figures["set_end_frame"] + 1
