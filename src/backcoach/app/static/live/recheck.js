// The 5-minute re-check after a stop: count the rest down, then invite the answers (the server
// refuses them earlier anyway).
const timer = document.querySelector("[data-recheck-timer]");
if (timer) {
  const T = JSON.parse(document.getElementById("recheck-strings").textContent);
  const submit = document.querySelector("[data-recheck-submit]");
  let left = Number(timer.dataset.wait);
  const tick = () => {
    timer.textContent = left > 0 ? T.time_left.replace("{s}", left) : T.time_up;
    if (submit) submit.disabled = left > 0;
    if (left <= 0) { clearInterval(handle); return; }
    left -= 1;
  };
  const handle = setInterval(tick, 1000);
  tick();
}
