// Copy buttons. A button `<button data-copy="ID" hidden>` copies the text of element ID; with
// `data-copy-compact` on that element, without its spaces (the grouped authenticator key). The
// buttons stay hidden where this script does not run or the clipboard is unavailable: the text
// itself is always on the page to select by hand. A status element next to the button says when
// the copy is done, for screen readers too. Its words come from the button, in the page's
// language: `data-copied-message` once copied, `data-copy-failed-message` when copying is refused.
"use strict";

document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var status = button.parentElement.querySelector("[role='status']");
  var timer = null;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = source.hasAttribute("data-copy-compact")
      ? source.textContent.replace(/\s+/g, "")
      : source.innerText.trim();
    navigator.clipboard.writeText(text).then(
      function () {
        say(button.getAttribute("data-copied-message") || "");
      },
      function () {
        selectText(source);
        say(button.getAttribute("data-copy-failed-message") || "");
      }
    );
  });

  function say(message) {
    if (!status) {
      return;
    }
    status.textContent = message;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      status.textContent = "";
    }, 4000);
  }
});

function selectText(element) {
  var range = document.createRange();
  range.selectNodeContents(element);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// A page that shows a secret once (`data-shown-once`) must not come back from the browser's
// back/forward cache, which Chromium also uses for pages sent with `no-store`: fetched again,
// it says "already shown" instead.
window.addEventListener("pageshow", function (event) {
  if (event.persisted && document.querySelector("[data-shown-once]")) {
    window.location.reload();
  }
});
