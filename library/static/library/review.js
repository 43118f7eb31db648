// Watch to the end, enforced: Approve stays disabled until the GIF has played
// one full loop in this page while it was in view (or, for reduced motion,
// until the reviewer has stepped through a filmstrip holding every frame to
// the last one, or played a longer GIF once). The server checks too.
//
// A GIF with flash risk never plays by itself: the page (server-rendered)
// opens on its still, beside the warning, and it plays once when the
// reviewer presses "Play it once"; only then does the watch clock start.
//
// The watch runs only where this reviewer could approve (data-watch: a
// pending GIF, not their own upload unless self-approval is on). Elsewhere
// the page keeps its filmstrip, but no clock runs and nothing says "You may
// approve".
(function () {
  "use strict";
  const page = document.querySelector("[data-review]");
  if (!page) return;
  const watching = page.hasAttribute("data-watch");

  const player = page.querySelector("[data-player]");
  const approve = page.querySelector("[data-approve]");
  const status = page.querySelector("[data-watch-status]");
  const announcer = page.querySelector("[data-watch-announcer]");
  const strip = page.querySelector("[data-filmstrip]");
  const viewer = page.querySelector("[data-frame-viewer]");
  const csrf = page.querySelector("input[name=csrfmiddlewaretoken]").value;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const flashRisk = page.hasAttribute("data-flash-risk");
  // Set once "Play it once" was pressed: the GIF then stops on its last
  // frame after one loop, instead of going on looping (and flashing).
  let playingOnce = false;

  function stopOnLastFrame() {
    if (playingOnce) player.src = player.dataset.last;
  }

  // One loop after the GIF (played once) is back on screen, it stops, by
  // the GIF's own time: the clock starts only once the server has answered.
  let stopTimer = null;
  function stopAfterOneLoop() {
    if (!playingOnce) return;
    window.clearTimeout(stopTimer);
    stopTimer = window.setTimeout(stopOnLastFrame, Number(page.dataset.loopMs || 0));
  }

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
      if (response.ok) return response.json();
      // A refusal's code says why ({"error": …, "code": …}), when it has one.
      return response.json().catch(function () { return {}; }).then(function (body) {
        const refused = new Error("HTTP " + response.status);
        refused.code = body.code;
        throw refused;
      });
    });
  }

  function seconds(ms) {
    const value = (ms / 1000).toLocaleString(document.documentElement.lang || "en", {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    return t("seconds", { seconds: value });
  }

  // Shown, and said once by the live region: a change of state. The clock's
  // ticks are only shown (see runClock).
  function say(message) {
    status.textContent = message;
    announce(message);
  }

  function announce(message) {
    if (announcer) announcer.textContent = message;
  }

  function watched(message) {
    if (approve) approve.disabled = false;
    page.classList.add("watched");
    say(message);
  }

  // Watching counts only while the page is in view: a hidden tab's GIF is
  // throttled or paused, and nobody looks at it. Hiding the page stops the
  // clock; coming back starts one whole loop again, here and on the server,
  // since "saw every frame" cannot be pieced together from fragments.
  let clock = null;

  function stopClock() {
    if (!clock) return;
    window.clearInterval(clock.tick);
    window.clearTimeout(clock.done);
    clock.tick = clock.done = null;
  }

  function runClock(watchMs, again) {
    stopClock();
    clock = { watchMs: watchMs, tick: null, done: null };
    const began = performance.now();
    function show() {
      const elapsed = seconds(Math.min(performance.now() - began, watchMs));
      const values = { elapsed: elapsed, total: seconds(watchMs) };
      status.textContent = t(again ? "watching_again" : "watching", values);
    }
    show();
    // The start, with the loop's length: "0.0 s of" is no news when heard.
    announce(t(again ? "watch_started_again" : "watch_started", {
      total: seconds(watchMs),
    }));
    clock.tick = window.setInterval(show, 200);
    clock.done = window.setTimeout(function () {
      stopClock();
      clock = null;
      stopOnLastFrame();
      // Tells the server this page saw the end, so that opening it again
      // keeps the watch, and hears whether the server's clock agrees.
      post(page.dataset.watchedUrl)
        .then(function () { watched(t("watched", {})); })
        .catch(function (refused) {
          // The same reviewer opened the GIF in another tab or window since
          // this loop began, which started the server's clock over (or
          // voided it): this loop does not count, and Approve would be
          // refused. Watching again is offered, not started: two windows
          // in view would otherwise restart each other's clocks for ever.
          if (refused.code === "not_watched" || refused.code === "not_started") {
            offerWatchAgain(watchMs, t("restarted_elsewhere", {}));
            return;
          }
          // Lost on the way: approving needs only the server's clock, and a
          // page opened again asks for one more loop, no more.
          watched(t("watched", {}));
        });
    }, watchMs);
  }

  const watchAgainBox = page.querySelector("[data-watch-again-box]");

  function offerWatchAgain(watchMs, why) {
    say(why);
    watchAgainBox.hidden = false;
    // Assigned, not added: offered twice, it must still start one watch.
    watchAgainBox.querySelector("button").onclick = function () {
      // The focus goes to the GIF it starts, as "Play it once" does.
      player.tabIndex = -1;
      player.focus();
      watchAgainBox.hidden = true;
      // From the first frame, on both clocks, as when the page comes back
      // into view.
      rewind()
        .then(function () {
          stopAfterOneLoop();
          return post(page.dataset.startUrl + "?again=1");
        })
        .then(function () {
          if (!document.hidden) {
            runClock(watchMs, false);
            return;
          }
          // Hidden meanwhile: the loop starts when it is back in view.
          clock = { watchMs: watchMs, tick: null, done: null };
          pauseWhileHidden();
        })
        .catch(function () { say(t("clock_failed", {})); });
    };
  }

  function pauseWhileHidden() {
    stopClock();
    say(t("hidden", {}));
  }

  document.addEventListener("visibilitychange", function () {
    if (!clock || page.classList.contains("watched")) return;
    if (document.hidden) {
      pauseWhileHidden();
      if (playingOnce) {
        window.clearTimeout(stopTimer);
        player.src = player.dataset.still;
      }
      return;
    }
    const watchMs = clock.watchMs;
    if (playingOnce) {
      // Played once on request (it can flash, or its filmstrip is partial):
      // it never plays again by itself. The loop left unseen does not count.
      clock = null;
      offerWatchAgain(watchMs, t("left_before_end", {}));
      return;
    }
    // Loading the replay can take a moment on a large GIF; "Paused" would be
    // wrong by now, and no clock runs until the first frame is back.
    say(t("rewinding", {}));
    // The GIF went on playing unseen: a looping one is somewhere mid-loop, and
    // one that plays once may have ended on its last frame for good. It plays
    // again from its first frame, and only then do the clocks start: the
    // server's too, so an approval can only come a whole loop after that.
    rewind()
      .then(function () { return post(page.dataset.startUrl + "?again=1"); })
      .then(function () {
        if (!document.hidden) runClock(watchMs, true);
      })
      .catch(function () {
        say(t("clock_failed", {}));
      });
  });

  // A browser keeps one animation per image address (setting the same src
  // again does not restart it), so the original is asked for under a new one;
  // the server ignores the query, and its ETag spares sending it again.
  let rewinds = 0;
  function rewind() {
    const address = new URL(player.dataset.original, document.baseURI);
    rewinds += 1;
    address.searchParams.set("play", String(rewinds));
    player.src = address.pathname + address.search;
    return player.decode();
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
          stopAfterOneLoop();
          return;
        }
        if (document.hidden) {
          // Opened in a background tab: the loop starts when it is in view.
          clock = { watchMs: watchMs, tick: null, done: null };
          pauseWhileHidden();
          return;
        }
        runClock(watchMs, false);
      })
      .catch(function () {
        say(t("clock_failed", {}));
      });
  }

  // Reduced motion: the animation does not autoplay; stepping through every
  // filmstrip frame up to the last one counts as watching it, but only when
  // the filmstrip holds every frame of the GIF. A longer GIF's filmstrip is
  // a sample (evenly spaced frames), and a surprise can hide between them:
  // then the curator plays it once, when they choose to.
  const frames = strip ? Array.from(strip.querySelectorAll("[data-frame]")) : [];
  const totalFrames = Number(page.dataset.frames || frames.length);
  const filmstripIsWhole = frames.length >= totalFrames;
  const playOnceBox = page.querySelector("[data-play-once-box]");
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
    if (
      watching &&
      reducedMotion &&
      filmstripIsWhole &&
      seen.size === frames.length &&
      !page.classList.contains("watched")
    ) {
      clockStarted
        .then(afterLeastStepTime)
        .then(function () { return post(page.dataset.filmstripUrl); })
        .then(function () { watched(t("stepped", {})); })
        .catch(function () {
          say(t("step_failed", {}));
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

  // "Play it once" hides itself once pressed. The focus it held goes to the
  // player it started, or it would drop to <body> and a screen reader would
  // lose its place on the page.
  function offerPlayOnce(play) {
    player.src = player.dataset.still;
    playOnceBox.hidden = false;
    playOnceBox.querySelector("button").addEventListener("click", function () {
      player.tabIndex = -1;
      player.focus();
      playOnceBox.hidden = true;
      playingOnce = true;
      play();
    }, { once: true });
  }

  if (!watching) {
    // Nothing to approve here: reduced motion or flash risk still means no
    // autoplay, and the GIF plays once when the reviewer asks.
    if ((reducedMotion || flashRisk) && totalFrames > 1) {
      offerPlayOnce(function () {
        player.addEventListener("load", function () {
          window.setTimeout(stopOnLastFrame, Number(page.dataset.loopMs || 0));
        }, { once: true });
        player.src = player.dataset.original;
      });
    }
    return;
  }

  if (approve) approve.disabled = true;
  // Reduced motion with every frame in the filmstrip: stepping through it is
  // watching, flash risk or not, and nothing need play.
  const stepsThrough = reducedMotion && frames.length > 1 && filmstripIsWhole;
  if (
    (flashRisk && totalFrames > 1 && !stepsThrough) ||
    (reducedMotion && frames.length > 1 && !filmstripIsWhole)
  ) {
    if (reducedMotion && frames.length > 1) {
      say(t("play_hint", { shown: frames.length, total: totalFrames }));
    } else {
      say(t("flash_hint", {}));
    }
    // Opening the page voids a watch an earlier visit left unfinished, as in
    // every other mode: its clock would otherwise still be running, and the
    // server would take the time since then for a watch nobody saw. It
    // starts no clock either: a loop's time spent looking at the still must
    // not pass on the server for a watch.
    const opened = post(page.dataset.openUrl)
      .then(function (started) {
        if (started.watched) {
          playOnceBox.hidden = true;
          watched(t("watched", {}));
        }
      })
      .catch(function () {});
    offerPlayOnce(function () {
      player.addEventListener("load", function () {
        stopAfterOneLoop();
        // After the opening's start has arrived: were it to land last, the
        // server's clock would begin after the page's.
        opened.then(startWatching);
      }, { once: true });
      player.src = player.dataset.original;
    });
  } else if (stepsThrough) {
    player.src = player.dataset.still;
    say(t("step_hint", {}));
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
