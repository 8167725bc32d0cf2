# Sentences of the core (validation and refusal fragments), by fragment id: see web::kit::error::fragment_id.
# The id is "core-" and the fragment's runs of letters and digits, lower case, joined by "-"; the
# English text is the sentence a page shows for the fragment (first letter upper case, a final
# full stop). i18n::core_fragments checks that every fixed fragment of crates/core/src has one.
# The German file says the same in the same order; docs/glossary.md fixes the terms.

## Email addresses

core-email-is-required = Email is required.
core-email-is-longer-than-254-characters = Email is longer than 254 characters.
core-email-must-not-contain-spaces-or-control-characters = Email must not contain spaces or control characters.
core-email-must-look-like-name-example-com = Email must look like name@example.com.
core-email-must-have-a-domain-like-example-com = Email must have a domain like example.com.

## Names of things a person adds

core-give-the-app-password-a-name-such-as-the-app-or-device-it-is-for = Give the app password a name, such as the app or device it is for.
core-the-name-must-be-at-most-64-characters-long = The name must be at most 64 characters long.
core-the-name-must-not-contain-control-characters = The name must not contain control characters.
core-give-the-key-a-name-e-g-yubikey-5-or-macbook-touch-id = Give the key a name, e.g. "YubiKey 5" or "MacBook Touch ID".
core-the-name-may-be-at-most-64-characters-long = The name may be at most 64 characters long.
core-the-name-may-not-contain-control-characters = The name may not contain control characters.
core-the-device-name-must-be-1-to-64-characters = The device name must be 1 to 64 characters.
core-the-device-name-must-not-contain-control-characters = The device name must not contain control characters.
core-a-group-name-has-1-to-100-characters = A group name has 1 to 100 characters.
core-a-resource-name-has-1-to-200-characters = A resource name has 1 to 200 characters.
core-the-service-name-must-be-1-to-64-characters-such-as-mail = The service name must be 1 to 64 characters, such as "mail".
core-a-client-name-has-1-to-100-characters-such-as-grafana = A client name has 1 to 100 characters, such as "Grafana".

## Support PIN

core-the-support-pin-must-not-be-one-digit-repeated = The support PIN must not be one digit repeated.
core-the-support-pin-must-not-be-a-run-of-digits-like-12345-or-98765 = The support PIN must not be a run of digits like 12345 or 98765.
core-a-support-pin-is-5-to-10-digits = A support PIN is 5 to 10 digits.
core-only-support-agents-may-check-a-support-pin = Only support agents may check a support PIN.

## Factors and devices

core-digits-must-be-6-or-8 = Digits must be 6 or 8.
core-period-must-be-30-or-60-seconds = Period must be 30 or 60 seconds.
core-the-webhook-must-be-an-http-or-https-address = The webhook must be an http:// or https:// address.
core-public-key-must-be-a-32-byte-ed25519-key-base64url = Public_key must be a 32-byte Ed25519 key, base64url.
core-no-companion-app-is-paired-with-this-account = No companion app is paired with this account.
core-this-account-already-has-two-factor-authentication-enter-a-code-from-your-authenticator-app-or-a-recovery-code-to-add-a-security-key = This account already has two-factor authentication: enter a code from your authenticator app or a recovery code to add a security key.
core-you-have-50-app-passwords-the-most-there-may-be-revoke-one-you-no-longer-use = You have 50 app passwords, the most there may be; revoke one you no longer use.
core-only-a-completed-second-step-can-remember-a-browser = Only a completed second step can remember a browser.
core-the-browser-s-key-is-not-a-p-256-public-key = The browser's key is not a P-256 public key.

## Mobile number

core-this-number-is-already-verified = This number is already verified.
core-enter-your-current-password-to-replace-a-verified-number = Enter your current password to replace a verified number.
core-a-mobile-number-is-already-verified = A mobile number is already verified.
core-a-mobile-number-is-not-part-of-this-setup = A mobile number is not part of this setup.
core-no-mobile-number-is-waiting-for-a-code-enter-the-number-first = No mobile number is waiting for a code; enter the number first.

## Administration

core-only-the-owner-and-administrators-may-do-this = Only the owner and administrators may do this.
core-you-may-not-manage-this-account = You may not manage this account.
core-you-may-not-give-this-role = You may not give this role.
core-the-owner-cannot-have-another-role = The owner cannot have another role.
core-the-owner-cannot-be-deleted = The owner cannot be deleted.
core-only-the-contract-owner-may-stop-requiring-two-factor-authentication = Only the contract owner may stop requiring two-factor authentication.
core-only-the-contract-owner-may-change-whether-a-security-key-or-passkey-is-required = Only the contract owner may change whether a security key or passkey is required.
core-this-person-has-already-accepted-the-invitation-and-chosen-a-password = This person has already accepted the invitation and chosen a password.

## Resources and access rules

core-the-host-must-be-a-host-name-such-as-app-example-com-optionally-with-port = The host must be a host name such as app.example.com, optionally with :port.
core-the-path-prefix-must-start-with-and-hold-no-query-or-fragment = The path prefix must start with / and hold no query (?) or fragment (#).
core-protecting-a-resource-needs-a-session-signed-in-with-a-second-factor = Protecting a resource needs a session signed in with a second factor.

## OpenID Connect

core-id-token-signed-response-alg-is-one-of-rs256-es256-or-eddsa = Id_token_signed_response_alg is one of RS256, ES256 or EdDSA.
core-a-public-client-has-no-secret = A public client has no secret.
core-another-rotation-of-this-algorithm-s-key-happened-at-the-same-moment = Another rotation of this algorithm's key happened at the same moment.

## RADIUS

core-a-radius-client-name-has-1-to-64-characters-such-as-office-vpn = A RADIUS client name has 1 to 64 characters, such as "office-vpn".
core-address-is-an-ipv4-or-ipv6-address-or-block-such-as-192-0-2-10-or-10-0-0-0-8 = Address is an IPv4 or IPv6 address or block, such as 192.0.2.10 or 10.0.0.0/8.
core-mode-is-one-of-password-code-challenge-push-or-code-only = Mode is one of password+code, challenge, push or code-only.
core-push-timeout-is-1-to-600-seconds = Push timeout is 1 to 600 seconds.
core-a-radius-client-with-this-name-exists = A RADIUS client with this name exists.

## Not found

core-access-rule-not-found = Access rule not found.
core-app-password-not-found = App password not found.
core-authorization-request-not-found = Authorization request not found.
core-challenge-not-found = Challenge not found.
core-client-not-found = Client not found.
core-connected-app-not-found = Connected app not found.
core-contract-not-found = Contract not found.
core-device-not-found = Device not found.
core-grant-not-found = Grant not found.
core-group-not-found = Group not found.
core-membership-not-found = Membership not found.
core-push-request-not-found = Push request not found.
core-radius-client-not-found = RADIUS client not found.
core-remembered-browser-not-found = Remembered browser not found.
core-resource-not-found = Resource not found.
core-security-key-not-found = Security key not found.
core-service-token-not-found = Service token not found.
core-session-not-found = Session not found.
core-user-not-found = User not found.
core-approve-needs-the-number-shown-on-the-sign-in-screen = Approve needs the number shown on the sign-in screen.
