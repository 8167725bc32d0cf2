# Administration, the account page, joining (setup, sign-up, invitation), resources and the
# "this wasn't me" lock page. The German file says the same in the same order; docs/glossary.md
# fixes the terms.

## Account page

account-title = Your account
account-profile = Profile
account-email = Email
account-role = Role
account-organisation = Organisation
account-contract-id = Contract ID
account-member-since = Member since
account-last-sign-in = Last sign-in
account-never = never
account-organisation-owner = Your organisation (you are its owner)
account-organisation-of = Your organisation (owner: { $owner })
account-organisation-plain = Your organisation
account-footer-security = Two-factor authentication and other protections:
account-footer-security-link = Security settings
account-footer-phone = For password resets by text message:
account-footer-phone-link = Mobile number
account-notice-password-changed = Your password has been changed. Every other session was signed out; sign in there again with the new password.
account-notice-session-revoked = That session has been signed out.
account-notice-locale = Language and time zone saved.

account-locale-title = Language and time zone
account-locale-intro = The language of these pages and of the emails and text messages we send you, and the time zone dates are shown in.
account-locale-language = Language
account-locale-language-browser = The language of this browser
account-locale-time-zone = Time zone
account-locale-time-zone-browser = The time zone this browser reports
account-locale-time-zone-hint = Without a choice, dates are shown in the time zone your browser reports, or in UTC.
account-locale-save = Save language and time zone

account-password-title = Change password
account-password-intro = After the change, every other session is signed out.
account-password-not-changed = The password was not changed:
account-password-current = Current password
account-password-new = New password
account-password-new-hint = At least 8 characters, with upper- and lower-case letters and a symbol, without the name or domain of your email address, and not your current password.
account-password-again = New password again
account-password-submit = Change password
account-password-mismatch = The two new passwords do not match.

account-sessions-title = Where you are signed in
account-sessions-this-browser = This browser
account-sessions-meta = { $address } · signed in { $started } · last active { $active }
account-sessions-sign-out = Sign out
account-sessions-sign-out-label = Sign out { $device }, last active { $active }
account-sessions-all = All devices and sessions

account-activity-title = Recent activity
account-activity-empty = Nothing recorded yet.
account-activity-when = When
account-activity-what = What
account-activity-result = Result
account-activity-from = From

## Shared by the administration pages

admin-save = Save
admin-never = Never
admin-force-2fa = Force 2-Factor Auth
admin-two-factor-active = Active
admin-two-factor-not-set-up = Not set up
admin-two-factor-forced = Forced
admin-two-factor-required-for-everyone = Required for everyone
admin-choose-role = Choose a role.

## User manager

admin-users-title = Users
admin-users-lead = Everyone in your organisation. Select a person to force two-factor authentication on them, change their role, reset their two-factor authentication or delete them.
admin-users-people = People
admin-users-col-email = Email
admin-users-col-role = Role
admin-users-col-two-factor = Two-factor
admin-users-col-last-sign-in = Last sign-in
admin-users-you = You
admin-users-invited = Invited

admin-invite-title = Add a user
admin-invite-not-added = The user was not added:
admin-invite-email = Email
admin-invite-password = Password
admin-invite-optional = (optional)
admin-invite-password-hint-mail = Leave empty to invite them: they get a link to choose their own password by email.
admin-invite-password-hint-outbox = Leave empty to invite them: they get a link to choose their own password. No mail server is configured, so the invitation is saved in the server's outbox instead of being emailed; copy the link from the user's page and give it to them.
admin-invite-role = Role
admin-invite-force-hint = At their first sign-in the person is guided through setting up an authenticator app; without it they cannot sign in, and they cannot turn it off.
admin-invite-submit = Add user

admin-policy-title = Two-factor authentication for everyone
admin-policy-require-2fa = Require 2FA for everyone
admin-policy-locked-hint = On. Everyone must sign in with two-factor authentication. Only the contract owner can turn this off.
admin-policy-hint = Everyone who has not set up two-factor authentication is guided through the setup at their next sign-in.
admin-policy-hint-owner = Only you, as the contract owner, can turn this off again.
admin-policy-hint-admin = Once on, only the contract owner can turn it off.
admin-policy-phishing-resistant = Require a phishing-resistant factor (passkey or security key)
admin-policy-phishing-resistant-hint = Codes from an authenticator app and approvals in the companion app can be passed on by a fake sign-in page; a passkey or security key cannot. When on, only a key completes a sign-in (recovery codes still work, once each), and whoever has none is guided to add one at their next sign-in. Only you, as the contract owner, can change this.
admin-policy-phishing-resistant-status = A passkey or security key is required for everyone: the contract owner turned this on, and only they can turn it off.

admin-sign-in-title = Sign-in settings
admin-sign-in-remember-days = Remember browsers for this many days (0 to 90)
admin-sign-in-remember-days-hint = After the second step, people may tick “Don't ask for a code on this browser”; the browser then keeps a key that cannot be copied out of it, and skips the second step for this many days. 0 turns the option off.
admin-sign-in-remember-days-keys-only = While a passkey or security key is required for everyone, no browser is remembered, whatever this says.
admin-sign-in-remember-days-invalid = Enter a whole number of days from 0 to 90; 0 means no browser is remembered.
admin-sign-in-new-sign-in-notice = Email people about sign-ins from a new browser or network
admin-sign-in-new-sign-in-notice-hint = At most one such email an hour, with a link to lock the account if it was not them.
admin-sign-in-save = Save sign-in settings

admin-users-notice-invited-outbox = The user was created. No mail server is configured, so the invitation was saved in the server's outbox (portcullis outbox list) instead of being emailed: open the user and use "Copy invitation link" to give them a link yourself.
admin-users-notice-created = The user was created and can sign in with the password you gave them.
admin-users-notice-invited = The user was created. They get an email with a link to choose their password.
admin-users-notice-deleted = The user was deleted.
admin-users-notice-policy-on = Two-factor authentication is now required for everyone. Whoever has not set it up is guided through the setup at their next sign-in.
admin-users-notice-keys-on = A security key or passkey is now required for everyone. Codes from an authenticator app and approvals in the companion app no longer complete a sign-in; whoever has no key is guided to add one at their next sign-in.
admin-users-notice-keys-off = A security key or passkey is no longer required. Codes from an authenticator app and the companion app complete a sign-in again.
admin-users-notice-sign-in-saved = The sign-in settings were saved. Browsers remembered before keep the date they were given; a shorter time applies to those remembered from now on.
admin-users-notice-policy-off = Two-factor authentication is no longer required for everyone. People you forced it on one by one still need it.

## One person in the user manager

admin-user-title = User details
admin-user-details = User details
admin-user-member-since = Member since
admin-user-invited-no-password = Invited, no password chosen yet
admin-user-codes-left = { $left } of { $total } recovery codes left
admin-user-status = Status
admin-user-locked = Locked
admin-user-locked-by = by the person with "this wasn't me", { $at }
admin-user-not-manageable = You cannot change this account here. The contract owner manages administrators and users; administrators manage users; nobody changes their own account in the user manager.
admin-user-invitation = Invitation
admin-user-invitation-pending = { $days ->
    [one] They have not accepted their invitation yet. An invitation link works once, for 1 day; only the newest one works.
   *[other] They have not accepted their invitation yet. An invitation link works once, for { $days } days; only the newest one works.
}
admin-user-no-mail = No mail server is configured, so invitations are saved in the server's outbox (portcullis outbox list) instead of being emailed. Copy the invitation link and give it to them yourself.
admin-user-link-copied = Link copied
admin-user-copy-link = Copy link
admin-user-invitation-link-hint = Give this link to { $email } yourself, for example in person or in a chat you trust. It is shown only now, and invitation links made before it no longer work.
admin-user-copy-invitation = Copy invitation link
admin-user-copy-invitation-hint = Shows a new link here, once, to give to them yourself. Links made before stop working.
admin-user-resend-invitation = Send again
admin-user-resend-hint-mail = Emails them a new invitation. Links sent before stop working.
admin-user-resend-hint-outbox = Saves a new invitation in the server's outbox. Links sent before stop working.
admin-user-settings = Settings
admin-user-force-hint = Takes effect at the next sign-in: the person is guided through setting up an authenticator app and cannot sign in without it. They cannot turn it off themselves.
admin-user-force-hint-everyone = Two-factor authentication is also required for everyone in your organisation, so unticking this alone does not free them from it.
admin-user-role-hint = Administrators manage users, groups and resources.
admin-user-save = Save changes
admin-user-sessions = Sessions
admin-user-sessions-empty = They are not signed in anywhere.
admin-user-session-from = From { $address }
admin-user-session-signed-in = signed in { $started } with { $how }
admin-user-session-last-used = last used { $used }
admin-user-session-end = End
admin-user-session-end-label = End the session on { $device }, last used { $used }
admin-user-sessions-end-all = End all sessions
admin-user-sessions-end-all-hint = Signs them out everywhere and forgets their remembered browsers, so their next sign-in asks for their second step again.
admin-user-reset-or-delete = Reset or delete
admin-user-unlock = Unlock account
admin-user-unlock-hint = The person locked their account because they saw a change they did not make. Unlock it once you have spoken to them; they should then change their password.
admin-user-reset-2fa = Reset 2FA
admin-user-reset-2fa-hint = Removes their authenticator app and recovery codes, for example after a lost phone. You are asked to confirm first.
admin-user-delete = Delete user
admin-user-delete-hint = Removes the account for good. You are asked to confirm first.
admin-user-back = Back to all users

admin-user-notice-invitation-emailed = A new invitation was emailed. Invitation links sent before no longer work.
admin-user-notice-invitation-outbox = No mail server is configured, so the new invitation was saved in the server's outbox (portcullis outbox list) instead of being emailed. Invitation links sent before no longer work: copy the invitation link and give it to them yourself.
admin-user-notice-saved = Saved. The change takes effect at the person's next sign-in.
admin-user-notice-session-ended = That session has been signed out.
admin-user-notice-sessions-ended = The person was signed out everywhere, and their remembered browsers were forgotten: their next sign-in asks for their second step again.
admin-user-notice-unlocked = Unlocked. The person can sign in again; suggest they change their password.
admin-user-notice-reset-outbox = Two-factor authentication was reset: the authenticator app and recovery codes were removed and the person was signed out everywhere. No mail server is configured, so the message telling them was saved in the server's outbox (portcullis outbox list) instead of being emailed.
admin-user-notice-reset = Two-factor authentication was reset: the authenticator app and recovery codes were removed, the person was signed out everywhere and told by email.
admin-user-notice-link-already-shown = This invitation link was already shown. If you did not keep it, copy a new one: the link shown before then stops working.
admin-user-notice-link-gone = The invitation link is shown only once, within a few minutes of asking for it. Copy a new one if you need it.

admin-confirm-reset-title = Reset two-factor authentication
admin-confirm-reset-question = Reset two-factor authentication for { $email }?
admin-confirm-reset-removed = Their authenticator app and all their recovery codes are removed, and they are signed out everywhere. They are told by email.
admin-confirm-reset-forced = If two-factor authentication is forced on them, they set it up again at their next sign-in; otherwise their password alone signs them in.
admin-confirm-delete-title = Delete user
admin-confirm-delete-question = Delete { $email }?
admin-confirm-delete-removed = The account, its sessions, factors and group memberships are removed. This cannot be undone.

## Groups

admin-groups-title = Groups
admin-groups-lead-before = Resources are granted to groups: everyone in a group sees what it is granted on the
admin-groups-lead-link = Resources
admin-groups-lead-after = { "" } page. Resources protected with two-factor authentication stay hidden from members until they sign in with it.
admin-groups-no-members = No members yet.
admin-groups-members-of = Members of { $group }
admin-groups-remove = Remove
admin-groups-remove-label = Remove { $email } from { $group }
admin-groups-everyone-in = Everyone in your organisation is in this group.
admin-groups-add-member = Add a member
admin-groups-add-member-to = to { $group }
admin-groups-add = Add
admin-groups-none = No groups yet. Create one below, then add people to it.
admin-groups-create-title = Create a group
admin-groups-name = Name
admin-groups-create = Create group
admin-groups-notice-created = The group was created.
admin-groups-notice-member-added = The person was added to the group.
admin-groups-notice-member-removed = The person was removed from the group.

## Access rules

admin-rules-title = Access rules
admin-rules-lead = Applications behind your reverse proxy ask Portcullis who may open them (forward authentication). Each rule covers a host and everything under a path; the longest matching path wins, and a host without a rule is refused. See the recipes in docs/integrations.md.
admin-rules-none = No access rules yet. Add one below.
admin-rules-list-title = Rules
admin-rules-remove = Remove
admin-rules-remove-label = Remove the rule for { $rule }
admin-rules-add-title = Add a rule
admin-rules-host = Host
admin-rules-host-example = app.example.com
admin-rules-path = Path
admin-rules-path-hint = / for the whole host; /admin covers /admin and everything under it.
admin-rules-who = Who may enter
admin-rules-policy-signed-in = Signed in
admin-rules-policy-two-factor = Signed in with two-factor authentication
admin-rules-policy-public = Anyone
admin-rules-choose-policy = Choose who may enter.
admin-rules-groups = Only these groups
admin-rules-groups-hint = Group names separated by commas; empty for everyone in your organisation.
admin-rules-groups-yours = Your groups: { $groups }.
admin-rules-everyone = Everyone in your organisation
admin-rules-add = Add rule
admin-rules-notice-added = The access rule was added; it applies from the next request on.
admin-rules-notice-removed = The access rule was removed.

## OpenID Connect clients

admin-oidc-title = OIDC clients
admin-oidc-lead = Applications that sign people in with Portcullis through OpenID Connect (Grafana, Nextcloud, your own apps). Each one gets a client ID and, unless it is a public app, a secret; people of your organisation sign in to it with their Portcullis account and two-factor authentication.
admin-oidc-secret-title = The secret of “{ $name }”
admin-oidc-secret-before = Enter it in the application's OpenID Connect settings with the client ID
admin-oidc-secret-after = .
admin-oidc-secret-copied = Secret copied
admin-oidc-copy-secret = Copy secret
admin-oidc-secret-once = It will not be shown again.
admin-oidc-secret-lost = If it is lost, give the client a new secret.
admin-oidc-client-id = Client ID
admin-oidc-public = public (no secret, PKCE)
admin-oidc-confidential = confidential
admin-oidc-no-consent = no consent screen
admin-oidc-requires-2fa = requires 2FA
admin-oidc-signed-with = ID tokens signed { $alg }
admin-oidc-who-everyone = Who may sign in: everyone in your organisation
admin-oidc-who-groups = Who may sign in: { $groups }
admin-oidc-uris-of = Redirect URIs of { $name }
admin-oidc-manage = Manage
admin-oidc-name = Name
admin-oidc-uris = Redirect URIs, one per line
admin-oidc-uris-hint = Exactly as the application sends them, such as https://grafana.example.com/login/generic_oauth; http:// only for localhost.
admin-oidc-groups = Groups that may sign in (names, separated by commas; empty: everyone)
admin-oidc-alg = ID token signature
admin-oidc-alg-hint = RS256 is what every OpenID Connect application accepts; choose ES256 or EdDSA only if the application asks for it.
admin-oidc-first-party = Our own application: no consent screen
admin-oidc-require-2fa = Only people signed in with two-factor authentication
admin-oidc-public-app = Public application (single-page or native app): no secret, PKCE required
admin-oidc-new-secret = New secret
admin-oidc-for = for { $name }
admin-oidc-delete = Delete
admin-oidc-none = No OIDC clients yet. Register one below.
admin-oidc-create-title = Register a client
admin-oidc-create = Register client
admin-oidc-notice-saved = The client was saved.
admin-oidc-notice-deleted = The client was deleted. It can no longer sign anyone in.
admin-oidc-notice-already-shown = Already shown: a client secret is shown only once. If it was not kept, give the client a new secret.

## RADIUS clients

admin-radius-title = RADIUS clients
admin-radius-lead = VPN gateways, Wi-Fi controllers and SSH servers (pam_radius) that ask Portcullis for a sign-in over RADIUS. Each one gets a shared secret; people of your organisation sign in there with their email address, password and second factor. Changes apply on every server within seconds.
admin-radius-secret-title = The shared secret of “{ $name }”
admin-radius-secret-where = Enter it on the device as the RADIUS server's shared secret, with this server's address and its RADIUS port (usually UDP 1812). The device must send Message-Authenticator with every request.
admin-radius-secret-copied = Secret copied
admin-radius-copy-secret = Copy secret
admin-radius-secret-once = It will not be shown again.
admin-radius-secret-lost = If it is lost, remove the client and add it again.
admin-radius-none = No RADIUS clients yet. Add one below.
admin-radius-list-title = Clients
admin-radius-from = requests from { $address }
admin-radius-waits = waits { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
} for approval
admin-radius-mode-password-code = Password followed by the code
admin-radius-mode-challenge = Password, then the device asks for the code
admin-radius-mode-push = Password, then approval in the companion app
admin-radius-mode-code-only = The code alone
admin-radius-remove = Remove
admin-radius-remove-label = Remove { $name }
admin-radius-add-title = Add a client
admin-radius-name = Name
admin-radius-name-hint = Unique on this server, such as office-vpn.
admin-radius-address = Address
admin-radius-address-hint = The address the device's requests come from, or a network in CIDR notation, such as 192.0.2.10 or 10.0.0.0/8.
admin-radius-mode = How people answer
admin-radius-timeout = Approval timeout (seconds)
admin-radius-timeout-hint = How long a sign-in waits for approval in the companion app: 1 to 600 seconds. Only for approval in the companion app; set the device's own timeout a little longer.
admin-radius-add = Add client
admin-radius-notice-removed = The RADIUS client was removed. Its requests are no longer answered.
admin-radius-notice-already-shown = Already shown: a shared secret is shown only once. If it was not kept, remove the client and add it again.
admin-radius-confirm-title = Remove RADIUS client
admin-radius-confirm-question = Remove the RADIUS client “{ $name }”?
admin-radius-confirm-consequence = Nobody can sign in through it any more; its requests are no longer answered, within seconds.

## Resources

admin-resources-title = Resources
admin-resources-lead-admin-before = The data centres and snapshots of your organisation. Grant them to
admin-resources-lead-admin-link = groups
admin-resources-lead-admin-after = : members see what their groups are granted.
admin-resources-lead-user = The data centres and snapshots your groups are granted.
admin-resources-explained = Resources are what your organisation runs on the hosting platform, its data centres and the snapshots taken of them; this page decides who may see and select each one. A resource marked “2FA protected” stays hidden from anyone signed in without two-factor authentication, so a stolen password alone never reaches it.
admin-resources-password-only = You signed in with your password only.
admin-resources-hidden-admin = Resources protected with two-factor authentication are hidden from you
admin-resources-hidden-admin-after = , and you cannot create or protect one, until you sign in with your authenticator app.
admin-resources-hidden-user = Resources protected with two-factor authentication are shown only when you sign in with it.
admin-resources-sign-in-again = Sign out, then sign in again with the code from your app.
admin-resources-set-up-before = Set up an authenticator app on the
admin-resources-set-up-link = Security page
admin-resources-set-up-after = , then sign out and sign in again with its code.
admin-resources-none-admin = No resources yet.
admin-resources-none-user = No resources are available to you.
admin-resources-protected = 2FA protected
admin-resources-granted-to = Granted to:
admin-resources-no-group = no group yet
admin-resources-manage = Manage
admin-resources-groups = Groups
admin-resources-withdraw = Withdraw
admin-resources-withdraw-label = Withdraw { $resource } from { $group }
admin-resources-grant-to = Grant to a group
admin-resources-grant-which = ({ $resource })
admin-resources-grant = Grant
admin-resources-no-groups-before = There are no groups yet.
admin-resources-no-groups-link = Create one
admin-resources-no-groups-after = { "" } first.
admin-resources-settings = Settings
admin-resources-name = Name
admin-resources-only-2fa = Only for people signed in with 2FA
admin-resources-only-2fa-hint = Members of its groups who signed in without two-factor authentication do not see it.
admin-resources-only-2fa-sign-in = Sign in with your authenticator app to protect this resource.
admin-resources-delete = Delete
admin-resources-create-title = Add a resource
admin-resources-kind = Kind
admin-resources-create-2fa-hint = Even members of a granted group do not see it unless they signed in with two-factor authentication.
admin-resources-create-2fa-unavailable = Not available: you signed in without two-factor authentication.
admin-resources-create = Add resource
admin-resources-unknown-group = Unknown group
admin-resources-choose-kind = Choose a data centre or a snapshot.
admin-resources-notice-created = The resource was created.
admin-resources-notice-saved = The resource was saved.
admin-resources-notice-granted = The resource was granted to the group.
admin-resources-notice-revoked = The resource was withdrawn from the group.
admin-resources-notice-deleted = The resource was deleted.
admin-resources-confirm-title = Delete resource
admin-resources-confirm-question-datacenter = Delete the data centre “{ $name }”?
admin-resources-confirm-question-snapshot = Delete the snapshot “{ $name }”?
admin-resources-confirm-consequence = It is withdrawn from every group and nobody sees it any more. This cannot be undone.
admin-resources-confirm-button = Delete resource

## Joining: the owner's setup, open registration, an invitation

admin-setup-title = Set up Portcullis
admin-setup-intro = Create the owner account. The owner manages this Portcullis server and everyone on it. This link works once.
admin-signup-title = Create an account
admin-signup-intro = Your account comes with its own organisation, which you own.
admin-register-not-created = Your account was not created:
admin-register-email = Email
admin-register-password = Password
admin-register-password-hint = At least 8 characters, with upper- and lower-case letters and a symbol, and without the name or domain of your email address.
admin-register-password-again = Password again
admin-register-password-mismatch = The two passwords do not match.
admin-register-submit = Create account
admin-register-have-account = Already have an account?
admin-register-sign-in = Sign in
admin-setup-used-title = Setup link already used
admin-setup-used-lead = This setup link has been used — an owner already exists. Sign in instead.
admin-join-invite-title = Choose your password
admin-join-invite-lead = An administrator created an account for you. Choose a password to finish it; this link works once.
admin-join-invite-not-set = Your password was not set:
admin-join-invite-submit = Set password

## "This wasn't me": locking one's account from a notice

admin-lock-window = Lock your account
admin-lock-locked-window = Account locked
admin-lock-locked-title = Your account is locked
admin-lock-locked-status = Nobody can sign in to your account now, and everyone who was signed in has been signed out.
admin-lock-locked-next = The owner of your organisation's account has been told. Ask your administrator to unlock it; then sign in and change your password.
admin-lock-question = Lock your account?
admin-lock-lead = The change we emailed you about was made with your own credentials: your password, or another of your sign-in methods such as your authenticator app, a recovery code or a reset link. If you did not make it, someone else has them. Lock your account to stop them.
admin-lock-effect-signed-out = Everyone signed in to your account is signed out at once.
admin-lock-effect-nobody = Nobody can sign in, not even you, until your administrator unlocks it.
admin-lock-effect-owner = The owner of your organisation's account is told.
admin-lock-submit = Lock my account
