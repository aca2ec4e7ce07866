"""Therapist-uploaded demonstration videos, one per therapist and exercise.

This is the clinic's own video of the exercise (never a patient's): the live and video-only
sessions of the therapist's patients play it before the exercise instead of the generated
animation. An upload is checked before it is kept: a known container (MP4 or WebM) by its first
bytes as well as its declared type, at most ``MAX_BYTES``, and ``ffprobe`` must find a video
stream no longer than ``MAX_SECONDS``. Files live under the media folder
(``<media>/exercise_videos/<therapist id>/<exercise id>.<mp4|webm>``), written atomically.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from backcoach.app.i18n import N_
from backcoach.app.settings import Settings
from backcoach.paths import ROOT

#: Largest upload kept [E]: a 60-s phone clip at a demonstration's quality fits easily.
MAX_BYTES = 30 * 1024 * 1024
#: Longest demonstration [E]: it plays before every exercise, so it must stay short.
MAX_SECONDS = 90.0
#: Accepted containers: extension, media type, and the bytes each file starts with (at an offset).
FORMATS = {
    "mp4": ("video/mp4", 4, b"ftyp"),
    "webm": ("video/webm", 0, b"\x1a\x45\xdf\xa3"),
}
FFPROBE_TIMEOUT_S = 30

NO_FILE = N_("Choose a video file to upload.")
TOO_LARGE = N_("The video is larger than 30 MB. Please upload a shorter or smaller clip.")
WRONG_TYPE = N_("Only MP4 and WebM videos can be uploaded.")
NOT_A_VIDEO = N_("This file could not be read as a video.")
TOO_LONG = N_("The video is longer than 90 seconds. Please upload a shorter demonstration.")


class VideoError(ValueError):
    """An upload that is not kept; the message (a translatable id) says why."""


@dataclass(frozen=True)
class StoredVideo:
    path: Path
    media_type: str


def media_root(settings: Settings) -> Path:
    """``settings.media_dir``; by default beside a SQLite database (``<db>-media``), else ``var/media``."""
    if settings.media_dir is not None:
        return Path(settings.media_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(f"{database.stem}-media")
    return ROOT / "var" / "media"


def check_video(data: bytes, content_type: str | None) -> str:
    """The container (``mp4`` / ``webm``) of an acceptable upload; raises :class:`VideoError`."""
    if not data:
        raise VideoError(NO_FILE)
    if len(data) > MAX_BYTES:
        raise VideoError(TOO_LARGE)
    kind = next((k for k, (media, offset, magic) in FORMATS.items()
                 if data[offset:offset + len(magic)] == magic), None)
    if kind is None or (content_type or "").split(";")[0].strip() not in (FORMATS[kind][0], "application/octet-stream"):
        raise VideoError(WRONG_TYPE)
    duration = _probe_duration(data, kind)
    if duration > MAX_SECONDS:
        raise VideoError(TOO_LONG)
    return kind


def _probe_duration(data: bytes, kind: str) -> float:
    """Seconds of video, as ``ffprobe`` reads the file; no video stream is :data:`NOT_A_VIDEO`."""
    with tempfile.NamedTemporaryFile(suffix=f".{kind}") as file:
        file.write(data)
        file.flush()
        try:
            result = subprocess.run(
                ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json",
                 file.name], capture_output=True, timeout=FFPROBE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise VideoError(NOT_A_VIDEO) from None
    try:
        info = json.loads(result.stdout or b"{}")
        has_video = any(s.get("codec_type") == "video" for s in info.get("streams", []))
        duration = float(info.get("format", {}).get("duration", "nan"))
    except (ValueError, AttributeError):
        raise VideoError(NOT_A_VIDEO) from None
    if result.returncode != 0 or not has_video or not duration > 0:
        raise VideoError(NOT_A_VIDEO)
    return duration


def _folder(root: Path, therapist_id: int) -> Path:
    return root / "exercise_videos" / str(int(therapist_id))


def _checked_id(exercise_id: str) -> str:
    """Exercise ids are file names here: only the library's plain ids are accepted."""
    if not re.fullmatch(r"[a-z0-9_]{1,64}", exercise_id):
        raise ValueError(f"not an exercise id: {exercise_id!r}")
    return exercise_id


def save_video(root: Path, therapist_id: int, exercise_id: str, data: bytes, kind: str) -> StoredVideo:
    """Keep the checked upload as this therapist's video of ``exercise_id`` (replacing an earlier one)."""
    folder = _folder(root, therapist_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_checked_id(exercise_id)}.{kind}"
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as part:
        part.write(data)
    os.replace(part.name, target)  # a reader never sees half a file
    for other in FORMATS:
        if other != kind:
            (folder / f"{exercise_id}.{other}").unlink(missing_ok=True)
    return StoredVideo(target, FORMATS[kind][0])


def find_video(root: Path, therapist_id: int, exercise_id: str) -> StoredVideo | None:
    folder = _folder(root, therapist_id)
    for kind, (media_type, _offset, _magic) in FORMATS.items():
        path = folder / f"{_checked_id(exercise_id)}.{kind}"
        if path.is_file():
            return StoredVideo(path, media_type)
    return None


def delete_video(root: Path, therapist_id: int, exercise_id: str) -> bool:
    video = find_video(root, therapist_id, exercise_id)
    if video is not None:
        video.path.unlink(missing_ok=True)
    return video is not None
