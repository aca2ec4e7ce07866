"""The therapist's demonstration videos in the exercise editor: upload, view, remove.

The editor page loads the panel (``.../video-panel``) with htmx; the upload is a plain multipart
form. See :mod:`backcoach.app.portal.videos` for the checks and the storage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from backcoach.app import errors
from backcoach.app.deps import CSRF, CurrentTherapist
from backcoach.app.exercise_names import exercise_name
from backcoach.app.portal import exercises as editor
from backcoach.app.portal import videos
from backcoach.app.templating import render

async def _close_uploads(request: Request) -> AsyncIterator[None]:
    """Close the spooled upload after the request, also when a later check refuses it."""
    try:
        yield
    finally:
        await request.close()


router = APIRouter(prefix="/therapist", dependencies=[Depends(_close_uploads), *CSRF])


def _exercise(exercise_id: str) -> str:
    if exercise_id not in editor.shipped_ids():
        raise HTTPException(404, detail=errors.EXERCISE_NOT_FOUND)
    return exercise_id


def _panel_context(request: Request, therapist_id: int, exercise_id: str, error: str | None = None) -> dict:
    root = videos.media_root(request.app.state.settings)
    return {"exercise_id": exercise_id, "name": exercise_name(exercise_id, request.state.locale),
            "video": videos.find_video(root, therapist_id, exercise_id), "video_error": error,
            "max_mb": videos.MAX_BYTES // (1024 * 1024), "max_s": int(videos.MAX_SECONDS)}


@router.get("/exercises/{exercise_id}/video-panel")
def video_panel(request: Request, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """The editor's demonstration-video section for the signed-in therapist."""
    return render(request, "therapist/_exercise_video.html",
                  _panel_context(request, therapist.id, _exercise(exercise_id)))


@router.post("/exercises/{exercise_id}/video")
async def upload_video(request: Request, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """Keep a checked upload as this therapist's demonstration of the exercise (replacing one)."""
    _exercise(exercise_id)
    upload = (await request.form()).get("video")
    is_file = isinstance(upload, UploadFile)
    data = await upload.read(videos.MAX_BYTES + 1) if is_file else b""
    content_type = upload.content_type if is_file else None
    try:
        kind = videos.check_video(data, content_type)
    except videos.VideoError as problem:
        return render(request, "therapist/exercise_video.html",
                      _panel_context(request, therapist.id, exercise_id, str(problem)), status_code=400)
    videos.save_video(videos.media_root(request.app.state.settings), therapist.id, exercise_id, data, kind)
    return RedirectResponse(f"/therapist/exercises/{exercise_id}?video=saved", status_code=303)


@router.post("/exercises/{exercise_id}/video/delete")
def delete_video(request: Request, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """Remove the video: the patients see the generated demonstration again."""
    videos.delete_video(videos.media_root(request.app.state.settings), therapist.id, _exercise(exercise_id))
    return RedirectResponse(f"/therapist/exercises/{exercise_id}", status_code=303)


@router.get("/exercises/{exercise_id}/video")
def own_video(request: Request, therapist: CurrentTherapist, exercise_id: str) -> Response:
    video = videos.find_video(videos.media_root(request.app.state.settings), therapist.id, _exercise(exercise_id))
    if video is None:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    return FileResponse(video.path, media_type=video.media_type)
