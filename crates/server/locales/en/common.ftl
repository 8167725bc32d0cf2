# Shared by every page: the layout, the language switch, dates, error pages, password rules.
# The German file says the same in the same order; docs/glossary.md fixes the terms.

-product = Portcullis
lang-code = en

## Layout

layout-window-title = { $title } · Portcullis
layout-skip = Skip to content
layout-brand = Portcullis
layout-nav-label = Account
layout-nav-account = Account
layout-nav-security = Security
layout-nav-resources = Resources
layout-nav-users = Users
layout-nav-groups = Groups
layout-nav-access-rules = Access rules
layout-nav-oidc = OIDC clients
layout-nav-radius = RADIUS clients
layout-sign-out = Sign out
layout-footer = Portcullis · self-hosted account security
layout-language = Language:
language-name-en = English
language-name-de = Deutsch
layout-language-current = { $language } (current language)

## Dates: "7 December 2026, 14:05 CET"

date = { $day } { $month } { $year }
date-time = { $date }, { $time }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
unknown = unknown

## Waiting

wait-seconds = { $seconds ->
    [one] 1 second
   *[other] { $seconds } seconds
}
wait-minutes = { $minutes } minutes ({ $seconds } seconds)

## Error pages

error-start-page = Go to the start page
error-title-not-found = Page not found
error-title-forbidden = Not allowed
error-title-too-many = Too many attempts
error-title-unauthorized = Not signed in
error-title-busy = Server busy
error-title-failed = That did not work
error-title-form-expired = Form expired
error-title-internal = Something went wrong
error-title-form-too-large = Form too large
error-title-form-incomplete = Incomplete form
error-title-method = Not possible here
error-title-session-not-found = Session not found
error-title-browser-not-found = Browser not found
error-title-link-invalid = Link no longer valid
error-title-invitation-invalid = Invitation no longer valid
error-title-device-not-found = Device not found
error-title-key-not-found = Key not found
error-title-app-password-not-found = App password not found
error-title-request-refused = Sign-in request refused
error-title-sign-out-refused = Sign-out refused
error-title-could-not-continue = Could not continue
error-title-kit-unavailable = Emergency kit no longer available
error-not-found = There is nothing at this address. Check the link, or start again from the sign-in page.
error-form-expired = Your form expired; reload the page and try again.
error-internal = Something went wrong on our side. Try again in a moment.
error-form-too-large = The form you sent is larger than this server accepts.
error-form-incomplete = The form arrived incomplete; reload the page and try again.
error-method = This page cannot be used that way. Go back and use the page's own buttons.
error-session-ended = That session has already ended.
error-session-not-yours = That session has already ended or is not one of yours.
error-browser-not-yours = That browser was already forgotten or is not one of yours.
error-lock-link-invalid = This link is invalid, has expired or has already been used. If you still think someone else is using your account, contact your administrator.
error-invitation-invalid = This invitation link is invalid, has expired or has already been used. Ask your administrator to send you a new invitation.
error-app-not-connected = This application is not connected to your account (any more).
error-device-not-yours = That device was already removed or is not one of yours.
error-key-not-yours = That security key or passkey was already removed or is not one of yours.
error-app-password-not-yours = That app password was already revoked or is not one of yours.
error-request-unreadable = The application's request could not be read. Tell its administrator.
error-language-title = Unknown language
error-language-body = This server is available in English and German only.
error-time-zone-title = Unknown time zone
error-time-zone-body = Choose a time zone from the list.

## What went wrong, in a sentence

error-invalid-credentials = Wrong email or password.
error-invalid-password = Your current password is not correct.
error-too-many-attempts = Too many failed attempts. Wait { $wait }, then try again.
error-email-taken = An account with this email already exists.
error-registration-closed = Registration is closed on this server.
error-invalid-setup-token = This setup link is invalid or has expired. While the server has no account yet, restarting it prints a new link; the operator can also create the owner with the command portcullis user create-owner.
error-invalid-client = This application is not registered here, or its registration has changed. Tell the application's administrator.
error-invalid-code = That code is not right. Enter the 6-digit code your authenticator app shows now; check that the phone's time is set automatically.
error-second-factor-failed = That code is not right, or was already used. Try the next code.
error-invalid-ticket = This sign-in has expired or had too many wrong codes. Sign in again.
error-two-factor-enforced = Your administrator requires two-factor authentication for your account, so you cannot turn it off.
error-totp-already-active = An authenticator app is already active. Deactivate it first to set up another.
error-enrollment-not-started = Start the authenticator setup first; it may have been restarted in another window.
error-two-factor-not-enabled = Two-factor authentication is not enabled.
error-kit-unavailable = The emergency kit can only be downloaded in the 15 minutes after activation, in the same session. Create new recovery codes to get a new kit.
error-account-locked = This account is locked because someone reported a change they did not make. Ask your administrator to unlock it.
error-invalid-phone = Enter the mobile number in international format, starting with + and the country code, e.g. +4915112345678.
error-phone-not-verified = Verify a mobile number first, then activate two-factor authentication.
error-invalid-ceremony = This request to your security key or passkey has expired (it is valid for 5 minutes) or was already answered. Try again.
error-invalid-webauthn = Your security key's answer could not be checked. Try again, or use another key.
error-credential-exists = This security key or passkey is already registered.
error-passkey-failed = That passkey could not sign you in. Sign in with your email and password instead.
error-phishing-resistant-required = Your organisation requires a security key or passkey to sign in. Codes from an authenticator app and approvals in the companion app are not accepted.
error-invalid-link = This link is invalid, has expired or has already been used.
error-invalid-signature = The device's signature is invalid.
error-challenge-closed = This sign-in request was already answered or has expired.
error-push-paused = Too many sign-in requests to your app were denied or not answered. Wait { $wait }, or use a code instead.
error-overloaded = The server is very busy right now. Wait { $wait }, then try again.

## Password rules, one sentence each

password-rule-too-short = The password must be at least 8 characters long.
password-rule-too-long = The password must be at most 256 characters long.
password-rule-no-lowercase = The password must contain a lower-case letter.
password-rule-no-uppercase = The password must contain an upper-case letter.
password-rule-no-special = The password must contain a special character (not a letter or digit).
password-rule-common = The password must not be one of the most common breached passwords, even disguised.
password-rule-contains-email = The password must not contain the name or the domain of your email address.
password-rule-same-as-current = The password must differ from your current password.
password-breaks-rules = This password breaks { $count } rules:
