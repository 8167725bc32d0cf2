// Passkeys and security keys on our pages. The CSP allows no inline script, so every page that
// talks to an authenticator loads this one file and marks its form:
//
// - `data-webauthn="create"` (add a key, on the security page and in the setup at sign-in) and
//   `data-webauthn="get"` (the second step after the password): the server started the ceremony
//   when it rendered the page and put the options (WebAuthn Level 3 JSON) in `data-options`.
//   On submit the script asks the authenticator, writes `JSON.stringify(credential.toJSON())`
//   into the form's hidden `credential` input and sends the form; the CSRF token and the
//   ceremony are already in it. `data-autostart` asks once as soon as the page is shown.
// - `data-webauthn="passkey"` (sign in with a passkey, no password): the options come from the
//   public API (`POST /api/v1/login/passkey/start`), the ceremony goes into the hidden
//   `ceremony` input. The browser's passkey autofill (conditional mediation) is offered on the
//   username field where the browser supports it.
//
// Without this script, or without WebAuthn in the browser, the forms still reach the server,
// which answers with a page that says what to do; the script says it here first.
"use strict";

(function () {
  var supported = !!(window.PublicKeyCredential && navigator.credentials &&
    navigator.credentials.create && navigator.credentials.get);
  // The words come from the page, in its language: the `data-say-…` attributes of the form's
  // `[data-webauthn-words]` element (templates/_webauthn_words.html). A form without them says
  // nothing rather than English.
  function words(form, name) {
    var source = form.querySelector("[data-webauthn-words]");
    return (source && source.getAttribute("data-say-" + name)) || "";
  }

  // Base64url without padding, as the WebAuthn JSON encoding uses it, for browsers without
  // `parse…OptionsFromJSON` and `toJSON`.
  function toBuffer(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var binary = window.atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function copy(object, changes) {
    var out = {};
    Object.keys(object).forEach(function (key) {
      out[key] = object[key];
    });
    Object.keys(changes).forEach(function (key) {
      out[key] = changes[key];
    });
    return out;
  }

  function withIds(list) {
    return (list || []).map(function (c) {
      return copy(c, { id: toBuffer(c.id) });
    });
  }

  function creationOptions(json) {
    if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return copy(json, {
      challenge: toBuffer(json.challenge),
      user: copy(json.user, { id: toBuffer(json.user.id) }),
      excludeCredentials: withIds(json.excludeCredentials)
    });
  }

  function requestOptions(json) {
    if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return copy(json, {
      challenge: toBuffer(json.challenge),
      allowCredentials: withIds(json.allowCredentials)
    });
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") {
      return credential.toJSON();
    }
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) {
        response.userHandle = toText(r.userHandle);
      }
    }
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: typeof credential.getClientExtensionResults === "function"
        ? credential.getClientExtensionResults() : {}
    };
  }

  // The line under the form that says what the browser did.
  function say(form, text) {
    var line = form.querySelector("[data-webauthn-status]");
    if (!line) {
      return;
    }
    line.textContent = text;
    line.hidden = !text;
  }

  function explain(form, error) {
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      return words(form, "cancelled");
    }
    if (error && error.name === "InvalidStateError") {
      return words(form, "registered");
    }
    return words(form, "refused");
  }

  function busy(form, on) {
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = on;
    });
  }

  // Sends the form with the authenticator's answer. `requestSubmit` would run our own handler
  // again, so the plain `submit` is used.
  function send(form, credential) {
    form.querySelector("input[name='credential']").value =
      JSON.stringify(credentialJSON(credential));
    form.setAttribute("data-sent", "1");
    form.submit();
  }

  function ask(form, kind, options) {
    if (kind === "create") {
      return navigator.credentials.create({ publicKey: creationOptions(options) });
    }
    return navigator.credentials.get({ publicKey: requestOptions(options) });
  }

  // A form whose ceremony the server started (add a key, the second step).
  function ceremonyForm(form, kind) {
    var options;
    try {
      options = JSON.parse(form.getAttribute("data-options"));
    } catch (e) {
      options = null;
    }
    function run() {
      if (!supported) {
        say(form, words(form, "unsupported"));
        return;
      }
      if (form.getAttribute("data-sent")) {
        return;
      }
      var name = form.querySelector("input[name='name']");
      if (name && !name.value.trim()) {
        say(form, words(form, "name-first"));
        name.focus();
        return;
      }
      say(form, words(form, kind === "create" ? "create-prompt" : "get-prompt"));
      busy(form, true);
      ask(form, kind, options).then(function (credential) {
        send(form, credential);
      }, function (error) {
        busy(form, false);
        say(form, explain(form, error));
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run();
    });
    if (!supported) {
      say(form, words(form, "unsupported"));
    } else if (form.hasAttribute("data-autostart")) {
      run();
    }
  }

  // Sign in with a passkey: options from the public API, fresh for every attempt (a ceremony
  // answers once), and the browser's autofill on the username field where it has one.
  function passkeyForm(form) {
    var autofill = null;

    function start() {
      return fetch("/api/v1/login/passkey/start", {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: "{}"
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      });
    }

    function get(start, extra) {
      form.querySelector("input[name='ceremony']").value = start.ceremony;
      var request = { publicKey: requestOptions(start.publicKey) };
      Object.keys(extra).forEach(function (key) {
        request[key] = extra[key];
      });
      return navigator.credentials.get(request);
    }

    function button() {
      if (!supported) {
        say(form, words(form, "unsupported"));
        return;
      }
      if (autofill) {
        autofill.abort();
        autofill = null;
      }
      say(form, words(form, "passkey-prompt"));
      busy(form, true);
      start().then(function (s) {
        return get(s, {});
      }).then(function (credential) {
        send(form, credential);
      }, function (error) {
        busy(form, false);
        // The browser's refusals are DOMExceptions; anything else is the request for options.
        say(form, error instanceof DOMException ? explain(form, error)
          : words(form, "passkey-failed"));
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button();
    });

    if (!supported || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") {
      return;
    }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) {
        return;
      }
      var controller = new AbortController();
      autofill = controller;
      start().then(function (s) {
        if (controller.signal.aborted) {
          // The button took over meanwhile with a ceremony of its own.
          throw new Error("aborted");
        }
        return get(s, { mediation: "conditional", signal: controller.signal });
      }).then(function (credential) {
        if (credential) {
          send(form, credential);
        }
      }, function () {
        // Aborted by the button, or nothing chosen: the button remains.
      });
    }, function () {});
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    var kind = form.getAttribute("data-webauthn");
    if (kind === "passkey") {
      passkeyForm(form);
    } else if (kind === "create" || kind === "get") {
      ceremonyForm(form, kind);
    }
  });
})();
