"""Therapist-uploaded demonstration videos: checked on upload, kept server-side, played to the
therapist's own patients before the exercise instead of the generated animation."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backcoach.app.portal import videos

from ..conftest import csrf_of, sign_in
from .conftest import PATIENT

THERAPIST = "therapist@demo.backcoach"
CONFIG_RE = re.compile(r'<script type="application/json" id="live-config">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real 2-second test-pattern videos made with ffmpeg: MP4 (H.264) and WebM (VP9)."""
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for name, codec in (("mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]), ("webm", ["-c:v", "libvpx-vp9"])):
        path = folder / f"demo.{name}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=64x64:rate=10",
                        *codec, str(path)], check=True, timeout=60)
        made[name] = path.read_bytes()
    return made


def _upload(client: TestClient, data: bytes, content_type: str = "video/mp4", name: str = "demo.mp4",
            exercise_id: str = "squat"):  # type: ignore[no-untyped-def]
    token = csrf_of(client, f"/therapist/exercises/{exercise_id}")
    return client.post(f"/therapist/exercises/{exercise_id}/video", data={"csrf_token": token},
                       files={"video": (name, data, content_type)})


def _video_url(client: TestClient, session_id: int, exercise_id: str) -> str | None:
    config = json.loads(CONFIG_RE.search(client.get(f"/sessions/{session_id}").text).group(1))
    return next(i["video_url"] for i in config["items"] if i["exercise_id"] == exercise_id)


def test_an_uploaded_video_is_kept_and_played_to_the_therapists_patients(
        app: FastAPI, client: TestClient, clips: dict[str, bytes], squat_session: tuple[int, int]) -> None:
    session_id, _item = squat_session
    sign_in(client, PATIENT)
    assert _video_url(client, session_id, "squat") is None  # the generated demonstration until then
    assert client.get("/live/videos/squat").status_code == 404

    client.cookies.clear()
    sign_in(client, THERAPIST)
    assert "data-no-video" in client.get("/therapist/exercises/squat/video-panel").text
    saved = _upload(client, clips["mp4"])
    assert saved.status_code == 303 and saved.headers["location"] == "/therapist/exercises/squat?video=saved"
    assert 'src="/therapist/exercises/squat/video"' in client.get("/therapist/exercises/squat/video-panel").text
    assert client.get("/therapist/exercises/squat/video").content == clips["mp4"]
    stored = list((Path(app.state.settings.database_url.removeprefix("sqlite:///")).with_name("app-media")
                   / "exercise_videos").glob("*/squat.mp4"))
    assert len(stored) == 1 and stored[0].read_bytes() == clips["mp4"]  # server-side, beside the database

    client.cookies.clear()
    sign_in(client, PATIENT)
    assert _video_url(client, session_id, "squat") == "/live/videos/squat"
    played = client.get("/live/videos/squat")
    assert played.status_code == 200 and played.headers["content-type"] == "video/mp4"
    assert played.content == clips["mp4"]
    assert client.get("/live/videos/squat", headers={"Range": "bytes=0-9"}).content == clips["mp4"][:10]
    assert client.get("/live/videos/..%2Fsecret").status_code == 404


def test_a_new_upload_replaces_the_old_one_and_removing_it_brings_the_animation_back(
        client: TestClient, clips: dict[str, bytes], squat_session: tuple[int, int]) -> None:
    session_id, _item = squat_session
    sign_in(client, THERAPIST)
    _upload(client, clips["mp4"])
    assert _upload(client, clips["webm"], "video/webm", "demo.webm").status_code == 303
    own = client.get("/therapist/exercises/squat/video")
    assert own.headers["content-type"] == "video/webm" and own.content == clips["webm"]
    token = csrf_of(client, "/therapist/exercises/squat")
    assert client.post("/therapist/exercises/squat/video/delete", data={"csrf_token": token}).status_code == 303
    assert client.get("/therapist/exercises/squat/video").status_code == 404
    client.cookies.clear()
    sign_in(client, PATIENT)
    assert _video_url(client, session_id, "squat") is None


@pytest.mark.parametrize("case, expected", [
    ("text-named-mp4", videos.WRONG_TYPE),
    ("mp4-declared-png", videos.WRONG_TYPE),
    ("mp4-header-only", videos.NOT_A_VIDEO),
    ("empty", videos.NO_FILE),
])
def test_bad_uploads_are_refused_with_the_reason(client: TestClient, clips: dict[str, bytes],
                                                 case: str, expected: str) -> None:
    data, content_type = {
        "text-named-mp4": (b"just some notes, not a video\n" * 20, "video/mp4"),
        "mp4-declared-png": (clips["mp4"], "image/png"),
        "mp4-header-only": (clips["mp4"][:40] + b"\x00" * 400, "video/mp4"),
        "empty": (b"", "video/mp4"),
    }[case]
    sign_in(client, THERAPIST)
    refused = _upload(client, data, content_type)
    assert refused.status_code == 400 and "data-video-error" in refused.text
    assert expected.split(".")[0].replace("'", "&#39;") in refused.text
    assert client.get("/therapist/exercises/squat/video").status_code == 404  # nothing kept


def test_too_large_or_too_long_videos_are_refused(client: TestClient, clips: dict[str, bytes],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in(client, THERAPIST)
    monkeypatch.setattr(videos, "MAX_BYTES", len(clips["mp4"]) - 1)
    assert "larger than 30 MB" in _upload(client, clips["mp4"]).text
    monkeypatch.setattr(videos, "MAX_BYTES", 30 * 1024 * 1024)
    monkeypatch.setattr(videos, "MAX_SECONDS", 1.5)  # the clip lasts 2 s
    assert "longer than 90 seconds" in _upload(client, clips["mp4"]).text
    assert client.get("/therapist/exercises/squat/video").status_code == 404


def test_only_therapists_upload_and_only_library_exercises(client: TestClient, clips: dict[str, bytes]) -> None:
    sign_in(client, THERAPIST)
    assert _upload(client, clips["mp4"], exercise_id="squat").status_code == 303
    token = csrf_of(client, "/therapist/exercises/squat")
    unknown = client.post("/therapist/exercises/no_such/video", data={"csrf_token": token},
                          files={"video": ("demo.mp4", clips["mp4"], "video/mp4")})
    assert unknown.status_code == 404
    client.cookies.clear()
    sign_in(client, PATIENT)
    token = csrf_of(client, "/plan")
    patient_try = client.post("/therapist/exercises/squat/video", data={"csrf_token": token},
                              files={"video": ("demo.mp4", clips["mp4"], "video/mp4")})
    assert patient_try.status_code == 403


def test_media_root_defaults_beside_a_sqlite_database(tmp_path: Path) -> None:
    from backcoach.app.settings import Settings

    settings = Settings(environment="test", secret_key="s" * 40, database_url=f"sqlite:///{tmp_path / 'clinic.db'}")
    assert videos.media_root(settings) == tmp_path / "clinic-media"
    assert videos.media_root(settings.model_copy(update={"media_dir": tmp_path / "m"})) == tmp_path / "m"
    postgres = settings.model_copy(update={"database_url": "postgresql://db/clinic"})
    assert videos.media_root(postgres).parts[-2:] == ("var", "media")
