# Was jede Seite teilt: Rahmen, Sprachumschalter, Datumsangaben, Fehlerseiten, Passwortregeln.
# Gleiche Reihenfolge wie die englische Datei; die Begriffe legt docs/glossary.md fest.

-product = Portcullis
lang-code = de

## Rahmen

layout-window-title = { $title } · Portcullis
layout-skip = Zum Inhalt springen
layout-brand = Portcullis
layout-nav-label = Konto
layout-nav-account = Konto
layout-nav-security = Sicherheit
layout-nav-resources = Ressourcen
layout-nav-users = Benutzer
layout-nav-groups = Gruppen
layout-nav-access-rules = Zugriffsregeln
layout-nav-oidc = OIDC-Clients
layout-nav-radius = RADIUS-Clients
layout-sign-out = Abmelden
layout-footer = Portcullis · Kontosicherheit auf dem eigenen Server
layout-language = Sprache:
language-name-en = English
language-name-de = Deutsch
layout-language-current = { $language } (aktuelle Sprache)

## Datumsangaben: „7. Dezember 2026, 14:05 CET“

date = { $day }. { $month } { $year }
date-time = { $date }, { $time }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
unknown = unbekannt

## Wartezeiten

wait-seconds = { $seconds ->
    [one] 1 Sekunde
   *[other] { $seconds } Sekunden
}
wait-minutes = { $minutes } Minuten ({ $seconds } Sekunden)

## Fehlerseiten

error-start-page = Zur Startseite
error-title-not-found = Seite nicht gefunden
error-title-forbidden = Nicht erlaubt
error-title-too-many = Zu viele Versuche
error-title-unauthorized = Nicht angemeldet
error-title-busy = Server ausgelastet
error-title-failed = Das hat nicht geklappt
error-title-form-expired = Formular abgelaufen
error-title-internal = Etwas ist schiefgelaufen
error-title-form-too-large = Formular zu groß
error-title-form-incomplete = Formular unvollständig
error-title-method = Hier nicht möglich
error-title-session-not-found = Sitzung nicht gefunden
error-title-browser-not-found = Browser nicht gefunden
error-title-link-invalid = Link nicht mehr gültig
error-title-invitation-invalid = Einladung nicht mehr gültig
error-title-device-not-found = Gerät nicht gefunden
error-title-key-not-found = Schlüssel nicht gefunden
error-title-app-password-not-found = App-Passwort nicht gefunden
error-title-request-refused = Anmeldeanfrage abgelehnt
error-title-sign-out-refused = Abmeldung abgelehnt
error-title-could-not-continue = Weiter ging es nicht
error-title-kit-unavailable = Notfall-Kit nicht mehr verfügbar
error-not-found = Unter dieser Adresse gibt es nichts. Prüfen Sie den Link oder beginnen Sie erneut auf der Anmeldeseite.
error-form-expired = Ihr Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es noch einmal.
error-internal = Bei uns ist etwas schiefgelaufen. Versuchen Sie es gleich noch einmal.
error-form-too-large = Das gesendete Formular ist größer, als dieser Server annimmt.
error-form-incomplete = Das Formular ist unvollständig angekommen. Laden Sie die Seite neu und versuchen Sie es noch einmal.
error-method = Diese Seite lässt sich so nicht verwenden. Gehen Sie zurück und nutzen Sie die Schaltflächen der Seite.
error-session-ended = Diese Sitzung ist bereits beendet.
error-session-not-yours = Diese Sitzung ist bereits beendet oder gehört nicht zu Ihrem Konto.
error-browser-not-yours = Dieser Browser wurde bereits vergessen oder gehört nicht zu Ihrem Konto.
error-lock-link-invalid = Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Wenn Sie weiterhin glauben, dass jemand anderes Ihr Konto nutzt, wenden Sie sich an Ihren Administrator.
error-invitation-invalid = Dieser Einladungslink ist ungültig, abgelaufen oder wurde bereits verwendet. Bitten Sie Ihren Administrator um eine neue Einladung.
error-app-not-connected = Diese Anwendung ist nicht (mehr) mit Ihrem Konto verbunden.
error-device-not-yours = Dieses Gerät wurde bereits entfernt oder gehört nicht zu Ihrem Konto.
error-key-not-yours = Dieser Sicherheitsschlüssel oder Passkey wurde bereits entfernt oder gehört nicht zu Ihrem Konto.
error-app-password-not-yours = Dieses App-Passwort wurde bereits widerrufen oder gehört nicht zu Ihrem Konto.
error-request-unreadable = Die Anfrage der Anwendung war nicht lesbar. Informieren Sie deren Administrator.
error-language-title = Unbekannte Sprache
error-language-body = Dieser Server ist nur auf Deutsch und Englisch verfügbar.
error-time-zone-title = Unbekannte Zeitzone
error-time-zone-body = Wählen Sie eine Zeitzone aus der Liste.

## Was schiefging, in einem Satz

error-invalid-credentials = E-Mail-Adresse oder Passwort ist falsch.
error-invalid-password = Ihr aktuelles Passwort ist nicht korrekt.
error-too-many-attempts = Zu viele fehlgeschlagene Versuche. Warten Sie { $wait } und versuchen Sie es dann erneut.
error-email-taken = Ein Konto mit dieser E-Mail-Adresse existiert bereits.
error-registration-closed = Die Registrierung ist auf diesem Server geschlossen.
error-invalid-setup-token = Dieser Einrichtungslink ist ungültig oder abgelaufen. Solange der Server noch kein Konto hat, gibt er nach einem Neustart einen neuen Link aus; der Betreiber kann den Inhaber auch mit dem Befehl portcullis user create-owner anlegen.
error-invalid-client = Diese Anwendung ist hier nicht registriert, oder ihre Registrierung hat sich geändert. Informieren Sie den Administrator der Anwendung.
error-invalid-code = Dieser Code ist nicht richtig. Geben Sie den 6-stelligen Code ein, den Ihre Authenticator-App gerade anzeigt, und prüfen Sie, ob die Uhrzeit Ihres Telefons automatisch eingestellt wird.
error-second-factor-failed = Dieser Code ist nicht richtig oder wurde bereits verwendet. Versuchen Sie den nächsten Code.
error-invalid-ticket = Diese Anmeldung ist abgelaufen oder hatte zu viele falsche Codes. Melden Sie sich erneut an.
error-two-factor-enforced = Ihr Administrator verlangt die Zwei-Faktor-Authentifizierung für Ihr Konto, daher können Sie sie nicht ausschalten.
error-totp-already-active = Es ist bereits eine Authenticator-App aktiv. Deaktivieren Sie sie zuerst, um eine andere einzurichten.
error-enrollment-not-started = Starten Sie zuerst die Einrichtung der Authenticator-App; vielleicht wurde sie in einem anderen Fenster neu begonnen.
error-two-factor-not-enabled = Die Zwei-Faktor-Authentifizierung ist nicht aktiviert.
error-kit-unavailable = Das Notfall-Kit kann nur in den 15 Minuten nach der Aktivierung in derselben Sitzung heruntergeladen werden. Erzeugen Sie neue Wiederherstellungscodes, um ein neues Kit zu erhalten.
error-account-locked = Dieses Konto ist gesperrt, weil jemand eine Änderung gemeldet hat, die er nicht vorgenommen hat. Bitten Sie Ihren Administrator, es zu entsperren.
error-invalid-phone = Geben Sie die Mobilnummer im internationalen Format ein, beginnend mit + und der Ländervorwahl, z. B. +4915112345678.
error-phone-not-verified = Bestätigen Sie zuerst eine Mobilnummer und aktivieren Sie dann die Zwei-Faktor-Authentifizierung.
error-invalid-ceremony = Diese Anfrage an Ihren Sicherheitsschlüssel oder Passkey ist abgelaufen (sie gilt 5 Minuten) oder wurde bereits beantwortet. Versuchen Sie es erneut.
error-invalid-webauthn = Die Antwort Ihres Sicherheitsschlüssels konnte nicht geprüft werden. Versuchen Sie es erneut oder verwenden Sie einen anderen Schlüssel.
error-credential-exists = Dieser Sicherheitsschlüssel oder Passkey ist bereits registriert.
error-passkey-failed = Mit diesem Passkey war keine Anmeldung möglich. Melden Sie sich stattdessen mit E-Mail-Adresse und Passwort an.
error-phishing-resistant-required = Ihre Organisation verlangt zur Anmeldung einen Sicherheitsschlüssel oder Passkey. Codes aus einer Authenticator-App und Bestätigungen in der Begleit-App werden nicht akzeptiert.
error-invalid-link = Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet.
error-invalid-signature = Die Signatur des Geräts ist ungültig.
error-challenge-closed = Diese Anmeldeanfrage wurde bereits beantwortet oder ist abgelaufen.
error-push-paused = Zu viele Anmeldeanfragen an Ihre App wurden abgelehnt oder nicht beantwortet. Warten Sie { $wait } oder verwenden Sie stattdessen einen Code.
error-overloaded = Der Server ist gerade stark ausgelastet. Warten Sie { $wait } und versuchen Sie es dann erneut.

## Passwortregeln, je ein Satz

password-rule-too-short = Das Passwort muss mindestens 8 Zeichen lang sein.
password-rule-too-long = Das Passwort darf höchstens 256 Zeichen lang sein.
password-rule-no-lowercase = Das Passwort muss einen Kleinbuchstaben enthalten.
password-rule-no-uppercase = Das Passwort muss einen Großbuchstaben enthalten.
password-rule-no-special = Das Passwort muss ein Sonderzeichen enthalten (weder Buchstabe noch Ziffer).
password-rule-common = Das Passwort darf keines der häufigsten geleakten Passwörter sein, auch nicht abgewandelt.
password-rule-contains-email = Das Passwort darf weder den Namen noch die Domain Ihrer E-Mail-Adresse enthalten.
password-rule-same-as-current = Das neue Passwort muss sich von Ihrem aktuellen Passwort unterscheiden.
password-breaks-rules = Dieses Passwort verstößt gegen { $count } Regeln:
