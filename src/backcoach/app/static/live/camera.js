// The camera: opened on the device, never recorded or uploaded (only landmarks leave the page).

/** Why the camera could not be opened: "refused", "missing" or "failed". */
export function cameraProblem(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") return "refused";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") return "missing";
  return "failed";
}

/** Open the front camera into `video`; resolves to the MediaStream once frames are playing. */
export async function openCamera(video) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    const error = new Error("this browser has no camera access");
    error.name = "NotFoundError";
    throw error;
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
  });
  video.srcObject = stream;
  await video.play();
  return stream;
}

export function closeCamera(video) {
  const stream = video.srcObject;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}
