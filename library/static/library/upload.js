// Drag-and-drop for the upload form: dropped files join the file input, so
// the form submits exactly as if they had been chosen with the picker.
(function () {
  "use strict";
  const form = document.querySelector(".upload-form");
  if (!form) return;
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector("[data-chosen]");
  const maxBytes = Number(form.dataset.maxBytes);

  function describe(bytes) {
    if (bytes >= 1e6) return (bytes / 1e6).toFixed(1).replace(/\.0$/, "") + " MB";
    if (bytes >= 1e5) return Math.round(bytes / 1e3) + " KB";
    if (bytes >= 1e3) return (bytes / 1e3).toFixed(1).replace(/\.0$/, "") + " KB";
    return bytes + " bytes";
  }

  function showChosen() {
    list.replaceChildren();
    for (const file of input.files) {
      const item = document.createElement("li");
      item.textContent = file.name + " (" + describe(file.size) + ")";
      if (maxBytes && file.size > maxBytes) {
        // The server refuses it too; saying so now saves a wasted upload.
        item.className = "too-large";
        item.textContent += ": larger than " + describe(maxBytes) + ", it will be refused";
      }
      list.append(item);
    }
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
