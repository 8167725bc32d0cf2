# The sign-in pages: the password, the second step (code, recovery code, companion app, security
# key, remembered browser), the setup an administrator requires, a step-up, "Lost your phone?",
# a forgotten password, confirmations, and the pages an application (OIDC) sends a person to.
# The German file says the same in the same order; docs/glossary.md fixes the terms.

## The password: login.html

sign-in-title = Sign in
sign-in-lead-mfa = The application you are going to asks for two-factor authentication: sign in with your password and a second factor.
sign-in-lead-phr = The application you are going to asks for a security key or passkey: sign in with your password and your key, or with a passkey.
sign-in-lead = Welcome back. Sign in to manage your account.
sign-in-email = Email
sign-in-password = Password
sign-in-submit = Sign in
sign-in-or = or
sign-in-passkey = Sign in with a passkey
sign-in-forgot-link = Forgot your password?
sign-in-lost-phone-link = Lost your phone?
sign-in-lost-phone-after = Sign in with a recovery code instead.
sign-in-new-here = New here?
sign-in-create-account = Create an account
sign-in-start-over = Start over
sign-in-continue = Continue
sign-in-stale-form = Your form expired: this page was open too long; please try again.
sign-in-notice-signed-out = You are signed out.
sign-in-notice-account-created = Your account is ready. Sign in with your email and password.
sign-in-notice-expired = That sign-in has expired or had too many wrong codes. Sign in again with your password.
sign-in-notice-setup-expired = Your setup took too long; sign in again — the key you scanned stays valid.
sign-in-notice-code-expired = Your sign-in took too long; sign in again with your password.

## What static/webauthn.js says beside a form (_webauthn_words.html)

sign-in-webauthn-unsupported = This browser cannot use security keys or passkeys. Try a current version of Chrome, Edge, Firefox or Safari.
sign-in-webauthn-cancelled = The security key or passkey did not answer, or the request was cancelled. Try again when you are ready.
sign-in-webauthn-refused = This browser or key refused the request. Try again, or use another key.
sign-in-webauthn-registered = This security key or passkey is already registered. Use another one.
sign-in-webauthn-name-first = Give the key a name first, so you can tell your keys apart.
sign-in-webauthn-create-prompt = Follow your browser's prompt to create the passkey or touch your security key…
sign-in-webauthn-get-prompt = Follow your browser's prompt, or touch your security key…
sign-in-webauthn-passkey-prompt = Follow your browser's prompt to choose your passkey…
sign-in-webauthn-passkey-failed = The sign-in with a passkey could not be started. Try again in a moment.

## A security key's answer the server could not use (kit/ceremony.rs)

sign-in-ceremony-no-answer = Your browser sent no answer from a security key or passkey. This needs JavaScript and a browser that supports passkeys (a current Chrome, Edge, Firefox or Safari). Try again, or use another browser.
sign-in-ceremony-garbled = Your browser's answer could not be read. Reload the page and try again.
sign-in-ceremony-too-late = That took too long: a request to a security key or passkey is valid for 5 minutes. Try again now.

## The remembered browser: login_browser.html, _remember.html

sign-in-browser-title = Checking this browser
sign-in-browser-lead = Your password was right. If this browser is remembered for your account, it signs you in without a code; if not, you are asked for one next.
sign-in-browser-wait = One moment…
sign-in-browser-signing-in = Signing you in…
sign-in-browser-code-instead = Enter a code instead
sign-in-remember = { $days ->
    [one] Don't ask for a code on this browser for 1 day
   *[other] Don't ask for a code on this browser for { $days } days
}
sign-in-remember-hint = Only on a computer that no one else uses. Changing your password ends it.

## The second step: login_code.html

sign-in-code-title = Enter your code
sign-in-code-lead-push = Your password was right. Approve the sign-in in your companion app, or enter the code your authenticator app shows for Portcullis.
sign-in-code-lead = Your password was right. Now open your authenticator app and enter the code it shows for Portcullis.
sign-in-code-lead-push-only = Your password was right. Now approve the sign-in in your companion app.
sign-in-security-code = Security code
sign-in-code-hint = Usually 6 digits. A new code appears every 30 seconds.
sign-in-code-missing = Enter the code your authenticator app shows.
sign-in-or-code = or enter a code
sign-in-no-phone = No phone at hand?
sign-in-use-recovery-instead = Use a recovery code instead
sign-in-use-app-instead = Use the authenticator app instead
sign-in-recovery-title = Use a recovery code
sign-in-recovery-lead = Enter one of the recovery codes you saved when you set up your authenticator app. Each code works once.
sign-in-recovery-code = Recovery code
sign-in-recovery-hint = 16 digits, like 1234-5678-9012-3456. The dashes are optional.
sign-in-recovery-code-missing = Enter one of your recovery codes.
sign-in-wrong-recovery-code = That recovery code is not right, or was already used. Each code works once.
sign-in-lost-for-good-before = Lost your phone for good?
sign-in-lost-for-good-link = Remove two-factor authentication
sign-in-lost-for-good-after = with a recovery code, then set it up again on your new phone.

## The companion app: login_push.html

sign-in-push-title = Approve in your app
sign-in-push-send = Send a request to my app
sign-in-push-send-instead = Send a request to my app instead
sign-in-push-lead = Your password was right. We sent a sign-in request to your companion app. Open it, type the number below, and approve.
sign-in-push-number-label = Type this number in the app:
sign-in-push-waiting = Waiting for your answer in the app…
sign-in-push-lead-over = Your password was right, but this sign-in request is over.
sign-in-push-continue = I approved it — continue
sign-in-push-send-again = Send again
sign-in-push-use-code = Use a code instead
sign-in-push-none-arrived = No request arrived? Check that the app is running and paired with this account, then send again.
sign-in-push-none-arrives = No request arrives? Check that the app is running and paired with this account.
sign-in-push-over = This request is over. Send a new one or use a code.
sign-in-push-denied = The request was denied in the app. If that was not you, your password may be known to someone else: change it once you are signed in.
sign-in-push-expired = The request expired before it was approved. Send a new one, or use a code instead.
sign-in-push-superseded = This request was replaced: a newer sign-in request was sent to your app, or this sign-in went on with a code. It can no longer be approved. Send a new one here to sign in with the app.
sign-in-push-not-sent = No request was sent to your app.
sign-in-push-not-yet = The app has not approved this request yet. Type the number in the app and approve, then continue.
sign-in-push-approved = Approved. Signing you in…
sign-in-push-resend-wait = { $seconds ->
    [one] The request was sent moments ago. You can send it again in 1 second.
   *[other] The request was sent moments ago. You can send it again in { $seconds } seconds.
}

## The security key: login_key.html

sign-in-key-title = Use your security key
sign-in-key-lead = Your password was right. Now touch your security key, or unlock your passkey with your PIN, fingerprint or face, when your browser asks.
sign-in-key-try-again = Try again
sign-in-key-code-instead = Enter a code from the authenticator app instead
sign-in-key-lost = Key lost or not at hand?
sign-in-key-refused = That security key or passkey was not accepted: it may not be one registered to this account. Try again with another key, or use another way to sign in.

## The setup an administrator requires: login_setup.html

sign-in-setup-title = Set up two-factor authentication
sign-in-setup-welcome = Welcome to Portcullis — your account is ready. Next, as your administrator requires, set up two-factor authentication.
sign-in-setup-app-asks-strong = The application you are going to asks for two-factor authentication.
sign-in-setup-app-asks = Set it up now; once it is done you go on there.
sign-in-setup-required-strong = Your administrator requires two-factor authentication for your account.
sign-in-setup-required = Complete this setup to sign in: without it, signing in is not possible.
sign-in-setup-lead = Your password was right. Add Portcullis to an authenticator app on your phone, then enter the code it shows. Take your time: the setup waits { $minutes } minutes for each step. Should it run out, sign in again; the key you added stays the same.
sign-in-setup-confirm-title = Enter the code
sign-in-setup-confirm = Enter the code the app shows now for Portcullis. This switches the app on and signs you in.
sign-in-setup-confirm-again = The app you set up a moment ago stays right: enter the code it shows now for Portcullis.
sign-in-setup-code = Code from the app
sign-in-setup-activate = Activate and sign in
sign-in-setup-key-instead-title = Or use a security key or passkey
sign-in-setup-key-instead = Instead of an authenticator app, add a security key (such as a YubiKey) or a passkey on this device, your phone or your password manager. A fake sign-in page cannot pass it on.
sign-in-setup-key-instead-button = Use a security key or passkey
sign-in-setup-new-key-before = Could not add the key to the app?
sign-in-setup-new-key-link = Show a new QR code and key
sign-in-setup-new-key-after = and add that one instead.
sign-in-setup-not-now = Not now?
sign-in-setup-cancel-link = Cancel and go back to sign-in
sign-in-setup-cancel-after = . You cannot sign in until this setup is complete.

## A security key at the required setup: login_setup_key.html

sign-in-setup-key-title = Set up a security key or passkey
sign-in-setup-key-window-title = Add a security key or passkey
sign-in-setup-key-app-asks-strong = The application you are going to asks for a security key or passkey.
sign-in-setup-key-app-asks = Codes from an authenticator app and approvals in the companion app can be passed on by a fake sign-in page; a key cannot, because your browser ties it to this site. Add one now; once it is done you go on there.
sign-in-setup-key-only-strong = Your organisation requires a security key or passkey for your account.
sign-in-setup-key-only = Codes from an authenticator app and approvals in the companion app can be passed on by a fake sign-in page; a security key or passkey cannot, because your browser ties it to this site. Add one to sign in: without it, signing in is not possible.
sign-in-setup-key-lead = Your password was right. Name your key, then press the button and follow your browser: touch your security key, or create a passkey on this device, your phone or your password manager.
sign-in-setup-key-add-title = Add your key
sign-in-setup-key-name = Name
sign-in-setup-key-name-placeholder = YubiKey 5, MacBook Touch ID
sign-in-setup-key-name-hint = So you can tell your keys apart, e.g. “YubiKey 5” or “MacBook Touch ID”.
sign-in-setup-key-code = Code from your authenticator app, or a recovery code
sign-in-setup-key-code-hint = Your account already has two-factor authentication. To add a key, show once more that it is you: the 6-digit code your authenticator app shows now, or one of your recovery codes (it is then used up).
sign-in-setup-key-wrong-code = That code is not right. Enter the code your authenticator app shows now, or one of your recovery codes.
sign-in-setup-key-submit = Add the key and sign in
sign-in-setup-key-needs = This needs a browser that supports passkeys, with JavaScript on. The request to your key is valid for 5 minutes; after that, press the button again.
sign-in-setup-key-no-key = No security key at hand?
sign-in-setup-key-app-instead-link = Set up an authenticator app instead
sign-in-setup-key-app-instead-after = .

## A step-up for an application: login_step_up.html

sign-in-step-up-title = Confirm with your second factor
sign-in-step-up-title-phr = Confirm with your security key
sign-in-step-up-expired = That took too long. Continue to try again.
sign-in-step-up-lead-phr = The application you are going to asks for a security key or passkey. You are signed in, so no password is needed: confirm with your key, or add one if you have none yet.
sign-in-step-up-lead = The application you are going to asks for two-factor authentication. You are signed in, so no password is needed: confirm with your second factor, or set one up if you have none yet.
sign-in-step-up-not-now = Not now
sign-in-step-up-not-now-after = : back to your account.

## Lost your phone: recover.html

sign-in-recover-title = Lost your phone?
sign-in-recover-lead = If you can no longer use your authenticator app, sign in with your email, your password and one of your recovery codes.
sign-in-recover-warning-before = This
sign-in-recover-warning-strong = removes two-factor authentication
sign-in-recover-warning-after = from your account and signs out every other device. Your remaining recovery codes stop working. Set up the authenticator app again on your new phone afterwards.
sign-in-recover-code-hint = 16 digits, like 1234-5678-9012-3456, from your saved codes or emergency kit.
sign-in-recover-submit = Remove two-factor authentication and sign in
sign-in-recover-have-phone = Still have your phone?
sign-in-recover-as-usual = Sign in as usual

## A forgotten password: forgot.html, reset.html

sign-in-forgot-title = Forgot your password?
sign-in-forgot-sent = If an account exists for that email address, we have sent it a link to choose a new password. The link works once, within { $minutes } minutes.
sign-in-forgot-made = If an account exists for that email address, a link to choose a new password was made for it. The link works once, within { $minutes } minutes.
sign-in-forgot-outbox = No mail server is configured on this server, so the link was not emailed: it was saved in the server's outbox, where the operator reads it with portcullis outbox list. Ask them for it.
sign-in-forgot-sms-sent = If the account has a verified mobile number, a 6-digit code was also sent to it by SMS.
sign-in-forgot-sms-outbox = If the account has a verified mobile number, a 6-digit code was also made (no SMS gateway is configured, so it too waits in the server's outbox).
sign-in-forgot-enter-code-link = Enter the code
sign-in-forgot-enter-code-after = instead of following the link.
sign-in-forgot-nothing-arrived = Nothing arrived after a few minutes? Check your spam folder, or
sign-in-forgot-ask-again = ask again
sign-in-forgot-ask-again-after = .
sign-in-forgot-lead = Enter the email address you sign in with. We send it a link to choose a new password.
sign-in-forgot-submit = Send the link
sign-in-remembered-it = Remembered it?
sign-in-forgot-have-code = Already have a password-reset code from a text message?
sign-in-forgot-enter-it = Enter it here
sign-in-reset-title = Choose a new password
sign-in-reset-done-window-title = Password changed
sign-in-reset-done-title = Your password is changed
sign-in-reset-done = Sign in with your new password. Every device that was signed in has been signed out.
sign-in-reset-done-2fa = If you use two-factor authentication, signing in still asks for your code as before.
sign-in-reset-invalid-window-title = Link no longer valid
sign-in-reset-invalid-title = This link no longer works
sign-in-reset-invalid = The link is invalid, has expired or has already been used. Each link works once, within { $minutes } minutes, and only the newest one you asked for.
sign-in-reset-new-link = Ask for a new link
sign-in-reset-got-sms = Got a code by SMS?
sign-in-reset-code-instead = Enter the code instead
sign-in-reset-lead-code = Enter your email, the 6-digit code from the SMS we sent to your verified mobile number, and a new password.
sign-in-reset-lead = Choose a new password for your account. Every device that is signed in will be signed out.
sign-in-reset-not-changed = Your password was not changed:
sign-in-reset-code = Code from the SMS
sign-in-reset-code-hint = 6 digits. It works once, within { $minutes } minutes.
sign-in-reset-password = New password
sign-in-reset-password-hint = At least 8 characters, with upper- and lower-case letters and a symbol, without the name or domain of your email address, and not your current password.
sign-in-reset-password-again = New password again
sign-in-reset-submit = Set the new password
sign-in-reset-no-code = No code?
sign-in-reset-mismatch = The two passwords do not match.
sign-in-reset-wrong-code = That code is not right, has expired or was already used, or the email is not the one the code was sent for.

## "Are you sure?": confirm.html

sign-in-confirm-password = Current password
sign-in-confirm-password-hint = Your sign-in password, to be sure it is you.
sign-in-confirm-cancel = Cancel

## Back to an application: continue.html, oauth2_*.html

sign-in-continue-window-title = Signed in
sign-in-continue-title = You are signed in
sign-in-continue-lead = Taking you back to the application you came from.
sign-in-consent-window-title = Allow access
sign-in-consent-title = Allow { $app }?
sign-in-consent-lead = asks to sign you in and to learn:
sign-in-consent-claim-openid = Your account id, to recognise you when you sign in again
sign-in-consent-claim-profile = Your name
sign-in-consent-claim-email = Your email address
sign-in-consent-claim-groups = The names of your groups
sign-in-consent-claim-offline-access = Stay connected while you are away (until you revoke it)
sign-in-consent-revoke = You can revoke this at any time under Security, Connected apps.
sign-in-consent-allow = Allow
sign-in-consent-deny = Deny
sign-in-returning-title = Returning to the application
sign-in-returning-signed-in = You are signed in. Returning to the application…
sign-in-returning-allowed = You allowed access. Returning to the application…
sign-in-returning-refused = You refused access. Returning to the application…
sign-in-logout-title = Sign out?
sign-in-logout-lead = An application asks to sign you out of Portcullis. Sign out only if you just chose to sign out there.
sign-in-logout-confirm = Sign out
sign-in-logout-stay = Stay signed in
sign-in-logout-unreadable = The sign-out request could not be read.
sign-in-signed-out-title = Signed out
sign-in-signed-out = You are signed out.
sign-in-signed-out-returning = You are signed out. Returning to the application…
sign-in-not-signed-in = You are not signed in.
