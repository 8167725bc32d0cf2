# The Security tab and its pages: the authenticator app, recovery codes and the emergency kit,
# security keys and passkeys, the companion app, the mobile number, the support PIN, app
# passwords, connected apps, devices and sessions; and the words account data reads in (roles,
# resource kinds, audit events). The German file says the same in the same order.

## Shared by several pages

security-current-password = Current password
security-back = Back to security settings
security-copy-failed = Copying is not allowed here; the text is selected, press Ctrl+C or ⌘C.
security-never = never
security-unknown-address = an unknown address

## The authenticator app's setup (security page and the wizard at sign-in)

security-totp-setup-title = Set up your authenticator app
security-totp-setup-lead = Four steps, about two minutes. Nothing changes for your sign-in until you confirm in step 4.
security-totp-not-switched-on = The app was not switched on:
security-totp-install-title = Install an authenticator app
security-totp-install-text = Any app for time-based codes works, for example Aegis or FreeOTP, Google Authenticator, Microsoft Authenticator or 1Password. Get it from your phone's app store.
security-totp-install-hint = Codes depend on the clock: set your phone's time to update automatically.
security-totp-scan-title = Scan the QR code
security-totp-qr-label = QR code to add your account to the authenticator app
security-totp-scan-text = In the app, add an account and point the camera at this code. The app then shows { $issuer } with a new code every { $period } seconds.
security-totp-key-title = Or type the key
security-totp-key-text = Cannot scan? Choose to enter a setup key in the app, and type or paste this one:
security-totp-key-spoken = The setup key, in groups of four characters: { $groups }
security-copy-key = Copy key
security-copy-key-done = Key copied
security-totp-fact-account = Account
security-totp-fact-issuer = Issuer
security-totp-fact-type = Type
security-totp-fact-type-value = Time-based, { $digits } digits, every { $period } seconds ({ $algorithm })
security-totp-confirm-title = Confirm
security-totp-confirm-text = Enter your current password and the code the app shows now. Switching the app on signs out your other devices.
security-totp-code-label = Code from the app
security-totp-code-hint = { $digits } digits, for example 123456.
security-totp-activate = Activate
security-totp-cancel = Cancel and go back to Security

## Recovery codes, shown once

security-codes-title-already-shown = Recovery codes already shown
security-codes-title-on = Two-factor authentication is on
security-codes-title-new = New recovery codes
security-codes-already-shown = Already shown: recovery codes are shown only once. If you did not keep them, make new ones; the codes you have now then stop working.
security-codes-make-new = Make new codes
security-codes-kit-still = The emergency kit of the codes already shown can still be downloaded for a few minutes, in this browser only:
security-codes-kit-download = Download emergency kit (PDF)
security-codes-activated-app = Your authenticator app is active. From now on, signing in asks for its code after your password. Your other devices were signed out; sign in there again.
security-codes-activated-key = Two-factor authentication is on. From now on, signing in asks for your security key or passkey after your password. Your other devices were signed out; sign in there again.
security-codes-enrolled-app = Your authenticator app is active and you are signed in. From now on, signing in asks for its code after your password.
security-codes-enrolled-key = Your security key or passkey is added and you are signed in. From now on, signing in asks for it after your password.
security-codes-regenerated = You have ten new recovery codes. The old ones no longer work.
security-codes-yours = Your recovery codes
security-codes-use-app = If you lose your phone, each code signs you in once instead of the app, or removes two-factor authentication from your account.
security-codes-use-key = If you lose your keys, each code signs you in once instead, or removes two-factor authentication from your account.
security-codes-save-now = Save them now: they will not be shown again.
security-codes-keep = Download the emergency kit and print it, or keep the file somewhere safe away from this computer and from your phone (for example on a USB stick in a drawer), then delete the downloaded copy.
security-codes-left = { $count ->
    [one] 1 recovery code left
   *[other] { $count } recovery codes left
}
security-codes-kit-holds-app = The kit holds these codes and your authenticator key with its QR code on one page to print. It can be downloaded for 15 minutes, in this browser only.
security-codes-kit-holds = The kit holds these codes on one page to print. It can be downloaded for 15 minutes, in this browser only.
security-codes-continue = Continue
security-codes-done = Done

## The Security tab

security-title = Security
security-lead = Ways to prove it is you, beyond your password.
security-back-account = Back to your account
security-badge-active = Active
security-badge-not-set-up = Not set up
security-badge-required = Required by your administrator
security-badge-verified = Verified
security-badge-not-verified = Not verified
security-badge-not-set = Not set
security-badge-set = Set
security-badge-none = None
security-optional = (optional)
security-rename = Rename
security-rename-label = Rename { $name }
security-remove = Remove
security-remove-label = Remove { $name }
security-new-name = New name
security-save-name = Save name
security-totp-tile-title = Authenticator app
security-totp-tile-text = Six-digit codes from an app such as Aegis, FreeOTP, Google Authenticator or 1Password. After your password, signing in asks for the code the app shows.
security-codes-label = Recovery codes
security-codes-of-total = { $count ->
    [one] 1 of { $total } left
   *[other] { $count } of { $total } left
}
security-codes-low = Make new ones soon
security-codes-none = Make them now: without them, a lost phone locks you out
security-codes-make = Make recovery codes
security-codes-make-button = Make codes
security-codes-regenerate-hint-app = You get ten new codes and a new emergency kit. The codes you have now stop working.
security-codes-regenerate-hint-keys = Ten single-use codes that sign you in if you lose your keys. Any codes you have now stop working.
security-codes-regenerate-hint-push = Ten single-use codes that sign you in, or remove two-factor authentication, if you lose your phone. Any codes you have now stop working.
security-totp-forced-note = Your administrator requires two-factor authentication for your account, so the app cannot be removed here.
security-totp-deactivate = Deactivate
security-totp-deactivate-hint-last = Signing in will need only your password again. Your recovery codes stop working and other devices are signed out.
security-totp-deactivate-hint-others = Signing in will no longer accept the app's codes; your other ways of giving a second factor stay, and so do your recovery codes.
security-totp-deactivate-button = Deactivate the app
security-totp-set-up = Set up
security-totp-set-up-note = Takes about two minutes. You need your phone and your password.
security-keys-tile-title = Security keys and passkeys
security-keys-tile-text = A security key (such as a YubiKey) or a passkey kept by your phone, computer or password manager. After your password, signing in asks you to touch the key or unlock the passkey. A passkey that checks your PIN, fingerprint or face also signs you in without a password. Unlike codes, a fake sign-in page cannot pass it on.
security-keys-passkey-badge = passkey
security-keys-meta = added { $added } · last used { $used }
security-keys-remove-hint = The key can no longer sign you in. If it is your last way of giving a second factor, signing in needs only your password again and your recovery codes stop working.
security-keys-remove-button = Remove the key
security-keys-last-note = Your administrator requires two-factor authentication, and this key is your only way to give it: add another key or set up the authenticator app before removing it.
security-keys-add = Add a security key or passkey
security-push-tile-title = Companion app (push)
security-push-tile-text = Approve a sign-in in the Portcullis companion app (portcullis-app, a command-line program for a computer or a phone's terminal; the next page says how to get it): after your password, the sign-in page shows a number, and you type it in the app to confirm it is you. It works beside the authenticator app; either one completes a sign-in.
security-push-meta = paired { $paired } · last seen { $seen }
security-push-last-note = Your administrator requires two-factor authentication, and this device is your only way to give it: pair another device or set up the authenticator app before removing it.
security-push-pair = Pair a device
security-push-device-name = Device name
security-push-device-name-hint = Optional, so you can tell your devices apart: “My phone”, “Work laptop”. Without one, the app's own name is used.
security-push-password-hint = Your sign-in password: a paired device can approve every sign-in, so we make sure it is you.
security-push-show-code = Show the pairing code
security-phone-tile-text = A verified number receives a code by text message when you have forgotten your password. It is not used to sign in.
security-phone-tile-number = Number:
security-phone-manage = Manage mobile number
security-phone-add = Add a mobile number
security-pin-tile-text = A PIN that proves it is you when you contact support.
security-pin-tile-set-on = Set on { $date }.
security-pin-change = Change PIN
security-pin-set-a = Set a PIN
security-app-passwords-title = App passwords
security-app-passwords-active = { $count } active
security-app-passwords-tile-text = Separate passwords for mail apps and other programs that cannot ask for a second factor.
security-app-passwords-manage = Manage app passwords
security-devices-title = Devices and sessions
security-devices-tile-text = Where you are signed in, and the browsers that skip the second step. Sign out one of them, or everywhere else.
security-devices-see = See devices and sessions
security-apps-title = Connected apps
security-apps-tile-text = Applications you allowed to sign you in with this account.
security-apps-manage = Manage connected apps

## Support PIN

security-pin-title = Support PIN
security-pin-lead = When you call or write to support, they ask for this PIN to be sure it is you. Nobody else should know it.
security-pin-status = Status
security-pin-on = on { $date }
security-pin-change-the = Change the PIN
security-pin-new = New PIN
security-pin-hint = 5 to 10 digits. Not one digit repeated, and not a run like 12345 or 98765.
security-pin-again = New PIN again
security-pin-password-hint = Your sign-in password, to be sure it is you who sets the PIN.
security-pin-set = Set PIN
security-pin-mismatch = The two PINs do not match.
security-pin-done = Your support PIN is set. Support will ask for it when you call; we have emailed you about the change.

## App passwords

security-name = Name
security-revoke = Revoke
security-revoke-label = Revoke { $name }
security-last-used = last used { $used }
security-app-passwords-lead = Mail apps such as Thunderbird, Outlook or the mail app on your phone sign in with an app password instead of your password. Once two-factor authentication is on, they need one: your password alone no longer opens your mailbox.
security-app-passwords-created-title = Your app password for “{ $name }”
security-app-passwords-created-text = Enter it in the app instead of your password, with your email as the user name. Spaces and dashes do not matter.
security-copy-password = Copy password
security-copy-password-done = Password copied
security-app-passwords-once = It will not be shown again.
security-app-passwords-once-more = If you lose it, revoke it and make a new one.
security-app-passwords-new = New app password
security-app-passwords-name-hint = What it is for, so you can tell them apart: “Thunderbird on my laptop”.
security-app-passwords-password-hint = Your sign-in password, to be sure it is you who makes it.
security-app-passwords-create = Create app password
security-app-passwords-yours = Your app passwords
security-app-passwords-empty = You have no app passwords.
security-app-passwords-meta = created { $created } · last used { $used }
security-app-passwords-used-from = { $date } from { $address }
security-app-passwords-revoked = The app password was revoked. Apps that used it can no longer sign in with it.
security-app-passwords-already-shown = Already shown: an app password is shown only once. If you did not keep it, revoke it and make a new one.
security-enter-password = Enter your current password.
security-app-passwords-revoke-title = Revoke app password
security-app-passwords-revoke-question = Revoke the app password “{ $name }”?
security-app-passwords-revoke-no-sign-in = Mail apps that use it can no longer sign in with it.
security-app-passwords-revoke-final = It cannot be brought back: for the app to sign in again, make a new one.

## Connected apps

security-apps-lead = Applications you allowed to sign you in with this account. Revoking one signs you out of it: it must ask you again next time.
security-apps-allowed = Allowed applications
security-apps-empty = No application has access to your account.
security-apps-meta = allowed { $granted } · { $claims }
security-apps-revoked = Access revoked. The application must ask you again before it can sign you in.

## Devices and sessions

security-devices-lead = Everywhere you are signed in, the browsers that skip the second step, and what else can sign in as you.
security-devices-sessions = Where you are signed in
security-devices-this-browser = This browser
security-devices-session-meta = From { $address } · signed in { $started }
security-devices-session-meta-how = with { $how } · last used { $used }
security-devices-sign-out = Sign out
security-devices-sign-out-this = Sign out this browser
security-devices-sign-out-label = Sign out { $device }, last used { $used }
security-devices-sign-out-others = Sign out everywhere else
security-devices-only-here = You are signed in only here.
security-devices-browsers = Remembered browsers
security-devices-browsers-text = These browsers keep a key that lets them skip the second step after your password.
security-devices-browsers-empty = No browser is remembered.
security-devices-browser-meta = From { $address } · remembered { $remembered }
security-devices-browser-meta-until = · last used { $used } · until { $until }
security-devices-forget = Forget
security-devices-forget-label = Forget { $device }, remembered { $remembered }
security-devices-others = Other ways to sign in
security-devices-companion = Companion app
security-devices-no-phone = No phone is paired.
security-devices-keys = Passkeys and security keys
security-devices-no-keys = You have no passkeys or security keys.
security-devices-change-keys = Change your phones and keys on the security page
security-devices-passkey-name = { $name } (passkey)
security-devices-ended = That session has been signed out.
security-devices-others-ended = Every other session has been signed out. This browser stays signed in.
security-devices-forgotten = That browser has been forgotten. Its next sign-in asks for your second step again.

## Mobile number (also the number step of the setup wizard at sign-in)

security-phone-title = Mobile number
security-back-to-security = Back to Security
security-phone-wizard-title = Set up two-factor authentication
security-phone-wizard-required = Your administrator requires two-factor authentication for your account.
security-phone-wizard-required-more = Complete this setup to sign in: without it, signing in is not possible.
security-phone-wizard-lead = First, verify your mobile number with a code we send by SMS. Then add Portcullis to an authenticator app.
security-phone-lead = A verified number receives a code by text message (SMS) when you have forgotten your password. It is not a second factor: signing in never asks for a code by SMS.
security-phone-required = Verify a mobile number first.
security-phone-required-more = On this server, two-factor authentication can be switched on only with a verified number.
security-phone-required-next = After that, the authenticator setup continues.
security-phone-yours = Your number
security-phone-verified = Verified number
security-phone-none-yet = None yet
security-phone-waiting = Waiting for its code
security-phone-enter-code = Enter the code
security-phone-code-sent = We sent a 6-digit code by SMS to { $number }. It is valid for { $minutes } minutes.
security-phone-outbox = No SMS gateway is configured on this server, so the 6-digit code for { $number } was not texted: it was saved in the server's outbox, where the operator reads it with portcullis outbox list. It is valid for { $minutes } minutes.
security-phone-code-label = Code from the SMS
security-phone-verify = Verify
security-phone-no-text = No text after a minute?
security-phone-resend-in = You can ask for a new code in { $wait }.
security-phone-resend-now = Ask for a new one; the code before it then stops working.
security-phone-resend = Send a new code
security-phone-change = Change your number
security-phone-another = Use another number
security-phone-add-yours = Add your number
security-phone-stays = Your verified number stays until you have verified the new one.
security-phone-number-hint = In international format with + and the country code, for example +49 151 12345678.
security-phone-send = Send a code
security-phone-wizard-not-now = Not now?
security-phone-wizard-cancel = Cancel and go back to sign-in
security-phone-wizard-cannot = You cannot sign in until this setup is complete.
security-phone-code-issued = A new code was issued. Enter it below to verify the number.
security-phone-is-verified = Your mobile number is verified.
security-phone-sent-recently = A code was sent a moment ago. You can ask for another one in { $wait }.
security-phone-wrong-code = That code is not right, has expired or was already used. Enter the 6 digits from the newest text, or ask for a new code.
security-wait-seconds = { $seconds ->
    [one] 1 second
   *[other] { $seconds } seconds
}
security-wait-minutes = { $minutes ->
    [one] 1 minute
   *[other] { $minutes } minutes
}

## Pairing the companion app

security-pair-title = Pair your companion app
security-pair-lead-named = Connect “{ $name }” to your account. The pairing code below works once, until { $expires } (10 minutes from now). Nothing changes for your sign-in until the app is paired.
security-pair-lead = Connect a device to your account. The pairing code below works once, until { $expires } (10 minutes from now). Nothing changes for your sign-in until the app is paired.
security-pair-get-title = Get the companion app
security-pair-get-text = The companion app, portcullis-app, is a small command-line program for a computer, or for a terminal app on your phone. It approves your sign-in requests (you type the number the sign-in page shows), and it can also hold the codes of authenticator keys.
security-pair-get-how = To get it: ask whoever runs this service for the portcullis-app program, which ships with the server (beside portcullis in its release); or, with Rust installed, build it from the Portcullis source with
security-pair-install-command = cargo install --path crates/app
security-pair-install-where = Install it on the device that should approve your sign-ins, and keep
security-pair-watch-command = portcullis-app watch
security-pair-install-where-after = running there when you sign in.
security-pair-link-title = Pair it with this link
security-pair-qr-label = QR code of the pairing link
security-pair-link-text = The app has no camera: give it the link below. The QR code holds the same link, for a phone whose camera app can copy it. It contains a one-time code for { $email }: do not share it.
security-copy-link = Copy link
security-copy-link-done = Link copied
security-pair-run = On the device with the app, run:
security-pair-command = portcullis-app pair
security-copy-command = Copy command
security-copy-command-done = Command copied
security-pair-check-title = Check the list
security-pair-check-named = The app says which account it paired with and that this device is “{ $name }”; portcullis-app accounts and portcullis-app watch show that name too. Your device then appears under Companion app on the Security page, and your next sign-in can be approved in the app.
security-pair-check = The app says which account it paired with. Your device then appears under Companion app on the Security page, and your next sign-in can be approved in the app.
security-pair-done = Done, back to Security

## Security keys and passkeys

security-keys-add-lead = Name the key, then press the button and follow your browser: touch your security key, or unlock the passkey with your PIN, fingerprint or face.
security-keys-name-placeholder = YubiKey 5, MacBook Touch ID
security-keys-name-hint = So you can tell your keys apart, e.g. “YubiKey 5” or “MacBook Touch ID”.
security-keys-add-button = Add the key
security-keys-add-needs = This needs a browser that supports passkeys, with JavaScript on. The request to your key is valid for 5 minutes; after that, press the button again.

## Notices after a change on the Security tab

security-notice-totp-deactivated = The authenticator app was removed. Signing in now needs only your password, and your recovery codes no longer work.
security-notice-two-factor-removed = Your recovery code removed two-factor authentication from your account, and every other device was signed out. Set up your authenticator app again on your new phone.
security-notice-welcome = Welcome to Portcullis — your account is ready. Next: turn on two-factor authentication, so that your password alone is not enough to sign in.
security-notice-push-renamed = The device was renamed.
security-notice-key-added = The security key or passkey was added. You can use it the next time you sign in.
security-notice-key-renamed = The key was renamed.
security-notice-key-removed = The key was removed. It can no longer sign you in.
security-notice-pairing-shown = Already shown: a pairing code is shown only once. If your app has not paired yet, pair again for a new code.
security-notice-push-removed = The device was removed. It can no longer approve your sign-ins.
security-push-remove-title = Remove device
security-push-remove-question = Remove “{ $name }”?
security-push-remove-no-requests = Sign-in requests will no longer reach this device, and it can no longer approve a sign-in.
security-push-remove-pair-again = To use it again, pair it again from this page.
security-push-remove-button = Remove device

## Account data in words (kit/view.rs, kit/session_line.rs): the account and admin pages too

security-role-owner = Owner
security-role-administrator = Administrator
security-role-user = User
security-kind-datacenter = Data centre
security-kind-snapshot = Snapshot
security-unknown-address-bare = unknown address
security-outcome-success = Succeeded
security-outcome-failure = Failed
security-outcome-denied = Refused
security-outcome-other = Recorded
security-device-on = { $browser } on { $system }
security-device-unknown-browser = Unknown browser
security-device-unknown-client = Unknown client
security-device-api-client = API client
security-device-api-client-named = API client: { $name }
security-how-password = password
security-how-totp = authenticator app
security-how-push = companion app
security-how-recovery-code = recovery code
security-how-security-key = security key
security-how-passkey = passkey
security-how-remembered-browser = remembered browser
security-how-sms = text message code
security-how-other = another method
security-how-not-recorded = a method that was not recorded
security-how-list = { $first } and { $last }
security-how-list-more = { $rest }, { $next }

## Audit events, by their dotted names (and a completed second step by its method)

security-event-login-second-factor-success-by-push = Sign-in approved in the companion app
security-event-login-second-factor-success-by-recovery-code = Signed in with a recovery code
security-event-login-second-factor-success-by-totp = Authenticator code accepted at sign-in
security-event-login-second-factor-failure-by-recovery-code = Wrong recovery code at sign-in
security-event-login-second-factor-failure-by-totp = Wrong authenticator code at sign-in
security-event-login-second-factor-success-by-webauthn = Security key accepted at sign-in
security-event-login-second-factor-failure-by-webauthn = Security key refused at sign-in
security-event-login-success-by-passkey = Signed in with a passkey
security-event-account-created = Account created
security-event-login-success = Signed in
security-event-login-failure = Sign-in with a wrong password
security-event-login-throttled = Sign-in refused after too many attempts
security-event-login-step-up = Asked for a second factor by an application
security-event-logout = Signed out
security-event-password-changed = Password changed
security-event-password-change-failed = Password change with a wrong current password
security-event-session-revoked = Another session signed out
security-event-session-others-revoked = Signed out everywhere else
security-event-browser-remembered = Browser remembered: no code asked there
security-event-browser-forgotten = Remembered browser forgotten
security-event-login-remembered-browser-success = Signed in on a remembered browser
security-event-login-remembered-browser-failure = Remembered browser refused at sign-in
security-event-contract-sign-in-settings-changed = Sign-in settings for everyone changed
security-event-totp-enrolled = Authenticator app setup started
security-event-totp-activated = Switching on the authenticator app
security-event-totp-deactivated = Removing the authenticator app
security-event-login-second-factor-success = Second step completed at sign-in
security-event-login-second-factor-failure = Wrong code at sign-in
security-event-recovery-used = Recovery code used
security-event-recovery-regenerated = Making new recovery codes
security-event-two-factor-removed-by-recovery = Two-factor authentication removed with a recovery code
security-event-user-created = User created
security-event-invitation-accepted = Invitation accepted; password set
security-event-invitation-renewed = New invitation link issued
security-event-user-role-changed = User's role changed
security-event-user-deleted = User deleted
security-event-two-factor-forced = Two-factor authentication made mandatory for a user
security-event-two-factor-unforced = Two-factor authentication no longer mandatory for a user
security-event-two-factor-reset-by-admin = Two-factor authentication reset by an administrator
security-event-contract-policy-changed = Two-factor policy for everyone changed
security-event-group-created = Group created
security-event-group-member-added = Member added to a group
security-event-group-member-removed = Member removed from a group
security-event-resource-created = Resource created
security-event-resource-updated = Resource changed
security-event-resource-deleted = Resource deleted
security-event-resource-granted = Resource granted to a group
security-event-resource-grant-revoked = Resource withdrawn from a group
security-event-support-pin-changed = Support PIN set
security-event-support-pin-checked = Support PIN checked by support
security-event-support-agent-created = Support agent created
security-event-app-password-created = App password created
security-event-app-password-revoked = App password revoked
security-event-app-auth-success = Mail app signed in
security-event-app-auth-failure = Mail app sign-in refused
security-event-service-token-created = Service token created
security-event-service-token-revoked = Service token revoked
security-event-phone-code-sent = Code sent to a mobile number
security-event-phone-verified = Mobile number verified
security-event-phone-verify-failed = Wrong code for a mobile number
security-event-password-reset-requested = Password reset requested
security-event-password-reset = Password reset
security-event-password-reset-failed = Password reset refused
security-event-account-locked = Account locked ("this wasn't me")
security-event-account-unlocked = Account unlocked
security-event-validate-success = Code accepted by a gateway
security-event-validate-failure = Wrong code at a gateway
security-event-push-device-paired = Companion app paired
security-event-push-device-removed = Companion app removed
security-event-push-sent = Sign-in request sent to the app
security-event-push-approved = Sign-in approved in the app
security-event-push-denied = Sign-in denied in the app
security-event-push-expired = Sign-in request unanswered
security-event-push-reported-fraud = Sign-in reported in the app ("this wasn't me")
security-event-webauthn-added = Security key or passkey added
security-event-webauthn-removed = Security key or passkey removed
security-event-webauthn-clone-suspected = Security key refused: it may have been copied
security-event-login-passkey-failure = Failed sign-in with a passkey
security-event-contract-phishing-resistant-changed = Security-key-only setting changed
security-event-oidc-client-created = OIDC client registered
security-event-oidc-client-updated = OIDC client changed
security-event-oidc-client-secret-rotated = OIDC client given a new secret
security-event-oidc-client-deleted = OIDC client deleted
security-event-radius-accept = Signed in through a RADIUS client (VPN, Wi-Fi or SSH)
security-event-radius-reject = Sign-in refused at a RADIUS client
security-event-radius-challenge = Code asked for at a RADIUS client
security-event-radius-client-added = RADIUS client added
security-event-radius-client-removed = RADIUS client removed
security-event-oidc-code-issued = Signed in to an application
security-event-oidc-token-issued = Application tokens issued
security-event-oidc-code-reuse-detected = Application sign-in code replayed: its tokens were revoked
security-event-oidc-refresh-reuse-detected = Application token replayed: its tokens were revoked
security-event-oidc-consent-granted = Application allowed
security-event-oidc-consent-denied = Application refused
security-event-oidc-consent-revoked = Connected application revoked
security-event-oidc-client-auth-failed = Wrong application secret
security-event-oidc-logout = Signed out by an application

## The emergency kit (a printed PDF page: WinAnsi letters only, no markup)

security-kit-title = { $product } emergency kit
security-kit-print = Print this page and keep it somewhere safe and private.
security-kit-account = ACCOUNT
security-kit-server = SERVER
security-kit-created = CREATED
security-kit-tick = Tick a box once you have used its code.
security-kit-codes = Recovery codes
security-kit-key = Authenticator key
security-kit-footer = If you generate new recovery codes, the codes on this page stop working: print the new kit and destroy this one.
security-kit-point-once = Each recovery code works once. If you lose your phone or authenticator app, sign in with your password and one of these codes instead of the code from the app.
security-kit-point-remove = A recovery code can also remove two-factor authentication from your account, so that you can set it up again.
security-kit-point-key = The authenticator key sets up your authenticator app again on a new phone: scan the QR code or type the key into the app.
security-kit-point-keep = Keep this page printed, or the file somewhere safe away from your computer and from your phone (for example on a USB stick in a drawer), then delete the downloaded copy. Anyone who has it and your password can sign in as you.
security-kit-how-scan-or-type = Scan the QR code with your authenticator app, or choose to enter a setup key and type the key below.
security-kit-how-scan = Scan the QR code with your authenticator app.
security-kit-how-type = In your authenticator app, choose to enter a setup key and type the key below.
security-kit-key-secret = The key makes your sign-in codes: treat it like a password.
