# Die Anmeldeseiten: das Passwort, der zweite Schritt (Code, Wiederherstellungscode, Begleit-App,
# Sicherheitsschlüssel, gemerkter Browser), die vom Administrator verlangte Einrichtung, eine
# Nachbestätigung, „Telefon verloren?“, ein vergessenes Passwort, Bestätigungen und die Seiten,
# auf die eine Anwendung (OIDC) eine Person schickt. Gleiche Reihenfolge wie die englische Datei;
# docs/glossary.md legt die Begriffe fest.

## Das Passwort: login.html

sign-in-title = Anmelden
sign-in-lead-mfa = Die Anwendung, zu der Sie wechseln, verlangt eine Zwei-Faktor-Authentifizierung: Melden Sie sich mit Ihrem Passwort und einem zweiten Faktor an.
sign-in-lead-phr = Die Anwendung, zu der Sie wechseln, verlangt einen Sicherheitsschlüssel oder Passkey: Melden Sie sich mit Ihrem Passwort und Ihrem Schlüssel oder mit einem Passkey an.
sign-in-lead = Willkommen zurück. Melden Sie sich an, um Ihr Konto zu verwalten.
sign-in-email = E-Mail-Adresse
sign-in-password = Passwort
sign-in-submit = Anmelden
sign-in-or = oder
sign-in-passkey = Mit einem Passkey anmelden
sign-in-forgot-link = Passwort vergessen?
sign-in-lost-phone-link = Telefon verloren?
sign-in-lost-phone-after = Melden Sie sich stattdessen mit einem Wiederherstellungscode an.
sign-in-new-here = Neu hier?
sign-in-create-account = Konto erstellen
sign-in-start-over = Von vorn beginnen
sign-in-continue = Weiter
sign-in-stale-form = Ihr Formular ist abgelaufen, weil die Seite zu lange geöffnet war. Bitte versuchen Sie es noch einmal.
sign-in-notice-signed-out = Sie sind abgemeldet.
sign-in-notice-account-created = Ihr Konto ist eingerichtet. Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.
sign-in-notice-expired = Diese Anmeldung ist abgelaufen oder hatte zu viele falsche Codes. Melden Sie sich erneut mit Ihrem Passwort an.
sign-in-notice-setup-expired = Ihre Einrichtung hat zu lange gedauert. Melden Sie sich erneut an – der gescannte Schlüssel bleibt gültig.
sign-in-notice-code-expired = Ihre Anmeldung hat zu lange gedauert. Melden Sie sich erneut mit Ihrem Passwort an.

## Was static/webauthn.js neben einem Formular anzeigt (_webauthn_words.html)

sign-in-webauthn-unsupported = Dieser Browser kann keine Sicherheitsschlüssel oder Passkeys verwenden. Versuchen Sie es mit einer aktuellen Version von Chrome, Edge, Firefox oder Safari.
sign-in-webauthn-cancelled = Der Sicherheitsschlüssel oder Passkey hat nicht geantwortet, oder die Anfrage wurde abgebrochen. Versuchen Sie es erneut, sobald Sie bereit sind.
sign-in-webauthn-refused = Dieser Browser oder Schlüssel hat die Anfrage abgelehnt. Versuchen Sie es erneut oder verwenden Sie einen anderen Schlüssel.
sign-in-webauthn-registered = Dieser Sicherheitsschlüssel oder Passkey ist bereits registriert. Verwenden Sie einen anderen.
sign-in-webauthn-name-first = Geben Sie dem Schlüssel zuerst einen Namen, damit Sie Ihre Schlüssel unterscheiden können.
sign-in-webauthn-create-prompt = Folgen Sie der Aufforderung Ihres Browsers, um den Passkey zu erstellen, oder berühren Sie Ihren Sicherheitsschlüssel …
sign-in-webauthn-get-prompt = Folgen Sie der Aufforderung Ihres Browsers oder berühren Sie Ihren Sicherheitsschlüssel …
sign-in-webauthn-passkey-prompt = Folgen Sie der Aufforderung Ihres Browsers, um Ihren Passkey auszuwählen …
sign-in-webauthn-passkey-failed = Die Anmeldung mit einem Passkey konnte nicht gestartet werden. Versuchen Sie es gleich noch einmal.

## Eine Antwort eines Sicherheitsschlüssels, die der Server nicht verwenden konnte (kit/ceremony.rs)

sign-in-ceremony-no-answer = Ihr Browser hat keine Antwort eines Sicherheitsschlüssels oder Passkeys gesendet. Dafür sind JavaScript und ein Browser mit Passkey-Unterstützung nötig (ein aktuelles Chrome, Edge, Firefox oder Safari). Versuchen Sie es erneut oder verwenden Sie einen anderen Browser.
sign-in-ceremony-garbled = Die Antwort Ihres Browsers konnte nicht gelesen werden. Laden Sie die Seite neu und versuchen Sie es noch einmal.
sign-in-ceremony-too-late = Das hat zu lange gedauert: Eine Anfrage an einen Sicherheitsschlüssel oder Passkey gilt 5 Minuten. Versuchen Sie es jetzt erneut.

## Der gemerkte Browser: login_browser.html, _remember.html

sign-in-browser-title = Dieser Browser wird geprüft
sign-in-browser-lead = Ihr Passwort war richtig. Ist dieser Browser für Ihr Konto gemerkt, meldet er Sie ohne Code an; andernfalls werden Sie als Nächstes nach einem Code gefragt.
sign-in-browser-wait = Einen Moment …
sign-in-browser-signing-in = Sie werden angemeldet …
sign-in-browser-code-instead = Stattdessen einen Code eingeben
sign-in-remember = { $days ->
    [one] In diesem Browser 1 Tag lang nicht nach einem Code fragen
   *[other] In diesem Browser { $days } Tage lang nicht nach einem Code fragen
}
sign-in-remember-hint = Nur auf einem Computer, den niemand sonst nutzt. Eine Änderung Ihres Passworts beendet dies.

## Der zweite Schritt: login_code.html

sign-in-code-title = Code eingeben
sign-in-code-lead-push = Ihr Passwort war richtig. Bestätigen Sie die Anmeldung in Ihrer Begleit-App oder geben Sie den Code ein, den Ihre Authenticator-App für Portcullis anzeigt.
sign-in-code-lead = Ihr Passwort war richtig. Öffnen Sie jetzt Ihre Authenticator-App und geben Sie den Code ein, den sie für Portcullis anzeigt.
sign-in-code-lead-push-only = Ihr Passwort war richtig. Bestätigen Sie jetzt die Anmeldung in Ihrer Begleit-App.
sign-in-security-code = Sicherheitscode
sign-in-code-hint = Meist 6 Ziffern. Alle 30 Sekunden erscheint ein neuer Code.
sign-in-code-missing = Geben Sie den Code ein, den Ihre Authenticator-App anzeigt.
sign-in-or-code = oder einen Code eingeben
sign-in-no-phone = Kein Telefon zur Hand?
sign-in-use-recovery-instead = Stattdessen einen Wiederherstellungscode verwenden
sign-in-use-app-instead = Stattdessen die Authenticator-App verwenden
sign-in-recovery-title = Wiederherstellungscode verwenden
sign-in-recovery-lead = Geben Sie einen der Wiederherstellungscodes ein, die Sie bei der Einrichtung Ihrer Authenticator-App gespeichert haben. Jeder Code funktioniert nur einmal.
sign-in-recovery-code = Wiederherstellungscode
sign-in-recovery-hint = 16 Ziffern, etwa 1234-5678-9012-3456. Die Bindestriche sind optional.
sign-in-recovery-code-missing = Geben Sie einen Ihrer Wiederherstellungscodes ein.
sign-in-wrong-recovery-code = Dieser Wiederherstellungscode ist nicht richtig oder wurde bereits verwendet. Jeder Code funktioniert nur einmal.
sign-in-lost-for-good-before = Telefon endgültig verloren?
sign-in-lost-for-good-link = Entfernen Sie die Zwei-Faktor-Authentifizierung
sign-in-lost-for-good-after = mit einem Wiederherstellungscode und richten Sie sie danach auf Ihrem neuen Telefon wieder ein.

## Die Begleit-App: login_push.html

sign-in-push-title = In Ihrer App bestätigen
sign-in-push-send = Anfrage an meine App senden
sign-in-push-send-instead = Stattdessen eine Anfrage an meine App senden
sign-in-push-lead = Ihr Passwort war richtig. Wir haben eine Anmeldeanfrage an Ihre Begleit-App gesendet. Öffnen Sie sie, geben Sie die Zahl unten ein und bestätigen Sie.
sign-in-push-number-label = Geben Sie diese Zahl in der App ein:
sign-in-push-waiting = Warten auf Ihre Antwort in der App …
sign-in-push-lead-over = Ihr Passwort war richtig, aber diese Anmeldeanfrage ist beendet.
sign-in-push-continue = Ich habe bestätigt – weiter
sign-in-push-send-again = Erneut senden
sign-in-push-use-code = Stattdessen einen Code verwenden
sign-in-push-none-arrived = Keine Anfrage erhalten? Prüfen Sie, ob die App läuft und mit diesem Konto gekoppelt ist, und senden Sie dann erneut.
sign-in-push-none-arrives = Keine Anfrage erhalten? Prüfen Sie, ob die App läuft und mit diesem Konto gekoppelt ist.
sign-in-push-over = Diese Anfrage ist beendet. Senden Sie eine neue oder verwenden Sie einen Code.
sign-in-push-denied = Die Anfrage wurde in der App abgelehnt. Wenn Sie das nicht waren, kennt womöglich jemand anderes Ihr Passwort: Ändern Sie es, sobald Sie angemeldet sind.
sign-in-push-expired = Die Anfrage ist abgelaufen, bevor sie bestätigt wurde. Senden Sie eine neue oder verwenden Sie stattdessen einen Code.
sign-in-push-superseded = Diese Anfrage wurde ersetzt: Es wurde eine neuere Anmeldeanfrage an Ihre App gesendet, oder diese Anmeldung wurde mit einem Code fortgesetzt. Sie kann nicht mehr bestätigt werden. Senden Sie hier eine neue, um sich mit der App anzumelden.
sign-in-push-not-sent = Es wurde keine Anfrage an Ihre App gesendet.
sign-in-push-not-yet = Die App hat diese Anfrage noch nicht bestätigt. Geben Sie die Zahl in der App ein, bestätigen Sie und fahren Sie dann fort.
sign-in-push-approved = Bestätigt. Sie werden angemeldet …
sign-in-push-resend-wait = { $seconds ->
    [one] Die Anfrage wurde gerade erst gesendet. Sie können sie in 1 Sekunde erneut senden.
   *[other] Die Anfrage wurde gerade erst gesendet. Sie können sie in { $seconds } Sekunden erneut senden.
}

## Der Sicherheitsschlüssel: login_key.html

sign-in-key-title = Sicherheitsschlüssel verwenden
sign-in-key-lead = Ihr Passwort war richtig. Berühren Sie jetzt Ihren Sicherheitsschlüssel oder entsperren Sie Ihren Passkey mit PIN, Fingerabdruck oder Gesicht, sobald Ihr Browser Sie dazu auffordert.
sign-in-key-try-again = Erneut versuchen
sign-in-key-code-instead = Stattdessen einen Code aus der Authenticator-App eingeben
sign-in-key-lost = Schlüssel verloren oder nicht zur Hand?
sign-in-key-refused = Dieser Sicherheitsschlüssel oder Passkey wurde nicht akzeptiert: Möglicherweise ist er nicht für dieses Konto registriert. Versuchen Sie es mit einem anderen Schlüssel oder melden Sie sich auf andere Weise an.

## Die vom Administrator verlangte Einrichtung: login_setup.html

sign-in-setup-title = Zwei-Faktor-Authentifizierung einrichten
sign-in-setup-welcome = Willkommen bei Portcullis – Ihr Konto ist eingerichtet. Richten Sie als Nächstes, wie von Ihrem Administrator verlangt, die Zwei-Faktor-Authentifizierung ein.
sign-in-setup-app-asks-strong = Die Anwendung, zu der Sie wechseln, verlangt eine Zwei-Faktor-Authentifizierung.
sign-in-setup-app-asks = Richten Sie sie jetzt ein; danach geht es dort weiter.
sign-in-setup-required-strong = Ihr Administrator verlangt die Zwei-Faktor-Authentifizierung für Ihr Konto.
sign-in-setup-required = Schließen Sie diese Einrichtung ab, um sich anzumelden: Ohne sie ist keine Anmeldung möglich.
sign-in-setup-lead = Ihr Passwort war richtig. Fügen Sie Portcullis einer Authenticator-App auf Ihrem Telefon hinzu und geben Sie dann den angezeigten Code ein. Lassen Sie sich Zeit: Die Einrichtung wartet bei jedem Schritt { $minutes } Minuten. Läuft die Zeit ab, melden Sie sich erneut an; der hinzugefügte Schlüssel bleibt derselbe.
sign-in-setup-confirm-title = Code eingeben
sign-in-setup-confirm = Geben Sie den Code ein, den die App jetzt für Portcullis anzeigt. Damit wird die App aktiviert und Sie werden angemeldet.
sign-in-setup-confirm-again = Die App, die Sie eben eingerichtet haben, bleibt gültig: Geben Sie den Code ein, den sie jetzt für Portcullis anzeigt.
sign-in-setup-code = Code aus der App
sign-in-setup-activate = Aktivieren und anmelden
sign-in-setup-key-instead-title = Oder einen Sicherheitsschlüssel oder Passkey verwenden
sign-in-setup-key-instead = Fügen Sie statt einer Authenticator-App einen Sicherheitsschlüssel (etwa einen YubiKey) oder einen Passkey auf diesem Gerät, Ihrem Telefon oder in Ihrem Passwortmanager hinzu. Eine gefälschte Anmeldeseite kann ihn nicht weitergeben.
sign-in-setup-key-instead-button = Sicherheitsschlüssel oder Passkey verwenden
sign-in-setup-new-key-before = Konnten Sie den Schlüssel nicht zur App hinzufügen?
sign-in-setup-new-key-link = Neuen QR-Code und Schlüssel anzeigen
sign-in-setup-new-key-after = und stattdessen diesen hinzufügen.
sign-in-setup-not-now = Nicht jetzt?
sign-in-setup-cancel-link = Abbrechen und zur Anmeldung zurückkehren
sign-in-setup-cancel-after = . Bis diese Einrichtung abgeschlossen ist, können Sie sich nicht anmelden.

## Ein Sicherheitsschlüssel bei der verlangten Einrichtung: login_setup_key.html

sign-in-setup-key-title = Sicherheitsschlüssel oder Passkey einrichten
sign-in-setup-key-window-title = Sicherheitsschlüssel oder Passkey hinzufügen
sign-in-setup-key-app-asks-strong = Die Anwendung, zu der Sie wechseln, verlangt einen Sicherheitsschlüssel oder Passkey.
sign-in-setup-key-app-asks = Codes aus einer Authenticator-App und Bestätigungen in der Begleit-App kann eine gefälschte Anmeldeseite weitergeben; einen Schlüssel nicht, weil Ihr Browser ihn an diese Website bindet. Fügen Sie jetzt einen hinzu; danach geht es dort weiter.
sign-in-setup-key-only-strong = Ihre Organisation verlangt für Ihr Konto einen Sicherheitsschlüssel oder Passkey.
sign-in-setup-key-only = Codes aus einer Authenticator-App und Bestätigungen in der Begleit-App kann eine gefälschte Anmeldeseite weitergeben; einen Sicherheitsschlüssel oder Passkey nicht, weil Ihr Browser ihn an diese Website bindet. Fügen Sie einen hinzu, um sich anzumelden: Ohne ihn ist keine Anmeldung möglich.
sign-in-setup-key-lead = Ihr Passwort war richtig. Benennen Sie Ihren Schlüssel, drücken Sie dann die Schaltfläche und folgen Sie Ihrem Browser: Berühren Sie Ihren Sicherheitsschlüssel oder erstellen Sie einen Passkey auf diesem Gerät, Ihrem Telefon oder in Ihrem Passwortmanager.
sign-in-setup-key-add-title = Schlüssel hinzufügen
sign-in-setup-key-name = Name
sign-in-setup-key-name-placeholder = YubiKey 5, MacBook Touch ID
sign-in-setup-key-name-hint = Damit Sie Ihre Schlüssel unterscheiden können, z. B. „YubiKey 5“ oder „MacBook Touch ID“.
sign-in-setup-key-code = Code aus Ihrer Authenticator-App oder ein Wiederherstellungscode
sign-in-setup-key-code-hint = Ihr Konto hat bereits eine Zwei-Faktor-Authentifizierung. Um einen Schlüssel hinzuzufügen, bestätigen Sie noch einmal, dass Sie es sind: mit dem 6-stelligen Code, den Ihre Authenticator-App gerade anzeigt, oder mit einem Ihrer Wiederherstellungscodes (er ist danach verbraucht).
sign-in-setup-key-wrong-code = Dieser Code ist nicht richtig. Geben Sie den Code ein, den Ihre Authenticator-App gerade anzeigt, oder einen Ihrer Wiederherstellungscodes.
sign-in-setup-key-submit = Schlüssel hinzufügen und anmelden
sign-in-setup-key-needs = Dafür ist ein Browser mit Passkey-Unterstützung und aktiviertem JavaScript nötig. Die Anfrage an Ihren Schlüssel gilt 5 Minuten; danach drücken Sie die Schaltfläche erneut.
sign-in-setup-key-no-key = Kein Sicherheitsschlüssel zur Hand?
sign-in-setup-key-app-instead-link = Stattdessen eine Authenticator-App einrichten
sign-in-setup-key-app-instead-after = .

## Eine Nachbestätigung für eine Anwendung: login_step_up.html

sign-in-step-up-title = Mit Ihrem zweiten Faktor bestätigen
sign-in-step-up-title-phr = Mit Ihrem Sicherheitsschlüssel bestätigen
sign-in-step-up-expired = Das hat zu lange gedauert. Klicken Sie auf „Weiter“, um es erneut zu versuchen.
sign-in-step-up-lead-phr = Die Anwendung, zu der Sie wechseln, verlangt einen Sicherheitsschlüssel oder Passkey. Sie sind angemeldet, daher ist kein Passwort nötig: Bestätigen Sie mit Ihrem Schlüssel oder fügen Sie einen hinzu, falls Sie noch keinen haben.
sign-in-step-up-lead = Die Anwendung, zu der Sie wechseln, verlangt eine Zwei-Faktor-Authentifizierung. Sie sind angemeldet, daher ist kein Passwort nötig: Bestätigen Sie mit Ihrem zweiten Faktor oder richten Sie einen ein, falls Sie noch keinen haben.
sign-in-step-up-not-now = Nicht jetzt
sign-in-step-up-not-now-after = : zurück zu Ihrem Konto.

## Telefon verloren: recover.html

sign-in-recover-title = Telefon verloren?
sign-in-recover-lead = Wenn Sie Ihre Authenticator-App nicht mehr verwenden können, melden Sie sich mit Ihrer E-Mail-Adresse, Ihrem Passwort und einem Ihrer Wiederherstellungscodes an.
sign-in-recover-warning-before = Dies
sign-in-recover-warning-strong = entfernt die Zwei-Faktor-Authentifizierung
sign-in-recover-warning-after = von Ihrem Konto und meldet alle anderen Geräte ab. Ihre übrigen Wiederherstellungscodes werden ungültig. Richten Sie die Authenticator-App anschließend auf Ihrem neuen Telefon wieder ein.
sign-in-recover-code-hint = 16 Ziffern, etwa 1234-5678-9012-3456, aus Ihren gespeicherten Codes oder Ihrem Notfall-Kit.
sign-in-recover-submit = Zwei-Faktor-Authentifizierung entfernen und anmelden
sign-in-recover-have-phone = Haben Sie Ihr Telefon noch?
sign-in-recover-as-usual = Wie gewohnt anmelden

## Ein vergessenes Passwort: forgot.html, reset.html

sign-in-forgot-title = Passwort vergessen?
sign-in-forgot-sent = Falls für diese E-Mail-Adresse ein Konto existiert, haben wir ihr einen Link zum Festlegen eines neuen Passworts gesendet. Der Link funktioniert einmal, innerhalb von { $minutes } Minuten.
sign-in-forgot-made = Falls für diese E-Mail-Adresse ein Konto existiert, wurde dafür ein Link zum Festlegen eines neuen Passworts erstellt. Der Link funktioniert einmal, innerhalb von { $minutes } Minuten.
sign-in-forgot-outbox = Auf diesem Server ist kein Mailserver eingerichtet, daher wurde der Link nicht per E-Mail versendet: Er liegt im Postausgang des Servers, wo der Betreiber ihn mit portcullis outbox list abruft. Bitten Sie ihn darum.
sign-in-forgot-sms-sent = Falls das Konto eine bestätigte Mobilnummer hat, wurde zusätzlich ein 6-stelliger Code per SMS an sie gesendet.
sign-in-forgot-sms-outbox = Falls das Konto eine bestätigte Mobilnummer hat, wurde zusätzlich ein 6-stelliger Code erstellt (es ist kein SMS-Gateway eingerichtet, daher liegt auch er im Postausgang des Servers).
sign-in-forgot-enter-code-link = Geben Sie den Code ein,
sign-in-forgot-enter-code-after = statt dem Link zu folgen.
sign-in-forgot-nothing-arrived = Nach einigen Minuten nichts angekommen? Sehen Sie in Ihrem Spam-Ordner nach oder
sign-in-forgot-ask-again = fordern Sie erneut an
sign-in-forgot-ask-again-after = .
sign-in-forgot-lead = Geben Sie die E-Mail-Adresse ein, mit der Sie sich anmelden. Wir senden Ihnen einen Link zum Festlegen eines neuen Passworts.
sign-in-forgot-submit = Link senden
sign-in-remembered-it = Doch wieder eingefallen?
sign-in-forgot-have-code = Haben Sie bereits einen Code zum Zurücksetzen des Passworts per SMS erhalten?
sign-in-forgot-enter-it = Hier eingeben
sign-in-reset-title = Neues Passwort festlegen
sign-in-reset-done-window-title = Passwort geändert
sign-in-reset-done-title = Ihr Passwort wurde geändert
sign-in-reset-done = Melden Sie sich mit Ihrem neuen Passwort an. Alle angemeldeten Geräte wurden abgemeldet.
sign-in-reset-done-2fa = Wenn Sie die Zwei-Faktor-Authentifizierung verwenden, werden Sie bei der Anmeldung weiterhin wie bisher nach Ihrem Code gefragt.
sign-in-reset-invalid-window-title = Link nicht mehr gültig
sign-in-reset-invalid-title = Dieser Link funktioniert nicht mehr
sign-in-reset-invalid = Der Link ist ungültig, abgelaufen oder wurde bereits verwendet. Jeder Link funktioniert einmal, innerhalb von { $minutes } Minuten, und nur der zuletzt angeforderte.
sign-in-reset-new-link = Neuen Link anfordern
sign-in-reset-got-sms = Einen Code per SMS erhalten?
sign-in-reset-code-instead = Stattdessen den Code eingeben
sign-in-reset-lead-code = Geben Sie Ihre E-Mail-Adresse, den 6-stelligen Code aus der SMS an Ihre bestätigte Mobilnummer und ein neues Passwort ein.
sign-in-reset-lead = Legen Sie ein neues Passwort für Ihr Konto fest. Alle angemeldeten Geräte werden abgemeldet.
sign-in-reset-not-changed = Ihr Passwort wurde nicht geändert:
sign-in-reset-code = Code aus der SMS
sign-in-reset-code-hint = 6 Ziffern. Er funktioniert einmal, innerhalb von { $minutes } Minuten.
sign-in-reset-password = Neues Passwort
sign-in-reset-password-hint = Mindestens 8 Zeichen, mit Groß- und Kleinbuchstaben und einem Sonderzeichen, ohne den Namen oder die Domain Ihrer E-Mail-Adresse und nicht Ihr aktuelles Passwort.
sign-in-reset-password-again = Neues Passwort wiederholen
sign-in-reset-submit = Neues Passwort festlegen
sign-in-reset-no-code = Kein Code?
sign-in-reset-mismatch = Die beiden Passwörter stimmen nicht überein.
sign-in-reset-wrong-code = Dieser Code ist nicht richtig, abgelaufen oder wurde bereits verwendet, oder die E-Mail-Adresse ist nicht die, für die der Code gesendet wurde.

## „Sind Sie sicher?“: confirm.html

sign-in-confirm-password = Aktuelles Passwort
sign-in-confirm-password-hint = Ihr Anmeldepasswort, um sicherzugehen, dass Sie es sind.
sign-in-confirm-cancel = Abbrechen

## Zurück zu einer Anwendung: continue.html, oauth2_*.html

sign-in-continue-window-title = Angemeldet
sign-in-continue-title = Sie sind angemeldet
sign-in-continue-lead = Sie werden zur Anwendung zurückgeleitet, von der Sie kamen.
sign-in-consent-window-title = Zugriff erlauben
sign-in-consent-title = { $app } erlauben?
sign-in-consent-lead = möchte Sie anmelden und Folgendes erfahren:
sign-in-consent-claim-openid = Ihre Konto-ID, um Sie bei der nächsten Anmeldung wiederzuerkennen
sign-in-consent-claim-profile = Ihren Namen
sign-in-consent-claim-email = Ihre E-Mail-Adresse
sign-in-consent-claim-groups = Die Namen Ihrer Gruppen
sign-in-consent-claim-offline-access = Verbunden bleiben, während Sie abwesend sind (bis Sie es widerrufen)
sign-in-consent-revoke = Sie können dies jederzeit unter Sicherheit, Verbundene Apps widerrufen.
sign-in-consent-allow = Erlauben
sign-in-consent-deny = Ablehnen
sign-in-returning-title = Zurück zur Anwendung
sign-in-returning-signed-in = Sie sind angemeldet. Sie werden zur Anwendung zurückgeleitet …
sign-in-returning-allowed = Sie haben den Zugriff erlaubt. Sie werden zur Anwendung zurückgeleitet …
sign-in-returning-refused = Sie haben den Zugriff abgelehnt. Sie werden zur Anwendung zurückgeleitet …
sign-in-logout-title = Abmelden?
sign-in-logout-lead = Eine Anwendung möchte Sie von Portcullis abmelden. Melden Sie sich nur ab, wenn Sie sich dort gerade selbst abgemeldet haben.
sign-in-logout-confirm = Abmelden
sign-in-logout-stay = Angemeldet bleiben
sign-in-logout-unreadable = Die Abmeldeanfrage konnte nicht gelesen werden.
sign-in-signed-out-title = Abgemeldet
sign-in-signed-out = Sie sind abgemeldet.
sign-in-signed-out-returning = Sie sind abgemeldet. Sie werden zur Anwendung zurückgeleitet …
sign-in-not-signed-in = Sie sind nicht angemeldet.
