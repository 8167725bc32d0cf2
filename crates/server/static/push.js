// The live status of a sign-in request sent to the companion app (`/login/push`). The page names
// a same-origin status URL in `data-push-status`; this script long-polls it (the server holds each
// request up to `wait` seconds and answers at once when the app decides). The answer is JSON
// `{"status","message"?,"next"?}`: with `next` the sign-in is over one way or another and the
// browser goes there (on approval the answer has already set the session cookie); `pending` polls
// again; anything else is a final word (denied, expired, superseded by a newer request) that
// replaces the waiting line.
//
// Without this script the page still works: its "I approved it — continue" button asks once. The
// script hides that button while polling works and shows it again if the server cannot be reached.
"use strict";

(function () {
  var root = document.querySelector("[data-push-status]");
  var status = document.getElementById("push-status");
  if (!root || !status || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-push-status");
  var fallback = document.querySelectorAll("[data-push-nojs]");
  var failures = 0;
  var controller = null;

  setFallbackHidden(true);
  poll();

  // "Don't ask for a code on this browser" ticked or unticked while a poll waits: ask again at
  // once, so that the poll that sees the approval carries the person's latest choice.
  document.addEventListener("portcullis:remember-key", function () {
    if (controller) {
      controller.abort();
      poll();
    }
  });

  function poll() {
    // A ticked "Don't ask for a code on this browser" (remember.js) goes with every poll; the
    // one that finds the request approved registers it.
    var remember = document.querySelector("input[name=remember_key]");
    var extra = remember && remember.value ? "&remember_key=" + encodeURIComponent(remember.value) : "";
    var mine = window.AbortController ? new AbortController() : null;
    controller = mine;
    fetch(url + "?wait=25" + extra, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
      signal: mine ? mine.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(answer, function (error) {
        // Replaced by a newer poll: that one carries on.
        if (!(mine && mine.signal.aborted)) {
          retry(error);
        }
      });
  }

  function answer(body) {
    failures = 0;
    setFallbackHidden(true);
    if (body.next) {
      if (body.message) {
        say(body.message, "push-status");
      }
      window.location.assign(body.next);
      return;
    }
    if (body.status === "pending") {
      poll();
      return;
    }
    // Decided without a way forward here: the number is void, the choices below remain.
    say(body.message || root.getAttribute("data-say-over") || "",
      "notice notice--warning");
    var number = document.getElementById("push-number");
    if (number) {
      number.classList.add("push-number--void");
      number.setAttribute("aria-hidden", "true");
    }
    var again = document.getElementById("push-send-again");
    if (again) {
      again.classList.remove("button--secondary");
      again.classList.add("button--primary");
    }
  }

  // A dropped connection or a restarted server: try again, slower each time, and offer the
  // plain button meanwhile.
  function retry() {
    failures += 1;
    if (failures >= 2) {
      setFallbackHidden(false);
    }
    window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
  }

  function say(text, className) {
    status.className = className;
    status.textContent = text;
  }

  function setFallbackHidden(hidden) {
    fallback.forEach(function (element) {
      element.hidden = hidden;
    });
  }
})();
