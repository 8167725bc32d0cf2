# Emails and SMS, in the recipient's language. $product is the deployment's product name
# (--product-name), $email an email address, $link a full address; dates come from i18n::dates.
# The German file says the same in the same order; docs/glossary.md fixes the terms.

## Shared by every email

mail-hello = Hello,
mail-label-when = When
mail-label-from = From
mail-label-using = Using
mail-label-account = Account
mail-unknown-address = an unknown address
mail-or-open = Or open this address:
mail-lock-prompt = If this wasn't you, lock your account:
mail-lock-button = This wasn't me: lock my account

## Subjects

mail-subject-invitation = You are invited to { $product }
mail-subject-password-reset = Reset your { $product } password
mail-subject-password-changed = Your { $product } password was changed
mail-subject-password-was-reset = Your { $product } password was reset
mail-subject-two-factor-activated = Two-factor authentication is on for your { $product } account
mail-subject-two-factor-deactivated = Two-factor authentication was turned off for your { $product } account
mail-subject-two-factor-removed-by-recovery = A recovery code removed two-factor authentication from your { $product } account
mail-subject-two-factor-reset-by-admin = An administrator reset your { $product } two-factor authentication
mail-subject-two-factor-reset-by-operator = The server's operator reset your { $product } two-factor authentication
mail-subject-two-factor-forced = Two-factor authentication is now required for your { $product } account
mail-subject-two-factor-unforced = Two-factor authentication is no longer required for your { $product } account
mail-subject-recovery-codes-regenerated = New recovery codes for your { $product } account
mail-subject-recovery-code-used = A recovery code was used to sign in to your { $product } account
mail-subject-phone-changed = The mobile number of your { $product } account changed
mail-subject-support-pin-changed = The support PIN of your { $product } account changed
mail-subject-support-pin-check-failed = A wrong support PIN was given for your { $product } account
mail-subject-app-password-created = New app password for your { $product } account
mail-subject-push-device-paired = A companion app was paired with your { $product } account
mail-subject-push-device-removed = A companion app was removed from your { $product } account
mail-subject-webauthn-added = A security key or passkey was added to your { $product } account
mail-subject-webauthn-removed = A security key or passkey was removed from your { $product } account
mail-subject-role-changed = Your role in { $product } changed
mail-subject-new-sign-in = New sign-in to your { $product } account
mail-subject-second-factor-failures = Someone knows your { $product } password
mail-subject-account-locked = { $email } locked their { $product } account

## Invitation

mail-invitation-intro-text = An administrator created a { $product } account for { $email }. Choose your password to start using it:
mail-invitation-intro = An administrator created a { $product } account for { $email }. Choose your password to start using it.
mail-invitation-button = Choose your password
mail-invitation-expiry = { $days ->
    [one] The link works once and expires in 1 day. If you did not expect this invitation, ignore this message.
   *[other] The link works once and expires in { $days } days. If you did not expect this invitation, ignore this message.
}

## Password reset

mail-reset-intro-text = Someone, hopefully you, asked to reset the password of the { $product } account { $email }. Choose a new password here:
mail-reset-intro = Someone, hopefully you, asked to reset the password of the { $product } account { $email }.
mail-reset-button = Choose a new password
mail-reset-expiry = { $minutes ->
    [one] The link works once and expires in 1 minute.
   *[other] The link works once and expires in { $minutes } minutes.
}
mail-reset-sms-too = We also sent a code by SMS to your verified mobile number; you can use it instead of the link.
mail-reset-two-factor-stays = A new password does not turn off two-factor authentication: signing in still asks for your second factor.
mail-reset-not-you = If you did not ask for this, ignore this message: your password stays as it is.

## Security notices: what happened

mail-event-password-changed = The password of your account was changed.
mail-event-password-reset = The password of your account was reset with a forgot-password link or code. Two-factor authentication stays as it was.
mail-event-two-factor-activated = Two-factor authentication was turned on: signing in now needs a code from your authenticator app after the password.
mail-event-two-factor-deactivated = Two-factor authentication was turned off: your password alone now signs you in.
mail-event-two-factor-removed-by-recovery = A recovery code and your password were used to remove two-factor authentication from your account.
mail-event-two-factor-reset-by-admin = Two-factor authentication was reset for your account: your authenticator app, companion apps and recovery codes were removed, and you were signed out everywhere. If it is required for you, you will set it up again at your next sign-in.
mail-event-two-factor-forced = Two-factor authentication is now required for your account: you will set it up at your next sign-in.
mail-event-two-factor-unforced = Two-factor authentication is no longer required for your account. What you set up stays on until you turn it off.
mail-event-recovery-codes-regenerated = New recovery codes were made for your account. The old ones no longer work.
mail-event-recovery-code-used = A recovery code was used to sign in to your account. Each code works once: { $count ->
    [one] 1 code is left.
   *[other] { $count } codes are left.
}
mail-event-recovery-codes-low = Make new recovery codes soon: { $link }
mail-event-phone-changed = The verified mobile number of your account changed.
mail-event-support-pin-changed = The support PIN of your account was changed.
mail-event-support-pin-check-failed = A support agent was given a wrong support PIN for your account.
mail-event-support-pin-checks-paused = After several wrong PINs, PIN checks for your account are paused for a while.
mail-event-app-password-created = An app password named "{ $name }" was created: mail clients can now sign in with it.
mail-event-push-device-paired = The companion app "{ $name }" was paired with your account: it can now approve your sign-ins.
mail-event-push-device-removed = The companion app "{ $name }" was removed from your account: it can no longer approve your sign-ins.
mail-event-webauthn-added = The security key or passkey "{ $name }" was added to your account: it can now confirm your sign-ins.
mail-event-webauthn-removed = The security key or passkey "{ $name }" was removed from your account: it can no longer confirm your sign-ins.
mail-event-role-administrator = Your role changed: you are now an administrator of your organisation's account and can manage its users.
mail-event-role-user = Your role changed: you are now a user of your organisation's account and can no longer manage its users.
mail-event-role-other = Your role in your organisation's account is now "{ $role }".

## Security notices: who did it, and what to do

mail-security-lock-explain = The change was made with your password or another of your sign-in methods: if it wasn't you, someone else has them. Locking signs you out everywhere and stops every sign-in until an administrator unlocks the account. { $days ->
    [one] The link works once, for 1 day.
   *[other] The link works once, for { $days } days.
}
mail-by-administrator = This change was made by { $admin }, an administrator of your organisation, not with your password or sign-in methods, so there is nothing to lock. If you did not expect it, ask them about it.
mail-by-owner = This change was made by { $admin }, the owner of your organisation's account, not with your password or sign-in methods, so there is nothing to lock. If you did not expect it, ask them about it.
mail-by-operator = This change was made by the server's operator at its command line, not with your password or sign-in methods, so there is nothing to lock. If you did not expect it, ask your administrator about it.

## New sign-in

mail-new-sign-in-intro = Someone just signed in to your account from a browser or a network your account has not used in the last 90 days.
mail-new-sign-in-if-you = If this was you, there is nothing to do.
mail-new-sign-in-lock-explain = Whoever signed in has your password and, if you use one, your second step. Locking signs you out everywhere and stops every sign-in until an administrator unlocks the account; then choose a new password. { $days ->
    [one] The link works once, for 1 day.
   *[other] The link works once, for { $days } days.
}

## Wrong second steps after a right password

mail-wrong-codes-intro = { $count ->
    [one] Someone typed the right password for your account, then failed the second step once within an hour, with a wrong code or with a sign-in request turned down in the companion app. Whoever it was knows your password.
   *[other] Someone typed the right password for your account, then failed the second step { $count } times within an hour, with wrong codes or with sign-in requests turned down in the companion app. Whoever it was knows your password.
}
mail-wrong-codes-latest = The latest try:
mail-wrong-codes-if-you = If that was you, mistyping codes, there is nothing to do.
mail-wrong-codes-change-prompt = If it wasn't you, change your password now:
mail-wrong-codes-button = Change my password
mail-wrong-codes-lock-prompt = If you think someone got further than that, lock your account:
mail-wrong-codes-lock-explain = Locking signs you out everywhere and stops every sign-in until an administrator unlocks the account. { $days ->
    [one] The link works once, for 1 day.
   *[other] The link works once, for { $days } days.
}

## An account holder locked their account (to the owner and administrators)

mail-locked-intro = { $email } followed the "this wasn't me" link in a security message about a change made with their password or sign-in methods, and locked their account.
mail-locked-next-text = Nobody can sign in to that account until an administrator unlocks it. Find out what happened, then unlock it in the user manager: { $link }
mail-locked-next = Nobody can sign in to that account until an administrator unlocks it. Find out what happened, then unlock it in the user manager.
mail-locked-button = Open the user manager

## SMS: one segment (160 GSM characters) with a product name of up to 20 characters

sms-phone-code = { $product } code to verify your mobile number: { $code }. Valid { $minutes } minutes. Never share it.
sms-reset-code = { $product } password reset code: { $code }. Valid { $minutes } minutes. Did not ask? Ignore this.
