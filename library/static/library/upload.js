// Drag-and-drop for the upload form: dropped files and picked files make one
// list, kept in the file input, so the form submits exactly as if they had all
// been chosen with the picker at once.
(function () {
  "use strict";
  const form = document.querySelector(".upload-form");
  if (!form) return;
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector("[data-chosen]");
  const tooMany = form.querySelector("[data-too-many]");
  const note = form.querySelector("[data-chosen-note]");
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

  // Every file chosen so far, by drop or picker. A browser's picker replaces
  // what the input held, so the list lives here and is given back to the input.
  const chosen = new DataTransfer();

  // The same file from disk again: a second copy would only come back refused
  // as a duplicate of the first.
  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  function describeFile(file) {
    let size = describe(file.size);
    let limit = describe(maxBytes);
    // Rounded, a file just over the limit reads like the limit ("15 MB"):
    // then only exact figures show what is wrong.
    if (file.size > maxBytes && size === limit) {
      size = exactly(file.size);
      limit = exactly(maxBytes);
    }
    let text = file.name + " (" + size + ")";
    if (maxBytes && file.size > maxBytes) {
      // The server refuses it too; saying so now saves a wasted upload.
      text += ": " + MESSAGES.too_large.replace("{limit}", limit);
    }
    return text;
  }

  function showChosen() {
    list.replaceChildren();
    Array.from(input.files).forEach(function (file, index) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "chosen-file";
      name.textContent = describeFile(file);
      if (maxBytes && file.size > maxBytes) item.className = "too-large";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = MESSAGES.remove;
      // Several "Remove" buttons: each names its file for a screen reader.
      // A function, so that "$&" in a file name is not a replacement pattern.
      const label = MESSAGES.remove_file.replace("{name}", function () { return file.name; });
      remove.setAttribute("aria-label", label);
      remove.addEventListener("click", function () { removeFile(index); });
      item.append(name, " ", remove);
      list.append(item);
    });
    // The server refuses the whole selection when it holds too many files.
    const over = maxFiles && input.files.length > maxFiles;
    tooMany.hidden = !over;
    tooMany.textContent = over ? plural(MESSAGES.too_many, maxFiles) : "";
  }

  // A status region, never hidden, so that screen readers notice its changes.
  function tell(sentences) {
    note.textContent = sentences.join(" ");
  }

  function addFiles(files) {
    const again = [];
    for (const file of files) {
      if (Array.from(chosen.files).some(function (kept) { return sameFile(kept, file); })) {
        again.push(MESSAGES.already_chosen.replace("{name}", function () { return file.name; }));
      } else {
        chosen.items.add(file);
      }
    }
    input.files = chosen.files;
    tell(again);
    showChosen();
  }

  function removeFile(index) {
    const name = chosen.files[index].name;
    chosen.items.remove(index);
    input.files = chosen.files;
    tell([MESSAGES.removed.replace("{name}", function () { return name; })]);
    showChosen();
    // The pressed button is gone: keep the keyboard in the list, on the
    // file that took its place, else the one before, else the picker.
    const buttons = list.querySelectorAll("button");
    const next = buttons[Math.min(index, buttons.length - 1)];
    (next || input).focus();
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
  // The picker's choice joins the list. A picker closed without a choice may
  // empty the input: giving the list back undoes that too.
  input.addEventListener("change", function () { addFiles(Array.from(input.files)); });
})();
