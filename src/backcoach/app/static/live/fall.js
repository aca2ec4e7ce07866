// §5.4 rule 5a: when the fall questions get no answer in time, a full-screen emergency-number
// prompt with an alarm sound (Web Audio, no file to load) until the patient answers or dismisses it.
const prompt = document.querySelector("[data-fall-alarm]");
let audio = null;

function beep() {
  audio = audio || new AudioContext();
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.value = 0.4;
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.4);
}

function alarm() {
  prompt.hidden = false;
  document.body.dataset.fallAlarm = "on";
  const handle = setInterval(beep, 800);
  beep();
  prompt.querySelector("[data-alarm-off]").addEventListener("click", () => {
    clearInterval(handle);
    prompt.hidden = true;
    delete document.body.dataset.fallAlarm;
  }, { once: true });
}

if (prompt) {
  // Ask by voice too: the patient may still be on the floor, away from the screen.
  const message = document.querySelector("[data-stop-message]");
  if (message && "speechSynthesis" in window) {
    const utterance = new SpeechSynthesisUtterance(message.textContent);
    utterance.lang = document.documentElement.lang.startsWith("zh") ? "zh-CN" : "en-US";
    speechSynthesis.speak(utterance);
  }
  const wait = Number(prompt.dataset.alarmIn) * 1000;
  const timer = setTimeout(alarm, wait);
  document.querySelector("[data-fall-submit]").closest("form").addEventListener("submit", () => clearTimeout(timer));
}
