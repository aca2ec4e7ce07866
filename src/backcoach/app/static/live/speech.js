// Voice in the patient's language, always with a caption (for deaf or muted users).

let captionTarget = null;

export function setCaptionTarget(element) { captionTarget = element; }

/** Say `text` (and show it as the caption). Never waits: speech may be absent or silent. */
export function say(text, lang, { interrupt = true } = {}) {
  if (captionTarget) captionTarget.textContent = text;
  const synth = window.speechSynthesis;
  if (!synth || !text) return;
  if (interrupt) synth.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = lang;
  const voice = synth.getVoices().find((v) => v.lang && v.lang.toLowerCase().startsWith(lang.slice(0, 2).toLowerCase()));
  if (voice) utterance.voice = voice;
  synth.speak(utterance);
}

export function silence() {
  if (window.speechSynthesis) window.speechSynthesis.cancel();
}
