// Remembered browsers: "Don't ask for a code on this browser for N days".
//
// On a second-step page (`[data-remember]`, the account's handle): the checkbox is hidden in the
// HTML and shown here, so without JavaScript the option is simply not there. When it is ticked,
// this script makes an ECDSA P-256 key pair with WebCrypto that is NOT extractable (script can ask
// it to sign, nobody can read the private half out of the browser), keeps the CryptoKeyPair in
// IndexedDB under the account's handle, and puts the raw public key (65 bytes, base64url) into the
// form's `remember_key`, which the server registers once the second step has passed.
//
// On `/login/browser` (`[data-remember-sign]`): it finds this account's key pair, signs
//   UTF-8 "portcullis-remembered-browser\n" + challenge
// (ECDSA with SHA-256; WebCrypto's r||s form, base64url), and posts the key's id (base64url
// SHA-256 of the raw public key) and the signature. No key, no IndexedDB, no WebCrypto, or any
// error: on to the code page instead.
"use strict";

(function () {
  var DB = "portcullis";
  var STORE = "remembered-browsers";
  var PREFIX = "portcullis-remembered-browser\n";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE);
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function put(handle, keyPair) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, "readwrite");
        tx.objectStore(STORE).put(keyPair, handle);
        tx.oncomplete = function () { db.close(); resolve(); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function get(handle) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, "readonly");
        var req = tx.objectStore(STORE).get(handle);
        req.onsuccess = function () { db.close(); resolve(req.result); };
        req.onerror = function () { db.close(); reject(req.error); };
      });
    });
  }

  function base64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  var supported = !!(window.crypto && crypto.subtle && window.indexedDB && window.Promise);

  // ---- The checkbox on the second-step pages ----

  function offer(root) {
    var box = root.querySelector("input[type=checkbox]");
    var field = root.querySelector("input[name=remember_key]");
    var form = root.closest("form");
    if (!box || !field) {
      return;
    }
    var handle = root.getAttribute("data-remember");
    var pending = null;
    // The push page's script sends the key with its polls, and wants to know when it changes.
    function changed() {
      document.dispatchEvent(new CustomEvent("portcullis:remember-key"));
    }
    root.hidden = false;

    function makeKey() {
      field.value = "";
      pending = crypto.subtle
        .generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])
        .then(function (pair) {
          return put(handle, pair).then(function () {
            return crypto.subtle.exportKey("raw", pair.publicKey);
          });
        })
        .then(function (raw) {
          if (box.checked) {
            field.value = base64url(raw);
            changed();
          }
        })
        .catch(function () {
          field.value = "";
        });
      return pending;
    }

    box.addEventListener("change", function () {
      if (box.checked) {
        makeKey();
      } else {
        field.value = "";
        changed();
      }
    });

    // A box ticked a moment before the form is sent: wait for the key, then send. (On the push
    // page there is no form: push.js sends the key with its polls.)
    if (!form) {
      return;
    }
    form.addEventListener("submit", function (event) {
      if (box.checked && !field.value && pending) {
        event.preventDefault();
        pending.then(function () {
          HTMLFormElement.prototype.submit.call(form);
        });
      }
    });
  }

  // ---- The remembered-browser step ----

  function sign(form) {
    var handle = form.getAttribute("data-remember-sign");
    var fallback = form.getAttribute("data-fallback");
    var status = form.querySelector("[data-remember-status]");
    function giveUp() {
      window.location.replace(fallback);
    }
    if (!supported) {
      giveUp();
      return;
    }
    var challenge = form.elements.challenge.value;
    get(handle)
      .then(function (pair) {
        if (!pair || !pair.privateKey || !pair.publicKey) {
          throw new Error("no key for this account in this browser");
        }
        var message = new TextEncoder().encode(PREFIX + challenge);
        return Promise.all([
          crypto.subtle.exportKey("raw", pair.publicKey).then(function (raw) {
            return crypto.subtle.digest("SHA-256", raw);
          }),
          crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, message),
        ]);
      })
      .then(function (results) {
        form.elements.browser_id.value = base64url(results[0]);
        form.elements.signature.value = base64url(results[1]);
        if (status) {
          status.textContent = form.getAttribute("data-say-signing-in") || "";
        }
        HTMLFormElement.prototype.submit.call(form);
      })
      .catch(giveUp);
  }

  var signForm = document.querySelector("[data-remember-sign]");
  if (signForm) {
    sign(signForm);
  }
  if (supported) {
    document.querySelectorAll("[data-remember]").forEach(offer);
  }
})();
