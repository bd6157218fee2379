// The holder's dynamic QR: fetch the next windows at once, show the one for the current minute.
"use strict";
async function refresh(img) {
  const number = img.dataset.number;
  let codes = [];
  async function fetchCodes() {
    try {
      const response = await fetch(`/api/v1/me/cards/${number}/presentation`, { cache: "no-store" });
      if (response.ok) codes = (await response.json()).codes;
    } catch (e) { /* offline: keep showing the windows already fetched */ }
  }
  async function tick() {
    const now = Date.now() / 1000;
    codes = codes.filter((c) => c.until > now);
    if (codes.length < 3) await fetchCodes();
    const current = codes.find((c) => c.from <= now && now < c.until);
    if (current) { img.src = current.svg; img.dataset.code = current.code; img.dataset.until = current.until; }
    else { img.removeAttribute("src"); img.alt = "无法取得动态码，请联网后重试"; }
  }
  await tick();
  setInterval(tick, 5000);
}
document.querySelectorAll("img.dynamic-qr").forEach(refresh);
