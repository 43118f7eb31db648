// The agent's picker: copy into any chat, keyboard-first, previews that hold
// still until hovered or focused. Without this file the page still works as
// plain forms and links (search, filters, contexts, the GIF's own page).
(function () {
  "use strict";
  const picker = document.querySelector("[data-picker]");
  if (!picker) return;

  const form = document.getElementById("picker-search");
  const search = document.getElementById("picker-q");
  const results = document.getElementById("picker-results");
  const panel = document.getElementById("picker-preview");
  const status = document.querySelector("[data-copy-status]");
  const manual = document.querySelector("[data-copy-manual]");
  const help = document.querySelector("[data-keyboard-help]");
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  // Shown sentences come in the page's language, from the JSON data block the
  // template renders (library/templatetags/js_messages.py).
  const MESSAGES = JSON.parse(document.getElementById("js-messages").textContent);
  function t(key, values) {
    return MESSAGES[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  // A message quoting a GIF's title, the title marked in its own language
  // (an English title on a Russian page is read with an English voice, as
  // the card shows it): text, or nodes when the title needs the mark.
  function quoting(key, gif) {
    const parts = MESSAGES[key].split("{title}");
    if (!gif.titleLang || parts.length < 2) return t(key, { title: gif.title });
    const message = document.createDocumentFragment();
    parts.forEach(function (part, index) {
      if (index > 0) {
        const title = document.createElement("span");
        title.lang = gif.titleLang;
        title.textContent = gif.title;
        message.append(title);
      }
      message.append(part);
    });
    return message;
  }

  let opener = null; // the card link whose preview is open
  let beforeManual = null; // where the focus was before the manual copy box
  let statusTimer = null; // hides a confirmation
  let messageTimer = null; // fills the status element, just after emptying it

  // --- What a card or the preview holds --------------------------------------

  function gifOf(element) {
    const holder = element && element.closest("[data-gif]");
    if (!holder) return null;
    return {
      id: holder.dataset.gifId,
      title: holder.dataset.title,
      titleLang: holder.dataset.titleLang,
      alt: holder.dataset.alt,
      url: holder.dataset.link,
      recordUrl: holder.dataset.copiesUrl,
    };
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function imageHtml(gif) {
    return '<img src="' + escapeHtml(gif.url) + '" alt="' + escapeHtml(gif.alt) + '">';
  }

  function markdown(gif) {
    return "![" + gif.alt.replace(/([\\\[\]])/g, "\\$1") + "](" + gif.url + ")";
  }

  function defaultFormat() {
    return picker.dataset.copyFormat || "link";
  }

  function currentContext() {
    const bar = document.querySelector("[data-context-bar]");
    return (bar && bar.dataset.context) || null;
  }

  // --- Copying ----------------------------------------------------------------

  // Plain-http deployments have no navigator.clipboard: the old way still
  // copies text, from a selected (off-screen) textarea.
  function copyWithSelection(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "clipboard-helper";
    const focused = document.activeElement;
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    if (focused && focused.focus) focused.focus({ preventScroll: true });
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyText(text) {
    const clipboard = navigator.clipboard;
    if (clipboard && clipboard.writeText) {
      return clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  // Resolves to the format that reached the clipboard.
  function writeClipboard(gif, format) {
    if (format === "markdown") {
      return copyText(markdown(gif)).then(function () { return "markdown"; });
    }
    if (format === "rich") {
      const clipboard = navigator.clipboard;
      const link = function () {
        return copyText(gif.url).then(function () { return "link-for-rich"; });
      };
      if (!(clipboard && clipboard.write && window.ClipboardItem)) return link();
      // One item with both: rich editors take the image, plain inputs the link.
      const item = new ClipboardItem({
        "text/html": new Blob([imageHtml(gif)], { type: "text/html" }),
        "text/plain": new Blob([gif.url], { type: "text/plain" }),
      });
      return clipboard.write([item]).then(function () { return "rich"; }, link);
    }
    return copyText(gif.url).then(function () { return "link"; });
  }

  function copy(element, format) {
    const gif = gifOf(element);
    if (!gif) return;
    // A card from results that a new search is replacing: the agent asked
    // for something else already, so copying it would send the wrong GIF.
    if (results.contains(element) && resultsAreStale()) {
      say(t(loading.size === 0 && searchFailed ? "earlier_search" : "still_loading", {}));
      return;
    }
    // Likewise a preview the agent clicked away from (another card, another
    // context) whose successor is not shown yet.
    if (panel.contains(element) && previewIsStale()) {
      say(t(previewLoading() ? "preview_loading" : "preview_failed", {}));
      return;
    }
    // A preview opened before the agent chose a context that rules its GIF
    // out (the server says why): copy nothing, whatever asked for it.
    if (refusedAsRuledOut(element)) return;
    // Known to be off the shelf since it was shown: copy nothing, warn again.
    if (element.closest("[data-gif]").classList.contains("is-off-shelf")) {
      warn(quoting("off_shelf", gif));
      return;
    }
    format = format || defaultFormat();
    // The write starts at once, inside the key press or click that asked
    // for it; the copy is recorded only once it has landed, never before.
    writeClipboard(gif, format).then(
      function (landed) {
        if (landed === "link-for-rich") {
          say(quoting("copied_link_for_rich", gif));
          record(gif, "link");
        } else {
          say(quoting("copied_" + landed, gif));
          record(gif, landed);
        }
      },
      function () {
        offerManualCopy(gif, format === "markdown" ? markdown(gif) : gif.url);
      }
    );
  }

  function refusedAsRuledOut(element) {
    const holder = element.closest("[data-gif]");
    if (!holder || !holder.dataset.ruledOut) return false;
    warn(holder.dataset.ruledOut);
    return true;
  }

  // Counted in the background: keepalive lets it finish even if the agent
  // closes the panel or the page right away.
  function record(gif, format) {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!gif.recordUrl) return;
    fetch(gif.recordUrl, {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
      body: JSON.stringify({ format: format, context: currentContext() }),
    }).then(function (response) {
      // The copy has landed already (the write cannot wait for the server),
      // but the GIF left the shelf after these results were shown: taken
      // down, retired or flagged, the copies endpoint answers 404 for all of
      // them (410 too, should it ever say Gone). Other failures count nothing
      // and warn of nothing: the link itself is still good.
      if (response.status === 404 || response.status === 410) offShelf(gif);
    }).catch(function () {});
  }

  // Every card and preview of the GIF is marked, so that copying it again
  // warns instead of copying; a new search brings fresh cards.
  function offShelf(gif) {
    const selector = '[data-gif][data-gif-id="' + CSS.escape(gif.id) + '"]';
    document.querySelectorAll(selector).forEach(function (holder) {
      holder.classList.add("is-off-shelf");
    });
    warn(quoting("off_shelf", gif));
  }

  // Emptied first, so that the same message twice is announced twice. A
  // timer, not an animation frame: frames wait while the page is not drawn
  // (a busy or hidden window), and the message must not.
  function announce(warning, fill) {
    hideManualCopy();
    window.clearTimeout(statusTimer);
    // A confirmation still waiting to be shown must not replace a warning
    // that came back from the server within those 20 ms.
    window.clearTimeout(messageTimer);
    status.textContent = "";
    status.classList.add("is-visible");
    status.classList.toggle("is-warning", warning);
    status.setAttribute("aria-live", warning ? "assertive" : "polite");
    messageTimer = window.setTimeout(function () {
      fill();
      keepFocusClear();
    }, 20);
  }

  // The message is fixed at the foot of the window, where in a narrow one it
  // would lie over the focused card and its Copy button (WCAG 2.4.11). While
  // it shows, the page and the preview keep room for it below what scrolls
  // into view (scroll-padding, set here to its height), and whatever has the
  // focus is scrolled clear of it: now, and at each move of the focus.
  const root = document.documentElement;

  function keepFocusClear() {
    if (!status.classList.contains("is-visible")) return;
    const room = status.offsetHeight + 24;
    root.style.setProperty("--status-room", room + "px");
    // Space to scroll into at the foot of the page, kept once made: taking
    // it back as the message fades would make the page jump under the agent.
    const space = parseFloat(root.style.getPropertyValue("--status-space")) || 0;
    if (room > space) root.style.setProperty("--status-space", room + "px");
    const focused = document.activeElement;
    if (!focused || focused === document.body || status.contains(focused)) return;
    const shown = focused.closest(".picker-card") || focused;
    const box = shown.getBoundingClientRect();
    const message = status.getBoundingClientRect();
    const covered = box.bottom > message.top && box.top < message.bottom &&
      box.right > message.left && box.left < message.right;
    if (covered) shown.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function hideStatus() {
    status.classList.remove("is-visible");
    root.style.removeProperty("--status-room");
  }

  document.addEventListener("focusin", keepFocusClear);

  function say(message) {
    announce(false, function () { status.replaceChildren(message); });
    statusTimer = window.setTimeout(hideStatus, 5000);
  }

  // A warning stays until dismissed (its button, or Esc) or replaced by
  // another message: it must not fade while the agent is still pasting.
  function warn(message) {
    announce(true, function () {
      const text = document.createElement("span");
      text.replaceChildren(message);
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "close-button";
      dismiss.setAttribute("data-dismiss-warning", "");
      dismiss.setAttribute("aria-label", t("dismiss", {}));
      dismiss.textContent = "✕";
      status.replaceChildren(text, dismiss);
    });
  }

  function dismissWarning() {
    if (!status.classList.contains("is-warning")) return false;
    window.clearTimeout(messageTimer);
    status.classList.remove("is-warning");
    hideStatus();
    status.setAttribute("aria-live", "polite");
    status.textContent = "";
    return true;
  }

  // Copying is impossible here: select the text so that Ctrl+C works.
  function offerManualCopy(gif, text) {
    const input = manual.querySelector("input");
    if (manual.hidden) beforeManual = document.activeElement;
    window.clearTimeout(messageTimer);
    status.replaceChildren(quoting("copy_by_hand", gif));
    status.classList.remove("is-warning");
    status.setAttribute("aria-live", "polite");
    status.classList.add("is-visible");
    manual.hidden = false;
    input.value = text;
    input.focus();
    input.select();
  }

  function hideManualCopy() {
    if (manual.hidden) return false;
    manual.hidden = true;
    if (beforeManual && beforeManual.isConnected) beforeManual.focus();
    beforeManual = null;
    return true;
  }

  // --- Drag into another window -------------------------------------------------

  document.addEventListener("dragstart", function (event) {
    const gif = gifOf(event.target);
    if (!gif || !event.dataTransfer) return;
    // What copy() refuses, a drag refuses too: a card of results on their
    // way out, a preview the agent already clicked away from.
    const stale = results.contains(event.target) ? resultsAreStale() :
      panel.contains(event.target) && previewIsStale();
    if (stale) {
      event.preventDefault();
      copy(event.target); // says why
      return;
    }
    if (refusedAsRuledOut(event.target)) {
      event.preventDefault();
      return;
    }
    event.dataTransfer.effectAllowed = "copyLink";
    event.dataTransfer.setData("text/uri-list", gif.url);
    event.dataTransfer.setData("text/plain", gif.url);
    event.dataTransfer.setData("text/html", imageHtml(gif));
    record(gif, "drag");
    say(quoting("drop", gif));
  });

  // --- Previews that play on hover or focus -------------------------------------

  function holdsStill() {
    return reducedMotion.matches || picker.dataset.animate === "false";
  }

  function show(holder, moving) {
    if (!holder) return;
    holder.querySelectorAll("img[data-moving]").forEach(function (img) {
      const url = moving ? img.dataset.moving : img.dataset.still;
      const source = img.parentElement.querySelector("source");
      if (source) source.srcset = url;
      if (img.getAttribute("src") !== url) img.src = url;
    });
  }

  function playable(element) {
    return element && element.closest && element.closest(".picker-card, .preview-figure");
  }

  // Reduced motion means no motion the agent did not ask for: a hover or a
  // focus (one press of an arrow key) is not asking, so nothing plays then.
  // The GIF's page, one link away, shows it moving for whoever wants to see.
  function play(event) {
    if (reducedMotion.matches) return;
    const holder = playable(event.target);
    if (holder && !holder.contains(event.relatedTarget)) show(holder, true);
  }

  function rest(event) {
    const holder = playable(event.target);
    if (!holder || holder.contains(event.relatedTarget)) return;
    if (holder.contains(document.activeElement) && event.type === "mouseout") return;
    if (holdsStill()) show(holder, false);
  }

  picker.addEventListener("mouseover", play);
  picker.addEventListener("focusin", play);
  picker.addEventListener("mouseout", rest);
  picker.addEventListener("focusout", rest);
  // Asked for while a preview plays (the setting changed mid-shift): stop it.
  reducedMotion.addEventListener("change", function () {
    if (reducedMotion.matches) show(picker, false);
  });

  // --- The preview panel -----------------------------------------------------------

  // In a narrow window the preview covers the whole page (position: fixed):
  // what lies behind it is made inert, so that Tab stays in the preview
  // rather than reaching a header or skip link hidden under it. The status
  // messages and the copy-by-hand box stay usable. Undone on close, or when
  // the window grows wide enough to show both side by side.
  let inertBehind = [];

  function coversThePage() {
    return !panel.hidden && getComputedStyle(panel).position === "fixed";
  }

  function behindThePreview() {
    const behind = [];
    for (let inside = panel; inside && inside !== document.body; inside = inside.parentElement) {
      Array.from(inside.parentElement.children).forEach(function (sibling) {
        if (sibling === inside || sibling.tagName === "SCRIPT") return;
        if (sibling === status || sibling === manual) return;
        behind.push(sibling);
      });
    }
    return behind;
  }

  function keepFocusInPreview() {
    const behind = coversThePage() ? behindThePreview() : [];
    inertBehind.forEach(function (element) {
      if (behind.indexOf(element) === -1) element.inert = false;
    });
    behind.forEach(function (element) { element.inert = true; });
    inertBehind = behind;
  }

  window.addEventListener("resize", function () {
    if (!panel.hidden || inertBehind.length) keepFocusInPreview();
  });

  // Only the last preview asked for may be shown: a slow answer for a card
  // the agent clicked away from must not land after the one they chose,
  // nor one for a preview already closed. From the click (or the context
  // chip that will reload the open preview) until its answer is shown, the
  // preview is busy and copy() refuses it; a request that got no answer
  // leaves it so, since it is not the preview asked for.
  let previewAsked = 0; // the number of the last preview asked for
  let previewShown = 0; // the number of the preview shown (or given up)
  let previewGivenUp = 0; // closed with this one asked for: none up to it shows
  let previewUrl = null; // the address of the last preview asked for
  let previewRequests = 0; // preview requests on their way
  let contextReloads = false; // a new context will reload the open preview
  let contextFailed = false; // ...but the new context did not load
  const previewNumberOf = new WeakMap();

  function previewIsStale() {
    return previewAsked > previewShown || contextReloads;
  }

  function previewLoading() {
    return previewRequests > 0 || (contextReloads && !contextFailed);
  }

  function fromContextBar(event) {
    const elt = event.detail.elt;
    return Boolean(elt && elt.matches && elt.matches("[data-context-bar]"));
  }

  function markPreview() {
    const stale = !panel.hidden && previewIsStale();
    panel.classList.toggle("is-loading", stale);
    if (stale) panel.setAttribute("aria-busy", "true");
    else panel.removeAttribute("aria-busy");
  }

  function closePreview() {
    previewShown = previewGivenUp = previewAsked;
    contextReloads = false;
    markPreview();
    if (panel.hidden) return false;
    panel.hidden = true;
    panel.replaceChildren();
    picker.classList.remove("has-preview");
    keepFocusInPreview();
    const back = opener && opener.isConnected ? opener : search;
    opener = null;
    back.focus();
    return true;
  }

  function openPreview(link) {
    opener = link;
    link.click(); // htmx loads the panel (a plain link opens the GIF's page)
  }

  document.addEventListener("click", function (event) {
    const copyButton = event.target.closest("[data-copy]");
    if (copyButton) {
      copy(copyButton, copyButton.dataset.copy);
      return;
    }
    if (event.target.closest("[data-dismiss-warning]")) {
      dismissWarning();
      return;
    }
    if (event.target.closest("[data-close-preview]")) {
      closePreview();
      return;
    }
    if (event.target.closest("[data-show-keyboard-help]")) {
      event.preventDefault();
      showKeyboardHelp();
      return;
    }
    const link = event.target.closest("[data-card-link]");
    if (link) opener = link;
  });

  // Sent with the request that reloads an open preview for a new context.
  const RELOAD_HEADER = "Picker-Preview-Reload";

  function reloadPreview(url) {
    const headers = {};
    headers[RELOAD_HEADER] = "1";
    window.htmx.ajax("GET", url, { target: panel, headers: headers });
  }

  function previewOpenOrAsked() {
    return !panel.hidden || previewAsked > previewShown;
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target === panel) {
      previewAsked += 1;
      previewNumberOf.set(event.detail.xhr, previewAsked);
      previewUrl = event.detail.requestConfig.path;
      previewRequests += 1;
    } else if (fromContextBar(event) && previewOpenOrAsked()) {
      contextReloads = true;
      contextFailed = false;
    } else {
      return;
    }
    markPreview();
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.target !== panel) return;
    previewRequests = Math.max(0, previewRequests - 1);
    markPreview();
  });

  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      if (fromContextBar(event)) contextFailed = true;
    });
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== panel || !event.detail.shouldSwap) return;
    const number = previewNumberOf.get(event.detail.xhr) || 0;
    if (number !== previewAsked || number <= previewGivenUp) {
      event.detail.shouldSwap = false;
      return;
    }
    previewShown = number;
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== panel) return;
    panel.hidden = false;
    markPreview();
    picker.classList.add("has-preview");
    keepFocusInPreview();
    const config = event.detail.requestConfig;
    const reloaded = Boolean(config && config.headers && config.headers[RELOAD_HEADER]);
    const preview = panel.querySelector("[data-preview]");
    if (reloaded) {
      // The agent just pressed a context chip: the focus stays there (unless
      // it was in the panel, swapped away), and hears what changed here.
      if (preview && preview.dataset.ruledOut) say(preview.dataset.ruledOut);
      const focused = document.activeElement;
      if (focused && focused !== document.body && !panel.contains(focused)) return;
    }
    const heading = panel.querySelector("h2");
    if (heading) heading.focus();
  });

  // --- Keyboard --------------------------------------------------------------------

  let beforeHelp = null; // where the focus was when the shortcuts were shown

  // The "Keyboard" link under the search box: a jump to a closed <details>
  // would show only its summary and leave the focus behind.
  function showKeyboardHelp() {
    if (!help.contains(document.activeElement)) beforeHelp = document.activeElement;
    help.open = true;
    const summary = help.querySelector("summary");
    summary.focus();
    summary.scrollIntoView({ block: "nearest" });
  }
  if (window.location.hash === "#" + help.id) help.open = true;

  // Esc or "?" again: the shortcuts close, and the focus, if it is still in
  // them, goes back where it was when they were shown (a card, the search;
  // the search box if that card was swapped out since). Opened by a click
  // on their summary, they leave the focus there.
  function closeKeyboardHelp() {
    if (!help.open) return false;
    help.open = false;
    if (beforeHelp && help.contains(document.activeElement)) {
      const back = beforeHelp.isConnected && beforeHelp !== document.body ? beforeHelp : search;
      back.focus();
    }
    beforeHelp = null;
    return true;
  }

  function isTyping(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
    if (element.tagName !== "INPUT") return false;
    return !/^(button|submit|reset|checkbox|radio|file|image|range|color)$/.test(element.type);
  }

  // The first field in `root` with something typed in it, or null. (Not a
  // hidden one: every form holds its CSRF token.)
  function typedFieldIn(root) {
    return Array.from(root.querySelectorAll("input, textarea, select")).find(function (field) {
      return field.type !== "hidden" && isTyping(field) && field.value.trim() !== "";
    }) || null;
  }

  function holdsTypedText(element) {
    const form = element.closest && element.closest("form");
    return Boolean(form && typedFieldIn(form));
  }

  // The letter a shortcut key stands for, in any keyboard layout: the letter
  // typed when it is a Latin one (so that L is where the keycap says on
  // AZERTY or Dvorak), otherwise the key's place on a US keyboard (with a
  // Russian layout M types "ь", from the key whose code is KeyM).
  function letterOf(event) {
    if (/^[a-z]$/i.test(event.key)) return event.key.toLowerCase();
    const place = /^Key([A-Z])$/.exec(event.code || "");
    return place ? place[1].toLowerCase() : "";
  }

  function cardLinks() {
    return Array.from(results.querySelectorAll("[data-card-link]")).filter(function (link) {
      return link.offsetParent !== null;
    });
  }

  function focusCard(link) {
    if (!link) return;
    link.focus();
    link.closest("[data-gif]").scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // Up and down go to the nearest card in the row above or below, by what is
  // on screen: that is the grid's column count, and it also crosses from one
  // row of cards ("Recently used", "Team favourites") to the next.
  function vertical(links, current, direction) {
    const here = current.closest("[data-gif]").getBoundingClientRect();
    const centre = here.left + here.width / 2;
    let best = null;
    let bestRow = Infinity;
    let bestColumn = Infinity;
    links.forEach(function (link) {
      const box = link.closest("[data-gif]").getBoundingClientRect();
      const rowGap = direction > 0 ? box.top - here.top : here.top - box.top;
      if (rowGap < 1) return;
      const columnGap = Math.abs(box.left + box.width / 2 - centre);
      if (rowGap < bestRow - 1 || (Math.abs(rowGap - bestRow) <= 1 && columnGap < bestColumn)) {
        best = link;
        bestRow = rowGap;
        bestColumn = columnGap;
      }
    });
    return best;
  }

  function move(current, key) {
    const links = cardLinks();
    const index = links.indexOf(current);
    let target = null;
    if (key === "ArrowLeft") target = links[index - 1];
    if (key === "ArrowRight") target = links[index + 1];
    if (key === "ArrowDown") target = vertical(links, current, 1);
    if (key === "ArrowUp") target = vertical(links, current, -1);
    if (target) focusCard(target);
    else if (key === "ArrowUp" || (key === "ArrowLeft" && index === 0)) search.focus();
  }

  function clearSearch() {
    const filters = document.querySelectorAll('input[type=hidden][form="picker-search"]');
    const hadSomething = search.value !== "" || Array.from(filters).some(function (input) {
      return input.value !== "";
    });
    search.value = "";
    filters.forEach(function (input) { input.value = ""; });
    search.focus();
    if (hadSomething) form.requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    const key = event.key;

    if (key === "Escape") {
      // Esc in a text field of the preview (a flag's note), or anywhere in a
      // form of it holding typed text (the flag's reason buttons), is left
      // alone: closing the panel there would throw away what was typed.
      const typingElsewhere = isTyping(target) && target !== search;
      if (hideManualCopy() || dismissWarning()) {
        event.preventDefault();
      } else if (panel.contains(target) && (typingElsewhere || holdsTypedText(target))) {
        return;
      } else if (closeKeyboardHelp()) {
        event.preventDefault();
      } else if (!panel.hidden && typedFieldIn(panel)) {
        // Elsewhere (the heading, the search box), Esc would close the panel
        // and the note with it: keep both, and say how to go on.
        event.preventDefault();
        typedFieldIn(panel).focus();
        say(t("note_kept_on_escape", {}));
      } else if (closePreview()) {
        event.preventDefault();
      } else if (!typingElsewhere) {
        event.preventDefault();
        clearSearch();
      }
      return;
    }
    if (isTyping(target)) {
      if (target === search && key === "ArrowDown") {
        event.preventDefault();
        focusCard(cardLinks()[0]);
      }
      return;
    }
    // "/" and "?" by the key typed, or by the place of the US slash key:
    // other layouts type something else there ("." and "," in Russian).
    const slashKey = event.code === "Slash";
    if (key === "/" || (slashKey && !event.shiftKey)) {
      event.preventDefault();
      // In a narrow window the preview covers the search box: close it first,
      // unless that would throw away a flag note being typed (Esc keeps it
      // too): then the note keeps the preview open, and the focus goes to it.
      if (coversThePage()) {
        const typed = typedFieldIn(panel);
        if (typed) {
          typed.focus();
          say(t("note_kept", {}));
          return;
        }
        closePreview();
      }
      search.focus();
      search.select();
      return;
    }
    if (key === "?" || (slashKey && event.shiftKey)) {
      event.preventDefault();
      if (!closeKeyboardHelp()) {
        beforeHelp = document.activeElement;
        help.open = true;
        help.querySelector("summary").focus();
      }
      return;
    }

    const letters = { l: "link", i: "rich", m: "markdown" };
    const letter = letterOf(event);
    // In the open preview (its heading, its image, a copy button: a text
    // field such as the flag note was left alone above), Enter and L, I, M
    // copy as they do on a card. Enter on a button, a link or a summary
    // there still presses it.
    if (panel.contains(target)) {
      if (event.shiftKey) return;
      const pressable = target.closest("a, button, input, select, textarea, summary, label");
      if (key === "Enter" && !pressable) {
        event.preventDefault();
        copy(target, defaultFormat());
      } else if (letters[letter]) {
        event.preventDefault();
        copy(target, letters[letter]);
      }
      return;
    }
    const link = target.closest && target.closest("[data-card-link]");
    if (!link || event.shiftKey) return;
    if (key === "Enter") {
      event.preventDefault();
      copy(link, defaultFormat());
    } else if (letters[letter]) {
      event.preventDefault();
      copy(link, letters[letter]);
    } else if (key === " " || letter === "o") {
      event.preventDefault();
      openPreview(link);
    } else if (/^Arrow/.test(key)) {
      event.preventDefault();
      move(link, key);
    }
  });

  // --- Results on their way ----------------------------------------------------------

  // From the first keystroke of a new search (htmx waits a moment before
  // asking) until its results are in, the cards shown are stale: marked
  // busy, dimmed, and not copied (copy() refuses them). A search that failed
  // (offline, a server error) leaves them stale: they are still the answer
  // to the words before, not to those in the box.
  const loading = new Map(); // requests for new results on their way: their words
  let shownQuery = search.value; // the words the results shown answer
  let searchFailed = false; // the last search asked for got no results
  // Answers can land out of order (a slow search, then a quick context
  // chip): only an answer to a later request than the one shown may replace
  // the results, or an old search would show GIFs of the context just left.
  let requestNumber = 0;
  let shownNumber = 0;
  const numberOf = new WeakMap();
  const overtaken = new WeakSet();

  // A failed chip (a context, a mood) counts too: the agent asked for other
  // results than the ones still shown.
  function resultsAreStale() {
    return loading.size > 0 || searchFailed || search.value !== shownQuery;
  }

  function markStaleness() {
    const stale = resultsAreStale();
    results.classList.toggle("is-loading", stale);
    if (stale) results.setAttribute("aria-busy", "true");
    else results.removeAttribute("aria-busy");
  }

  function asksForResults(event) {
    return event.detail.target === results;
  }

  search.addEventListener("input", markStaleness);
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (!asksForResults(event)) return;
    requestNumber += 1;
    numberOf.set(event.detail.xhr, requestNumber);
    loading.set(event.detail.xhr, search.value);
    searchFailed = false;
    markStaleness();
  });
  // Answered, failed or replaced by a newer search (htmx:afterRequest comes
  // for each of those; the others are there in case it ever does not).
  ["htmx:afterRequest", "htmx:sendAbort", "htmx:sendError", "htmx:timeout"].forEach(
    function (name) {
      document.body.addEventListener(name, function (event) {
        const xhr = event.detail.xhr;
        if (!xhr || !loading.has(xhr)) return;
        if (name === "htmx:afterRequest" && event.detail.successful && !overtaken.has(xhr)) {
          shownQuery = loading.get(xhr);
        }
        loading.delete(xhr);
        markStaleness();
      });
    }
  );

  // Not a search given up for a newer one (an abort): one that got no answer.
  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      if (!asksForResults(event)) return;
      searchFailed = true;
      markStaleness();
    });
  });

  // --- Browser history -----------------------------------------------------------------

  // Each search the agent types gets one entry in the browser's history: the
  // first answer of a search pushes its URL, the ones that follow as the
  // agent goes on typing replace it (the server does either; this asks). A
  // search typed after anything else (Enter, a chip, leaving the box, a new
  // page) is another search, with an entry of its own.
  let typingOn = false; // the last results shown came from typing

  function typed(requestConfig) {
    const trigger = requestConfig && requestConfig.triggeringEvent;
    return Boolean(trigger && trigger.type === "input" && requestConfig.elt === form);
  }

  // Each context click is stamped with a number that only grows, so the
  // server ignores an abandoned earlier click that reaches it late.
  let contextStamp = 0;
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (typingOn && typed(event.detail)) event.detail.headers["Picker-History"] = "replace";
    const elt = event.detail.elt;
    if (elt && elt.matches && elt.matches("[data-context-bar]")) {
      contextStamp = Math.max(Date.now(), contextStamp + 1);
      event.detail.parameters.stamp = String(contextStamp);
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (!asksForResults(event) || !event.detail.successful) return;
    typingOn = typed(event.detail.requestConfig);
  });
  search.addEventListener("blur", function () { typingOn = false; });

  // "Got it" on the house rules returns to the page as it is now, not as it
  // was drawn: the searches and chips since then changed the address (the
  // form's own `next`, from the server, is for a page without scripts). The
  // server still accepts only an address of this site.
  document.addEventListener("submit", function (event) {
    const rulesForm = event.target;
    if (!rulesForm.closest || !rulesForm.closest("[data-house-rules]")) return;
    const next = rulesForm.querySelector("input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });

  // --- Swaps -----------------------------------------------------------------------

  // A new set of results replaces the cards: if the focus was among them (a
  // card, "Look in every mood") and nothing with the same id came back to
  // take it (htmx keeps it on a filter chip), the first new card takes it,
  // else the note that nothing matches, so the keyboard never falls back
  // to the page.
  let focusWasInResults = false;
  // "Show more" replaces itself with the next cards: the link that had focus
  // is gone, so focus goes on to the first new card, where reading left off.
  let cardsBeforeMore = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target === results) {
      const number = numberOf.get(event.detail.xhr) || 0;
      if (number && number < shownNumber) {
        overtaken.add(event.detail.xhr);
        event.detail.shouldSwap = false;
        return;
      }
      shownNumber = Math.max(shownNumber, number);
      focusWasInResults = results.contains(document.activeElement);
    }
    const more = event.detail.target;
    if (more && more.matches && more.matches("li.more") && more.contains(document.activeElement)) {
      cardsBeforeMore = cardLinks().length;
    }
  });

  function focusFirstResult() {
    const first = cardLinks()[0];
    if (first) {
      focusCard(first);
      return;
    }
    const empty = results.querySelector("[data-empty]");
    (empty || search).focus();
  }

  // A session that ended mid-shift needs nothing here: the server answers
  // with HX-Redirect, and htmx sends the whole page to the login, which says
  // why and leads back to this page (library.views.log_in_again).

  // 403: the CSRF token or the session changed since the page loaded (a
  // login in another tab, a page open all night): only a reload helps, and
  // the warning stays until the agent has read it.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 403) warn(t("reload", {}));
    else say(t("server_error", {}));
  });
  document.body.addEventListener("htmx:sendError", function () {
    say(t("offline", {}));
  });

  function reveal(root) {
    root.querySelectorAll("[data-js-only]").forEach(function (element) {
      element.hidden = false;
    });
  }

  // Screen readers hear how many GIFs a new search found. Emptied first, so
  // that the same count twice (another word, as many GIFs) is read again.
  const announcement = document.querySelector("[data-results-announcement]");
  let announcementTimer = null;
  function announceResults() {
    const summary = results.querySelector("[data-results-summary]");
    if (!announcement || !summary) return;
    window.clearTimeout(announcementTimer);
    announcement.textContent = "";
    announcementTimer = window.setTimeout(function () {
      announcement.textContent = summary.textContent;
    }, 20);
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    reveal(event.detail.elt || document);
    if (cardsBeforeMore !== null) {
      const next = cardLinks()[cardsBeforeMore];
      cardsBeforeMore = null;
      if (next && !results.contains(document.activeElement)) focusCard(next);
    }
    if (event.detail.target === results) {
      announceResults();
      if (focusWasInResults && !results.contains(document.activeElement)) {
        focusFirstResult();
      }
      focusWasInResults = false;
      // A new context changes the warnings in an open preview (or one on
      // its way): ask for the last one again, under the new context.
      const fromContexts = event.detail.requestConfig &&
        event.detail.requestConfig.elt && event.detail.requestConfig.elt.closest &&
        event.detail.requestConfig.elt.closest("[data-context-bar]");
      if (fromContexts && contextReloads) {
        contextReloads = false;
        if (previewUrl && previewOpenOrAsked() && window.htmx) reloadPreview(previewUrl);
        markPreview();
      }
    }
  });

  reveal(document);
  picker.setAttribute("data-ready", ""); // for tests and styles that need the script
})();
