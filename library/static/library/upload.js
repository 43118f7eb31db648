// Drag-and-drop for the upload form: dropped files join the file input, so
// the form submits exactly as if they had been chosen with the picker.
(function () {
  "use strict";
  const form = document.querySelector(".upload-form");
  if (!form) return;
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector("[data-chosen]");
  const tooMany = form.querySelector("[data-too-many]");
  const maxBytes = Number(form.dataset.maxBytes);
  const maxFiles = Number(form.dataset.maxFiles);
  // Shown sentences come in the page's language, from the JSON data block the
  // template renders (library/templatetags/js_messages.py).
  const MESSAGES = JSON.parse(document.getElementById("js-messages").textContent);
  const lang = document.documentElement.lang || "en";
  const plurals = new Intl.PluralRules(lang);

  function number(value, digits) {
    return value.toLocaleString(lang, { maximumFractionDigits: digits, useGrouping: false });
  }

  function describe(bytes) {
    if (bytes >= 1e6) return MESSAGES.megabytes.replace("{size}", number(bytes / 1e6, 1));
    if (bytes >= 1e5) return MESSAGES.kilobytes.replace("{size}", number(bytes / 1e3, 0));
    if (bytes >= 1e3) return MESSAGES.kilobytes.replace("{size}", number(bytes / 1e3, 1));
    return plural(MESSAGES.bytes, bytes);
  }

  function plural(forms, count, shown) {
    const form = forms[plurals.select(count)] || forms.other;
    return form.replace("{count}", shown === undefined ? count : shown);
  }

  function exactly(bytes) {
    return plural(MESSAGES.bytes, bytes, bytes.toLocaleString(lang));
  }

  function showChosen() {
    list.replaceChildren();
    for (const file of input.files) {
      const item = document.createElement("li");
      let size = describe(file.size);
      let limit = describe(maxBytes);
      // Rounded, a file just over the limit reads like the limit ("15 MB"):
      // then only exact figures show what is wrong.
      if (file.size > maxBytes && size === limit) {
        size = exactly(file.size);
        limit = exactly(maxBytes);
      }
      item.textContent = file.name + " (" + size + ")";
      if (maxBytes && file.size > maxBytes) {
        // The server refuses it too; saying so now saves a wasted upload.
        item.className = "too-large";
        item.textContent += ": " + MESSAGES.too_large.replace("{limit}", limit);
      }
      list.append(item);
    }
    // The server refuses the whole selection when it holds too many files.
    const over = maxFiles && input.files.length > maxFiles;
    tooMany.hidden = !over;
    tooMany.textContent = over ? plural(MESSAGES.too_many, maxFiles) : "";
  }

  function addFiles(files) {
    const merged = new DataTransfer();
    for (const file of input.files) merged.items.add(file);
    for (const file of files) merged.items.add(file);
    input.files = merged.files;
    showChosen();
  }

  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  zone.addEventListener("dragleave", function (event) {
    // Moving over the file input inside the zone is not leaving it.
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", function () { zone.classList.remove("dragging"); });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      addFiles(event.dataTransfer.files);
    }
  });
  input.addEventListener("change", showChosen);
})();
