// Watch to the end, enforced: Approve stays disabled until the GIF has played
// one full loop in this page (or, for reduced motion, until the reviewer has
// stepped through the filmstrip to the last frame). The server checks too.
(function () {
  "use strict";
  const page = document.querySelector("[data-review]");
  if (!page) return;

  const player = page.querySelector("[data-player]");
  const approve = page.querySelector("[data-approve]");
  const status = page.querySelector("[data-watch-status]");
  const strip = page.querySelector("[data-filmstrip]");
  const viewer = page.querySelector("[data-frame-viewer]");
  const csrf = page.querySelector("input[name=csrfmiddlewaretoken]").value;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Shown sentences come in the page's language, from the JSON data block the
  // template renders (library/templatetags/js_messages.py).
  const MESSAGES = JSON.parse(document.getElementById("js-messages").textContent);
  function t(key, values) {
    return MESSAGES[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function post(url) {
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function seconds(ms) {
    const value = (ms / 1000).toLocaleString(document.documentElement.lang || "en", {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    return t("seconds", { seconds: value });
  }

  function watched(message) {
    if (approve) approve.disabled = false;
    page.classList.add("watched");
    status.textContent = message;
  }

  function startWatching() {
    post(page.dataset.startUrl)
      .then(function (started) {
        const watchMs = started.watch_ms;
        if (watchMs === 0) {
          watched(t("still", {}));
          return;
        }
        // The page shown again after a refused decision: the server kept the
        // watch, so the reviewer need not sit through the loop again.
        if (started.watched) {
          watched(t("watched", {}));
          return;
        }
        const began = performance.now();
        const tick = window.setInterval(function () {
          const elapsed = Math.min(performance.now() - began, watchMs);
          status.textContent = t("watching", { elapsed: seconds(elapsed), total: seconds(watchMs) });
        }, 200);
        window.setTimeout(function () {
          window.clearInterval(tick);
          watched(t("watched", {}));
        }, watchMs);
      })
      .catch(function () {
        status.textContent = t("clock_failed", {});
      });
  }

  // Reduced motion: the animation does not autoplay; stepping through every
  // filmstrip frame up to the last one counts as watching it.
  const frames = strip ? Array.from(strip.querySelectorAll("[data-frame]")) : [];
  const seen = new Set();
  // The filmstrip's end is recorded against the review clock, so it waits
  // for the clock's start to reach the server, however slow that is.
  let clockStarted = Promise.resolve();
  let clockStartedAt = performance.now();
  // The server takes stepping through the strip faster than a person could
  // for a shortcut: never report the end sooner than that after the start.
  const leastStepMs = Number(page.dataset.stepMs || 0) * Math.max(frames.length - 1, 0);

  function afterLeastStepTime() {
    const wait = clockStartedAt + leastStepMs + 50 - performance.now();
    return new Promise(function (resolve) { window.setTimeout(resolve, Math.max(0, wait)); });
  }

  function show(index) {
    const button = frames[index];
    if (!button) return;
    frames.forEach(function (other) { other.setAttribute("aria-pressed", "false"); });
    button.setAttribute("aria-pressed", "true");
    button.focus();
    if (viewer) {
      viewer.src = button.querySelector("img").src;
      viewer.alt = button.querySelector("img").alt;
    }
    seen.add(index);
    if (reducedMotion && seen.size === frames.length && !page.classList.contains("watched")) {
      clockStarted
        .then(afterLeastStepTime)
        .then(function () { return post(page.dataset.filmstripUrl); })
        .then(function () { watched(t("stepped", {})); })
        .catch(function () {
          status.textContent = t("step_failed", {});
        });
    }
  }

  frames.forEach(function (button, index) {
    // A frame reached with Tab is in view too: without this the first frame,
    // where the arrow keys start from, would never count.
    button.addEventListener("focus", function () { seen.add(index); });
    button.addEventListener("click", function () { show(index); });
    button.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { event.preventDefault(); show(index + 1); }
      if (event.key === "ArrowLeft") { event.preventDefault(); show(index - 1); }
    });
  });

  if (approve) approve.disabled = true;
  if (reducedMotion && frames.length > 1) {
    player.src = player.dataset.still;
    status.textContent = t("step_hint", {});
    clockStarted = post(page.dataset.startUrl)
      .then(function (started) {
        clockStartedAt = performance.now();
        if (started.watched) watched(t("watched", {}));
      })
      .catch(function () {});
  } else if (player.complete && player.naturalWidth) {
    startWatching();
  } else {
    player.addEventListener("load", startWatching, { once: true });
  }
})();
