// The 60 s wait of the §3.5 rating protocol: count down, then ask (the server refuses earlier answers).
const form = document.querySelector("[data-ratings]");
const shown = document.querySelector("[data-wait-seconds]");
let left = Number(form.dataset.wait);
const later = [...form.querySelectorAll("[name=nrs_60s], [name=location_60s]")];
const lock = (locked) => later.forEach((input) => { input.disabled = locked; });
lock(left > 0);
const timer = setInterval(() => {
  left = Math.max(0, left - 1);
  shown.textContent = left;
  if (left === 0) { lock(false); clearInterval(timer); }
}, 1000);
