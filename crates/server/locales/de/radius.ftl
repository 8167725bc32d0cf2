# Was eine Person an der Anmeldung von VPN, WLAN oder SSH liest (RADIUS Reply-Message): kurz,
# eine Zeile, reiner Text. $minutes ist eine ganze Zahl von Minuten, $url die öffentliche Adresse.

radius-wrong-credentials = E-Mail-Adresse, Passwort oder Code falsch.
radius-wrong-code = Falscher Sicherheitscode. Bitte melden Sie sich erneut an.
radius-state-invalid = Diese Anmeldung hat zu lange gedauert oder wurde bereits verwendet. Bitte melden Sie sich erneut an.
radius-throttled = { $minutes ->
    [one] Zu viele Versuche. Bitte versuchen Sie es in { $minutes } Minute erneut.
   *[other] Zu viele Versuche. Bitte versuchen Sie es in { $minutes } Minuten erneut.
}
radius-account-locked = Dieses Konto ist gesperrt. Bitten Sie Ihren Administrator, es zu entsperren.
radius-enrolment-required = Für dieses Konto ist die Zwei-Faktor-Authentifizierung erforderlich. Richten Sie sie unter { $url } ein und melden Sie sich dann erneut an.
radius-no-usable-factor = Diese Verbindung kann den zweiten Faktor dieses Kontos nicht verwenden. Fügen Sie unter { $url } eine Authenticator-App hinzu.
radius-phishing-resistant-required = Diese Organisation meldet sich nur mit Passkeys oder Sicherheitsschlüsseln an, die diese Verbindung nicht verwenden kann.
radius-push-denied = Die Anmeldeanfrage wurde in der Begleit-App abgelehnt.
radius-push-superseded = Eine neuere Anmeldung hat diese ersetzt.
radius-push-timed-out = Die Anmeldeanfrage wurde nicht rechtzeitig bestätigt. Bitte melden Sie sich erneut an.
radius-push-paused = { $minutes ->
    [one] Zu viele Anmeldeanfragen wurden abgelehnt oder nicht beantwortet. Bitte versuchen Sie es in { $minutes } Minute erneut.
   *[other] Zu viele Anmeldeanfragen wurden abgelehnt oder nicht beantwortet. Bitte versuchen Sie es in { $minutes } Minuten erneut.
}
radius-prompt-authenticator-code = Geben Sie den Sicherheitscode aus Ihrer Authenticator-App ein.
radius-prompt-recovery-code = Geben Sie einen Ihrer Wiederherstellungscodes ein.
