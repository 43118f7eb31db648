// The preferences page: copy a new API token with one click. It is shown
// once, so the button says plainly whether the copy worked.
(function () {
  "use strict";

  function copyBySelection(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(input) {
    const clipboard = navigator.clipboard;
    if (clipboard && clipboard.writeText) {
      return clipboard.writeText(input.value).then(
        function () { return true; },
        function () { return copyBySelection(input); }
      );
    }
    return Promise.resolve(copyBySelection(input));
  }

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.hidden = false;
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy-from]");
    if (!button) return;
    const input = document.getElementById(button.dataset.copyFrom);
    const status = document.querySelector("[data-copy-status]");
    copy(input).then(function (copied) {
      if (!copied) input.select();  // so Ctrl+C takes it
      status.textContent = copied ? button.dataset.copied : button.dataset.copyFailed;
    });
  });
})();
