# What a person reads at a VPN, Wi-Fi or SSH prompt (RADIUS Reply-Message): short, one line,
# plain text. $minutes is a whole number of minutes, $url the server's public address.

radius-wrong-credentials = Wrong email address, password or code.
radius-wrong-code = Wrong code. Please sign in again.
radius-state-invalid = This sign-in took too long or was already used. Please sign in again.
radius-throttled = { $minutes ->
    [one] Too many attempts. Please try again in { $minutes } minute.
   *[other] Too many attempts. Please try again in { $minutes } minutes.
}
radius-account-locked = This account is locked. Ask your administrator to unlock it.
radius-enrolment-required = Two-factor authentication is required for this account. Set it up at { $url }, then sign in again.
radius-no-usable-factor = This connection cannot use the second factor of this account. Add an authenticator app at { $url }.
radius-phishing-resistant-required = This organisation signs in only with passkeys or security keys, which this connection cannot use.
radius-push-denied = The sign-in request was denied in the companion app.
radius-push-superseded = A newer sign-in replaced this one.
radius-push-timed-out = The sign-in request was not approved in time. Please sign in again.
radius-push-paused = { $minutes ->
    [one] Too many sign-in requests were denied or not answered. Please try again in { $minutes } minute.
   *[other] Too many sign-in requests were denied or not answered. Please try again in { $minutes } minutes.
}
radius-prompt-authenticator-code = Enter the code from your authenticator app.
radius-prompt-recovery-code = Enter one of your recovery codes.
