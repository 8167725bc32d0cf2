# Der Sicherheitsbereich und seine Seiten: Authenticator-App, Wiederherstellungscodes und
# Notfall-Kit, Sicherheitsschlüssel und Passkeys, Begleit-App, Mobilnummer, Support-PIN,
# App-Passwörter, verbundene Apps, Geräte und Sitzungen; dazu die Wörter für Kontodaten (Rollen,
# Ressourcenarten, Ereignisse im Protokoll). Gleiche Reihenfolge wie die englische Datei.

## Shared by several pages

security-current-password = Aktuelles Passwort
security-back = Zurück zu den Sicherheitseinstellungen
security-copy-failed = Kopieren ist hier nicht erlaubt; der Text ist markiert, drücken Sie Strg+C oder ⌘C.
security-never = nie
security-unknown-address = einer unbekannten Adresse

## The authenticator app's setup (security page and the wizard at sign-in)

security-totp-setup-title = Authenticator-App einrichten
security-totp-setup-lead = Vier Schritte, etwa zwei Minuten. An Ihrer Anmeldung ändert sich nichts, bis Sie in Schritt 4 bestätigen.
security-totp-not-switched-on = Die App wurde nicht eingeschaltet:
security-totp-install-title = Authenticator-App installieren
security-totp-install-text = Jede App für zeitbasierte Codes funktioniert, zum Beispiel Aegis oder FreeOTP, Google Authenticator, Microsoft Authenticator oder 1Password. Sie finden sie im App-Store Ihres Smartphones.
security-totp-install-hint = Die Codes hängen von der Uhrzeit ab: Stellen Sie die Uhrzeit Ihres Smartphones auf automatische Aktualisierung.
security-totp-scan-title = QR-Code scannen
security-totp-qr-label = QR-Code, um Ihr Konto in der Authenticator-App hinzuzufügen
security-totp-scan-text = Fügen Sie in der App ein Konto hinzu und richten Sie die Kamera auf diesen Code. Die App zeigt dann { $issuer } mit einem neuen Code alle { $period } Sekunden.
security-totp-key-title = Oder den Schlüssel eingeben
security-totp-key-text = Scannen nicht möglich? Wählen Sie in der App die Eingabe eines Einrichtungsschlüssels und tippen oder fügen Sie diesen ein:
security-totp-key-spoken = Der Einrichtungsschlüssel, in Gruppen zu vier Zeichen: { $groups }
security-copy-key = Schlüssel kopieren
security-copy-key-done = Schlüssel kopiert
security-totp-fact-account = Konto
security-totp-fact-issuer = Aussteller
security-totp-fact-type = Art
security-totp-fact-type-value = Zeitbasiert, { $digits } Ziffern, alle { $period } Sekunden ({ $algorithm })
security-totp-confirm-title = Bestätigen
security-totp-confirm-text = Geben Sie Ihr aktuelles Passwort und den Code ein, den die App gerade anzeigt. Wenn Sie die App einschalten, werden Ihre anderen Geräte abgemeldet.
security-totp-code-label = Code aus der App
security-totp-code-hint = { $digits } Ziffern, zum Beispiel 123456.
security-totp-activate = Aktivieren
security-totp-cancel = Abbrechen und zurück zu „Sicherheit“

## Recovery codes, shown once

security-codes-title-already-shown = Wiederherstellungscodes bereits angezeigt
security-codes-title-on = Die Zwei-Faktor-Authentifizierung ist eingeschaltet
security-codes-title-new = Neue Wiederherstellungscodes
security-codes-already-shown = Bereits angezeigt: Wiederherstellungscodes werden nur einmal angezeigt. Wenn Sie sie nicht gespeichert haben, erstellen Sie neue; Ihre bisherigen Codes sind dann ungültig.
security-codes-make-new = Neue Codes erstellen
security-codes-kit-still = Das Notfall-Kit mit den bereits angezeigten Codes können Sie noch einige Minuten lang herunterladen, nur in diesem Browser:
security-codes-kit-download = Notfall-Kit herunterladen (PDF)
security-codes-activated-app = Ihre Authenticator-App ist aktiv. Ab jetzt fragt die Anmeldung nach Ihrem Passwort auch nach dem Code der App. Ihre anderen Geräte wurden abgemeldet; melden Sie sich dort erneut an.
security-codes-activated-key = Die Zwei-Faktor-Authentifizierung ist eingeschaltet. Ab jetzt fragt die Anmeldung nach Ihrem Passwort auch nach Ihrem Sicherheitsschlüssel oder Passkey. Ihre anderen Geräte wurden abgemeldet; melden Sie sich dort erneut an.
security-codes-enrolled-app = Ihre Authenticator-App ist aktiv und Sie sind angemeldet. Ab jetzt fragt die Anmeldung nach Ihrem Passwort auch nach dem Code der App.
security-codes-enrolled-key = Ihr Sicherheitsschlüssel oder Passkey ist hinzugefügt und Sie sind angemeldet. Ab jetzt fragt die Anmeldung nach Ihrem Passwort auch danach.
security-codes-regenerated = Sie haben zehn neue Wiederherstellungscodes. Die alten sind nicht mehr gültig.
security-codes-yours = Ihre Wiederherstellungscodes
security-codes-use-app = Wenn Sie Ihr Smartphone verlieren, meldet Sie jeder Code einmal anstelle der App an oder entfernt die Zwei-Faktor-Authentifizierung von Ihrem Konto.
security-codes-use-key = Wenn Sie Ihre Schlüssel verlieren, meldet Sie jeder Code einmal stattdessen an oder entfernt die Zwei-Faktor-Authentifizierung von Ihrem Konto.
security-codes-save-now = Speichern Sie sie jetzt: Sie werden nicht noch einmal angezeigt.
security-codes-keep = Laden Sie das Notfall-Kit herunter und drucken Sie es aus, oder bewahren Sie die Datei sicher auf, getrennt von diesem Computer und Ihrem Smartphone (zum Beispiel auf einem USB-Stick in einer Schublade); löschen Sie danach die heruntergeladene Kopie.
security-codes-left = { $count ->
    [one] 1 Wiederherstellungscode übrig
   *[other] { $count } Wiederherstellungscodes übrig
}
security-codes-kit-holds-app = Das Kit enthält diese Codes und Ihren Authenticator-Schlüssel mit QR-Code auf einer Seite zum Ausdrucken. Sie können es 15 Minuten lang herunterladen, nur in diesem Browser.
security-codes-kit-holds = Das Kit enthält diese Codes auf einer Seite zum Ausdrucken. Sie können es 15 Minuten lang herunterladen, nur in diesem Browser.
security-codes-continue = Weiter
security-codes-done = Fertig

## The Security tab

security-title = Sicherheit
security-lead = Wie Sie über Ihr Passwort hinaus nachweisen, dass Sie es sind.
security-back-account = Zurück zu Ihrem Konto
security-badge-active = Aktiv
security-badge-not-set-up = Nicht eingerichtet
security-badge-required = Von Ihrem Administrator verlangt
security-badge-verified = Bestätigt
security-badge-not-verified = Nicht bestätigt
security-badge-not-set = Nicht festgelegt
security-badge-set = Festgelegt
security-badge-none = Keine
security-optional = (optional)
security-rename = Umbenennen
security-rename-label = { $name } umbenennen
security-remove = Entfernen
security-remove-label = { $name } entfernen
security-new-name = Neuer Name
security-save-name = Name speichern
security-totp-tile-title = Authenticator-App
security-totp-tile-text = Sechsstellige Codes aus einer App wie Aegis, FreeOTP, Google Authenticator oder 1Password. Nach Ihrem Passwort fragt die Anmeldung nach dem Code, den die App anzeigt.
security-codes-label = Wiederherstellungscodes
security-codes-of-total = { $count ->
    [one] 1 von { $total } übrig
   *[other] { $count } von { $total } übrig
}
security-codes-low = Bald neue erstellen
security-codes-none = Jetzt erstellen: Ohne sie sperrt Sie ein verlorenes Smartphone aus
security-codes-make = Wiederherstellungscodes erstellen
security-codes-make-button = Codes erstellen
security-codes-regenerate-hint-app = Sie erhalten zehn neue Codes und ein neues Notfall-Kit. Ihre bisherigen Codes sind dann ungültig.
security-codes-regenerate-hint-keys = Zehn Einmal-Codes, die Sie anmelden, wenn Sie Ihre Schlüssel verlieren. Ihre bisherigen Codes sind dann ungültig.
security-codes-regenerate-hint-push = Zehn Einmal-Codes, die Sie anmelden oder die Zwei-Faktor-Authentifizierung entfernen, wenn Sie Ihr Smartphone verlieren. Ihre bisherigen Codes sind dann ungültig.
security-totp-forced-note = Ihr Administrator verlangt für Ihr Konto die Zwei-Faktor-Authentifizierung, daher können Sie die App hier nicht entfernen.
security-totp-deactivate = Deaktivieren
security-totp-deactivate-hint-last = Die Anmeldung verlangt dann wieder nur Ihr Passwort. Ihre Wiederherstellungscodes werden ungültig und andere Geräte werden abgemeldet.
security-totp-deactivate-hint-others = Die Anmeldung akzeptiert dann keine Codes der App mehr; Ihre anderen Wege für einen zweiten Faktor bleiben, ebenso Ihre Wiederherstellungscodes.
security-totp-deactivate-button = App deaktivieren
security-totp-set-up = Einrichten
security-totp-set-up-note = Dauert etwa zwei Minuten. Sie brauchen Ihr Smartphone und Ihr Passwort.
security-keys-tile-title = Sicherheitsschlüssel und Passkeys
security-keys-tile-text = Ein Sicherheitsschlüssel (etwa ein YubiKey) oder ein Passkey auf Ihrem Smartphone, Computer oder in Ihrem Passwort-Manager. Nach Ihrem Passwort fragt die Anmeldung, ob Sie den Schlüssel berühren oder den Passkey entsperren. Ein Passkey, der Ihre PIN, Ihren Fingerabdruck oder Ihr Gesicht prüft, meldet Sie auch ohne Passwort an. Anders als Codes kann eine gefälschte Anmeldeseite ihn nicht weitergeben.
security-keys-passkey-badge = Passkey
security-keys-meta = hinzugefügt { $added } · zuletzt verwendet { $used }
security-keys-remove-hint = Der Schlüssel kann Sie dann nicht mehr anmelden. Ist er Ihr letzter Weg für einen zweiten Faktor, verlangt die Anmeldung wieder nur Ihr Passwort und Ihre Wiederherstellungscodes werden ungültig.
security-keys-remove-button = Schlüssel entfernen
security-keys-last-note = Ihr Administrator verlangt die Zwei-Faktor-Authentifizierung, und dieser Schlüssel ist Ihr einziger Weg dafür: Fügen Sie einen weiteren Schlüssel hinzu oder richten Sie die Authenticator-App ein, bevor Sie ihn entfernen.
security-keys-add = Sicherheitsschlüssel oder Passkey hinzufügen
security-push-tile-title = Begleit-App (Push)
security-push-tile-text = Bestätigen Sie eine Anmeldung in der Portcullis-Begleit-App (portcullis-app, ein Kommandozeilenprogramm für einen Computer oder das Terminal eines Smartphones; die nächste Seite erklärt, wie Sie es erhalten): Nach Ihrem Passwort zeigt die Anmeldeseite eine Zahl, die Sie in der App eingeben, um zu bestätigen, dass Sie es sind. Sie funktioniert neben der Authenticator-App; jede der beiden schließt eine Anmeldung ab.
security-push-meta = gekoppelt { $paired } · zuletzt gesehen { $seen }
security-push-last-note = Ihr Administrator verlangt die Zwei-Faktor-Authentifizierung, und dieses Gerät ist Ihr einziger Weg dafür: Koppeln Sie ein weiteres Gerät oder richten Sie die Authenticator-App ein, bevor Sie es entfernen.
security-push-pair = Gerät koppeln
security-push-device-name = Gerätename
security-push-device-name-hint = Optional, damit Sie Ihre Geräte unterscheiden können: „Mein Smartphone“, „Arbeitslaptop“. Ohne Namen wird der Name der App verwendet.
security-push-password-hint = Ihr Anmeldepasswort: Ein gekoppeltes Gerät kann jede Anmeldung bestätigen, daher prüfen wir, dass Sie es sind.
security-push-show-code = Kopplungscode anzeigen
security-phone-tile-text = An eine bestätigte Nummer senden wir per SMS einen Code, wenn Sie Ihr Passwort vergessen haben. Zur Anmeldung wird sie nicht verwendet.
security-phone-tile-number = Nummer:
security-phone-manage = Mobilnummer verwalten
security-phone-add = Mobilnummer hinzufügen
security-pin-tile-text = Eine PIN, mit der Sie sich gegenüber dem Support ausweisen.
security-pin-tile-set-on = Festgelegt am { $date }.
security-pin-change = PIN ändern
security-pin-set-a = PIN festlegen
security-app-passwords-title = App-Passwörter
security-app-passwords-active = { $count } aktiv
security-app-passwords-tile-text = Eigene Passwörter für E-Mail-Programme und andere Programme, die keinen zweiten Faktor abfragen können.
security-app-passwords-manage = App-Passwörter verwalten
security-devices-title = Geräte und Sitzungen
security-devices-tile-text = Wo Sie angemeldet sind, und die Browser, die den zweiten Schritt überspringen. Melden Sie einzelne davon ab oder alle anderen.
security-devices-see = Geräte und Sitzungen ansehen
security-apps-title = Verbundene Apps
security-apps-tile-text = Anwendungen, denen Sie erlaubt haben, Sie mit diesem Konto anzumelden.
security-apps-manage = Verbundene Apps verwalten

## Support PIN

security-pin-title = Support-PIN
security-pin-lead = Wenn Sie den Support anrufen oder ihm schreiben, fragt er nach dieser PIN, um sicherzugehen, dass Sie es sind. Niemand sonst sollte sie kennen.
security-pin-status = Status
security-pin-on = am { $date }
security-pin-change-the = PIN ändern
security-pin-new = Neue PIN
security-pin-hint = 5 bis 10 Ziffern. Nicht eine wiederholte Ziffer und keine Folge wie 12345 oder 98765.
security-pin-again = Neue PIN wiederholen
security-pin-password-hint = Ihr Anmeldepasswort, damit sicher ist, dass Sie selbst die PIN festlegen.
security-pin-set = PIN festlegen
security-pin-mismatch = Die beiden PINs stimmen nicht überein.
security-pin-done = Ihre Support-PIN ist festgelegt. Der Support fragt danach, wenn Sie anrufen; wir haben Sie per E-Mail über die Änderung informiert.

## App passwords

security-name = Name
security-revoke = Widerrufen
security-revoke-label = { $name } widerrufen
security-last-used = zuletzt verwendet { $used }
security-app-passwords-lead = E-Mail-Programme wie Thunderbird, Outlook oder die Mail-App Ihres Smartphones melden sich mit einem App-Passwort statt mit Ihrem Passwort an. Sobald die Zwei-Faktor-Authentifizierung eingeschaltet ist, brauchen sie eines: Ihr Passwort allein öffnet Ihr Postfach dann nicht mehr.
security-app-passwords-created-title = Ihr App-Passwort für „{ $name }“
security-app-passwords-created-text = Geben Sie es in der App statt Ihres Passworts ein, mit Ihrer E-Mail-Adresse als Benutzername. Leerzeichen und Bindestriche spielen keine Rolle.
security-copy-password = Passwort kopieren
security-copy-password-done = Passwort kopiert
security-app-passwords-once = Es wird nicht noch einmal angezeigt.
security-app-passwords-once-more = Wenn Sie es verlieren, widerrufen Sie es und erstellen Sie ein neues.
security-app-passwords-new = Neues App-Passwort
security-app-passwords-name-hint = Wofür es ist, damit Sie die Passwörter unterscheiden können: „Thunderbird auf meinem Laptop“.
security-app-passwords-password-hint = Ihr Anmeldepasswort, damit sicher ist, dass Sie selbst es erstellen.
security-app-passwords-create = App-Passwort erstellen
security-app-passwords-yours = Ihre App-Passwörter
security-app-passwords-empty = Sie haben keine App-Passwörter.
security-app-passwords-meta = erstellt { $created } · zuletzt verwendet { $used }
security-app-passwords-used-from = { $date } von { $address }
security-app-passwords-revoked = Das App-Passwort wurde widerrufen. Apps, die es verwendet haben, können sich damit nicht mehr anmelden.
security-app-passwords-already-shown = Bereits angezeigt: Ein App-Passwort wird nur einmal angezeigt. Wenn Sie es nicht gespeichert haben, widerrufen Sie es und erstellen Sie ein neues.
security-enter-password = Geben Sie Ihr aktuelles Passwort ein.
security-app-passwords-revoke-title = App-Passwort widerrufen
security-app-passwords-revoke-question = Das App-Passwort „{ $name }“ widerrufen?
security-app-passwords-revoke-no-sign-in = E-Mail-Programme, die es verwenden, können sich damit nicht mehr anmelden.
security-app-passwords-revoke-final = Es lässt sich nicht wiederherstellen: Damit sich die App wieder anmelden kann, erstellen Sie ein neues.

## Connected apps

security-apps-lead = Anwendungen, denen Sie erlaubt haben, Sie mit diesem Konto anzumelden. Wenn Sie eine widerrufen, werden Sie dort abgemeldet: Sie muss Sie beim nächsten Mal erneut fragen.
security-apps-allowed = Erlaubte Anwendungen
security-apps-empty = Keine Anwendung hat Zugriff auf Ihr Konto.
security-apps-meta = erlaubt { $granted } · { $claims }
security-apps-revoked = Zugriff widerrufen. Die Anwendung muss Sie erneut fragen, bevor sie Sie anmelden kann.

## Devices and sessions

security-devices-lead = Überall, wo Sie angemeldet sind, die Browser, die den zweiten Schritt überspringen, und was sich sonst als Sie anmelden kann.
security-devices-sessions = Wo Sie angemeldet sind
security-devices-this-browser = Dieser Browser
security-devices-session-meta = Von { $address } · angemeldet { $started }
security-devices-session-meta-how = mit { $how } · zuletzt verwendet { $used }
security-devices-sign-out = Abmelden
security-devices-sign-out-this = Diesen Browser abmelden
security-devices-sign-out-label = { $device } abmelden, zuletzt verwendet { $used }
security-devices-sign-out-others = Überall sonst abmelden
security-devices-only-here = Sie sind nur hier angemeldet.
security-devices-browsers = Gemerkte Browser
security-devices-browsers-text = Diese Browser bewahren einen Schlüssel auf, mit dem sie nach Ihrem Passwort den zweiten Schritt überspringen.
security-devices-browsers-empty = Kein Browser ist gemerkt.
security-devices-browser-meta = Von { $address } · gemerkt { $remembered }
security-devices-browser-meta-until = · zuletzt verwendet { $used } · bis { $until }
security-devices-forget = Vergessen
security-devices-forget-label = { $device } vergessen, gemerkt { $remembered }
security-devices-others = Weitere Wege zur Anmeldung
security-devices-companion = Begleit-App
security-devices-no-phone = Kein Smartphone ist gekoppelt.
security-devices-keys = Passkeys und Sicherheitsschlüssel
security-devices-no-keys = Sie haben keine Passkeys oder Sicherheitsschlüssel.
security-devices-change-keys = Ihre Smartphones und Schlüssel ändern Sie auf der Sicherheitsseite
security-devices-passkey-name = { $name } (Passkey)
security-devices-ended = Diese Sitzung wurde abgemeldet.
security-devices-others-ended = Alle anderen Sitzungen wurden abgemeldet. Dieser Browser bleibt angemeldet.
security-devices-forgotten = Dieser Browser wurde vergessen. Bei seiner nächsten Anmeldung wird wieder nach Ihrem zweiten Schritt gefragt.

## Mobile number (also the number step of the setup wizard at sign-in)

security-phone-title = Mobilnummer
security-back-to-security = Zurück zu „Sicherheit“
security-phone-wizard-title = Zwei-Faktor-Authentifizierung einrichten
security-phone-wizard-required = Ihr Administrator verlangt für Ihr Konto die Zwei-Faktor-Authentifizierung.
security-phone-wizard-required-more = Schließen Sie diese Einrichtung ab, um sich anzumelden: Ohne sie ist keine Anmeldung möglich.
security-phone-wizard-lead = Bestätigen Sie zuerst Ihre Mobilnummer mit einem Code, den wir per SMS senden. Fügen Sie Portcullis danach einer Authenticator-App hinzu.
security-phone-lead = An eine bestätigte Nummer senden wir per SMS einen Code, wenn Sie Ihr Passwort vergessen haben. Sie ist kein zweiter Faktor: Bei der Anmeldung wird nie nach einem SMS-Code gefragt.
security-phone-required = Bestätigen Sie zuerst eine Mobilnummer.
security-phone-required-more = Auf diesem Server lässt sich die Zwei-Faktor-Authentifizierung nur mit einer bestätigten Nummer einschalten.
security-phone-required-next = Danach geht es mit der Einrichtung der Authenticator-App weiter.
security-phone-yours = Ihre Nummer
security-phone-verified = Bestätigte Nummer
security-phone-none-yet = Noch keine
security-phone-waiting = Wartet auf ihren Code
security-phone-enter-code = Code eingeben
security-phone-code-sent = Wir haben einen 6-stelligen Code per SMS an { $number } gesendet. Er ist { $minutes } Minuten gültig.
security-phone-outbox = Auf diesem Server ist kein SMS-Gateway eingerichtet, daher wurde der 6-stellige Code für { $number } nicht per SMS gesendet: Er liegt im Postausgang des Servers, wo der Betreiber ihn mit portcullis outbox list liest. Er ist { $minutes } Minuten gültig.
security-phone-code-label = Code aus der SMS
security-phone-verify = Bestätigen
security-phone-no-text = Nach einer Minute keine SMS erhalten?
security-phone-resend-in = Sie können in { $wait } einen neuen Code anfordern.
security-phone-resend-now = Fordern Sie einen neuen an; der vorherige Code ist dann ungültig.
security-phone-resend = Neuen Code senden
security-phone-change = Nummer ändern
security-phone-another = Andere Nummer verwenden
security-phone-add-yours = Nummer hinzufügen
security-phone-stays = Ihre bestätigte Nummer bleibt, bis Sie die neue bestätigt haben.
security-phone-number-hint = Im internationalen Format mit + und Ländervorwahl, zum Beispiel +49 151 12345678.
security-phone-send = Code senden
security-phone-wizard-not-now = Nicht jetzt?
security-phone-wizard-cancel = Abbrechen und zurück zur Anmeldung
security-phone-wizard-cannot = Sie können sich erst anmelden, wenn diese Einrichtung abgeschlossen ist.
security-phone-code-issued = Ein neuer Code wurde ausgestellt. Geben Sie ihn unten ein, um die Nummer zu bestätigen.
security-phone-is-verified = Ihre Mobilnummer ist bestätigt.
security-phone-sent-recently = Gerade eben wurde ein Code gesendet. Einen weiteren können Sie in { $wait } anfordern.
security-phone-wrong-code = Dieser Code ist nicht richtig, abgelaufen oder wurde bereits verwendet. Geben Sie die 6 Ziffern aus der neuesten SMS ein oder fordern Sie einen neuen Code an.
security-wait-seconds = { $seconds ->
    [one] 1 Sekunde
   *[other] { $seconds } Sekunden
}
security-wait-minutes = { $minutes ->
    [one] 1 Minute
   *[other] { $minutes } Minuten
}

## Pairing the companion app

security-pair-title = Begleit-App koppeln
security-pair-lead-named = Verbinden Sie „{ $name }“ mit Ihrem Konto. Der Kopplungscode unten gilt einmal, bis { $expires } (10 Minuten ab jetzt). An Ihrer Anmeldung ändert sich nichts, bis die App gekoppelt ist.
security-pair-lead = Verbinden Sie ein Gerät mit Ihrem Konto. Der Kopplungscode unten gilt einmal, bis { $expires } (10 Minuten ab jetzt). An Ihrer Anmeldung ändert sich nichts, bis die App gekoppelt ist.
security-pair-get-title = Begleit-App besorgen
security-pair-get-text = Die Begleit-App, portcullis-app, ist ein kleines Kommandozeilenprogramm für einen Computer oder für eine Terminal-App auf Ihrem Smartphone. Sie bestätigt Ihre Anmeldeanfragen (Sie geben die Zahl ein, die die Anmeldeseite zeigt) und kann auch die Codes von Authenticator-Schlüsseln verwalten.
security-pair-get-how = So erhalten Sie sie: Fragen Sie den Betreiber dieses Dienstes nach dem Programm portcullis-app, das mit dem Server ausgeliefert wird (neben portcullis in seinem Release); oder bauen Sie es mit installiertem Rust aus dem Portcullis-Quellcode mit
security-pair-install-command = cargo install --path crates/app
security-pair-install-where = Installieren Sie sie auf dem Gerät, das Ihre Anmeldungen bestätigen soll, und lassen Sie dort
security-pair-watch-command = portcullis-app watch
security-pair-install-where-after = laufen, während Sie sich anmelden.
security-pair-link-title = Mit diesem Link koppeln
security-pair-qr-label = QR-Code des Kopplungslinks
security-pair-link-text = Die App hat keine Kamera: Geben Sie ihr den Link unten. Der QR-Code enthält denselben Link, für ein Smartphone, dessen Kamera-App ihn kopieren kann. Er enthält einen Einmal-Code für { $email }: Geben Sie ihn nicht weiter.
security-copy-link = Link kopieren
security-copy-link-done = Link kopiert
security-pair-run = Führen Sie auf dem Gerät mit der App aus:
security-pair-command = portcullis-app pair
security-copy-command = Befehl kopieren
security-copy-command-done = Befehl kopiert
security-pair-check-title = Liste prüfen
security-pair-check-named = Die App zeigt an, mit welchem Konto sie gekoppelt ist und dass dieses Gerät „{ $name }“ heißt; portcullis-app accounts und portcullis-app watch zeigen diesen Namen ebenfalls. Ihr Gerät erscheint dann auf der Sicherheitsseite unter Begleit-App, und Ihre nächste Anmeldung können Sie in der App bestätigen.
security-pair-check = Die App zeigt an, mit welchem Konto sie gekoppelt ist. Ihr Gerät erscheint dann auf der Sicherheitsseite unter Begleit-App, und Ihre nächste Anmeldung können Sie in der App bestätigen.
security-pair-done = Fertig, zurück zu „Sicherheit“

## Security keys and passkeys

security-keys-add-lead = Benennen Sie den Schlüssel, drücken Sie dann die Schaltfläche und folgen Sie Ihrem Browser: Berühren Sie Ihren Sicherheitsschlüssel oder entsperren Sie den Passkey mit Ihrer PIN, Ihrem Fingerabdruck oder Ihrem Gesicht.
security-keys-name-placeholder = YubiKey 5, MacBook Touch ID
security-keys-name-hint = Damit Sie Ihre Schlüssel unterscheiden können, z. B. „YubiKey 5“ oder „MacBook Touch ID“.
security-keys-add-button = Schlüssel hinzufügen
security-keys-add-needs = Dafür brauchen Sie einen Browser, der Passkeys unterstützt, mit eingeschaltetem JavaScript. Die Anfrage an Ihren Schlüssel ist 5 Minuten gültig; danach drücken Sie die Schaltfläche erneut.

## Notices after a change on the Security tab

security-notice-totp-deactivated = Die Authenticator-App wurde entfernt. Die Anmeldung verlangt jetzt nur noch Ihr Passwort, und Ihre Wiederherstellungscodes sind nicht mehr gültig.
security-notice-two-factor-removed = Ihr Wiederherstellungscode hat die Zwei-Faktor-Authentifizierung von Ihrem Konto entfernt, und alle anderen Geräte wurden abgemeldet. Richten Sie Ihre Authenticator-App auf Ihrem neuen Smartphone erneut ein.
security-notice-welcome = Willkommen bei Portcullis – Ihr Konto ist bereit. Als Nächstes: Schalten Sie die Zwei-Faktor-Authentifizierung ein, damit Ihr Passwort allein für eine Anmeldung nicht genügt.
security-notice-push-renamed = Das Gerät wurde umbenannt.
security-notice-key-added = Der Sicherheitsschlüssel oder Passkey wurde hinzugefügt. Sie können ihn bei Ihrer nächsten Anmeldung verwenden.
security-notice-key-renamed = Der Schlüssel wurde umbenannt.
security-notice-key-removed = Der Schlüssel wurde entfernt. Er kann Sie nicht mehr anmelden.
security-notice-pairing-shown = Bereits angezeigt: Ein Kopplungscode wird nur einmal angezeigt. Wenn Ihre App noch nicht gekoppelt ist, koppeln Sie erneut, um einen neuen Code zu erhalten.
security-notice-push-removed = Das Gerät wurde entfernt. Es kann Ihre Anmeldungen nicht mehr bestätigen.
security-push-remove-title = Gerät entfernen
security-push-remove-question = „{ $name }“ entfernen?
security-push-remove-no-requests = Anmeldeanfragen erreichen dieses Gerät nicht mehr, und es kann keine Anmeldung mehr bestätigen.
security-push-remove-pair-again = Um es wieder zu verwenden, koppeln Sie es auf dieser Seite erneut.
security-push-remove-button = Gerät entfernen

## Account data in words (kit/view.rs, kit/session_line.rs): the account and admin pages too

security-role-owner = Inhaber
security-role-administrator = Administrator
security-role-user = Benutzer
security-kind-datacenter = Rechenzentrum
security-kind-snapshot = Snapshot
security-unknown-address-bare = unbekannte Adresse
security-outcome-success = Erfolgreich
security-outcome-failure = Fehlgeschlagen
security-outcome-denied = Abgelehnt
security-outcome-other = Erfasst
security-device-on = { $browser } unter { $system }
security-device-unknown-browser = Unbekannter Browser
security-device-unknown-client = Unbekannter Client
security-device-api-client = API-Client
security-device-api-client-named = API-Client: { $name }
security-how-password = Passwort
security-how-totp = Authenticator-App
security-how-push = Begleit-App
security-how-recovery-code = Wiederherstellungscode
security-how-security-key = Sicherheitsschlüssel
security-how-passkey = Passkey
security-how-remembered-browser = gemerktem Browser
security-how-sms = SMS-Code
security-how-other = einer anderen Methode
security-how-not-recorded = einer nicht erfassten Methode
security-how-list = { $first } und { $last }
security-how-list-more = { $rest }, { $next }

## Audit events, by their dotted names (and a completed second step by its method)

security-event-login-second-factor-success-by-push = Anmeldung in der Begleit-App bestätigt
security-event-login-second-factor-success-by-recovery-code = Mit einem Wiederherstellungscode angemeldet
security-event-login-second-factor-success-by-totp = Code der Authenticator-App bei der Anmeldung akzeptiert
security-event-login-second-factor-failure-by-recovery-code = Falscher Wiederherstellungscode bei der Anmeldung
security-event-login-second-factor-failure-by-totp = Falscher Code der Authenticator-App bei der Anmeldung
security-event-login-second-factor-success-by-webauthn = Sicherheitsschlüssel bei der Anmeldung akzeptiert
security-event-login-second-factor-failure-by-webauthn = Sicherheitsschlüssel bei der Anmeldung abgelehnt
security-event-login-success-by-passkey = Mit einem Passkey angemeldet
security-event-account-created = Konto erstellt
security-event-login-success = Angemeldet
security-event-login-failure = Anmeldung mit falschem Passwort
security-event-login-throttled = Anmeldung nach zu vielen Versuchen abgelehnt
security-event-login-step-up = Von einer Anwendung nach einem zweiten Faktor gefragt
security-event-logout = Abgemeldet
security-event-password-changed = Passwort geändert
security-event-password-change-failed = Passwortänderung mit falschem aktuellem Passwort
security-event-session-revoked = Eine andere Sitzung abgemeldet
security-event-session-others-revoked = Überall sonst abgemeldet
security-event-browser-remembered = Browser gemerkt: dort wird kein Code abgefragt
security-event-browser-forgotten = Gemerkten Browser vergessen
security-event-login-remembered-browser-success = Auf einem gemerkten Browser angemeldet
security-event-login-remembered-browser-failure = Gemerkter Browser bei der Anmeldung abgelehnt
security-event-contract-sign-in-settings-changed = Anmeldeeinstellungen für alle geändert
security-event-totp-enrolled = Einrichtung der Authenticator-App begonnen
security-event-totp-activated = Authenticator-App einschalten
security-event-totp-deactivated = Authenticator-App entfernen
security-event-login-second-factor-success = Zweiten Schritt bei der Anmeldung abgeschlossen
security-event-login-second-factor-failure = Falscher Code bei der Anmeldung
security-event-recovery-used = Wiederherstellungscode verwendet
security-event-recovery-regenerated = Neue Wiederherstellungscodes erstellen
security-event-two-factor-removed-by-recovery = Zwei-Faktor-Authentifizierung mit einem Wiederherstellungscode entfernt
security-event-user-created = Benutzer erstellt
security-event-invitation-accepted = Einladung angenommen; Passwort festgelegt
security-event-invitation-renewed = Neuer Einladungslink ausgestellt
security-event-user-role-changed = Rolle des Benutzers geändert
security-event-user-deleted = Benutzer gelöscht
security-event-two-factor-forced = Zwei-Faktor-Authentifizierung für einen Benutzer verpflichtend gemacht
security-event-two-factor-unforced = Zwei-Faktor-Authentifizierung für einen Benutzer nicht mehr verpflichtend
security-event-two-factor-reset-by-admin = Zwei-Faktor-Authentifizierung von einem Administrator zurückgesetzt
security-event-contract-policy-changed = Zwei-Faktor-Richtlinie für alle geändert
security-event-group-created = Gruppe erstellt
security-event-group-member-added = Mitglied zu einer Gruppe hinzugefügt
security-event-group-member-removed = Mitglied aus einer Gruppe entfernt
security-event-resource-created = Ressource erstellt
security-event-resource-updated = Ressource geändert
security-event-resource-deleted = Ressource gelöscht
security-event-resource-granted = Ressource einer Gruppe freigegeben
security-event-resource-grant-revoked = Ressource einer Gruppe entzogen
security-event-support-pin-changed = Support-PIN festgelegt
security-event-support-pin-checked = Support-PIN vom Support geprüft
security-event-support-agent-created = Support-Mitarbeiter erstellt
security-event-app-password-created = App-Passwort erstellt
security-event-app-password-revoked = App-Passwort widerrufen
security-event-app-auth-success = E-Mail-Programm angemeldet
security-event-app-auth-failure = Anmeldung eines E-Mail-Programms abgelehnt
security-event-service-token-created = Service-Token erstellt
security-event-service-token-revoked = Service-Token widerrufen
security-event-phone-code-sent = Code an eine Mobilnummer gesendet
security-event-phone-verified = Mobilnummer bestätigt
security-event-phone-verify-failed = Falscher Code für eine Mobilnummer
security-event-password-reset-requested = Zurücksetzen des Passworts angefordert
security-event-password-reset = Passwort zurückgesetzt
security-event-password-reset-failed = Zurücksetzen des Passworts abgelehnt
security-event-account-locked = Konto gesperrt („Das war ich nicht“)
security-event-account-unlocked = Konto entsperrt
security-event-validate-success = Code von einem Gateway akzeptiert
security-event-validate-failure = Falscher Code an einem Gateway
security-event-push-device-paired = Begleit-App gekoppelt
security-event-push-device-removed = Begleit-App entfernt
security-event-push-sent = Anmeldeanfrage an die App gesendet
security-event-push-approved = Anmeldung in der App bestätigt
security-event-push-denied = Anmeldung in der App abgelehnt
security-event-push-expired = Anmeldeanfrage nicht beantwortet
security-event-push-reported-fraud = Anmeldung in der App gemeldet („Das war ich nicht“)
security-event-webauthn-added = Sicherheitsschlüssel oder Passkey hinzugefügt
security-event-webauthn-removed = Sicherheitsschlüssel oder Passkey entfernt
security-event-webauthn-clone-suspected = Sicherheitsschlüssel abgelehnt: Er wurde möglicherweise kopiert
security-event-login-passkey-failure = Fehlgeschlagene Anmeldung mit einem Passkey
security-event-contract-phishing-resistant-changed = Einstellung „nur Sicherheitsschlüssel“ geändert
security-event-oidc-client-created = OIDC-Client registriert
security-event-oidc-client-updated = OIDC-Client geändert
security-event-oidc-client-secret-rotated = OIDC-Client hat ein neues Secret erhalten
security-event-oidc-client-deleted = OIDC-Client gelöscht
security-event-radius-accept = Über einen RADIUS-Client angemeldet (VPN, WLAN oder SSH)
security-event-radius-reject = Anmeldung an einem RADIUS-Client abgelehnt
security-event-radius-challenge = Code an einem RADIUS-Client abgefragt
security-event-radius-client-added = RADIUS-Client hinzugefügt
security-event-radius-client-removed = RADIUS-Client entfernt
security-event-oidc-code-issued = Bei einer Anwendung angemeldet
security-event-oidc-token-issued = Tokens für eine Anwendung ausgestellt
security-event-oidc-code-reuse-detected = Anmeldecode einer Anwendung wiederverwendet: Ihre Tokens wurden widerrufen
security-event-oidc-refresh-reuse-detected = Token einer Anwendung wiederverwendet: Ihre Tokens wurden widerrufen
security-event-oidc-consent-granted = Anwendung erlaubt
security-event-oidc-consent-denied = Anwendung abgelehnt
security-event-oidc-consent-revoked = Verbundene Anwendung widerrufen
security-event-oidc-client-auth-failed = Falsches Secret einer Anwendung
security-event-oidc-logout = Von einer Anwendung abgemeldet

## The emergency kit (a printed PDF page: WinAnsi letters only, no markup)

security-kit-title = { $product }-Notfall-Kit
security-kit-print = Drucken Sie diese Seite aus und bewahren Sie sie an einem sicheren, privaten Ort auf.
security-kit-account = KONTO
security-kit-server = SERVER
security-kit-created = ERSTELLT
security-kit-tick = Kreuzen Sie ein Kästchen an, sobald Sie seinen Code verwendet haben.
security-kit-codes = Wiederherstellungscodes
security-kit-key = Authenticator-Schlüssel
security-kit-footer = Wenn Sie neue Wiederherstellungscodes erstellen, sind die Codes auf dieser Seite ungültig: Drucken Sie das neue Kit aus und vernichten Sie dieses.
security-kit-point-once = Jeder Wiederherstellungscode funktioniert einmal. Wenn Sie Ihr Smartphone oder Ihre Authenticator-App verlieren, melden Sie sich mit Ihrem Passwort und einem dieser Codes statt des Codes aus der App an.
security-kit-point-remove = Mit einem Wiederherstellungscode können Sie auch die Zwei-Faktor-Authentifizierung von Ihrem Konto entfernen, um sie neu einzurichten.
security-kit-point-key = Mit dem Authenticator-Schlüssel richten Sie Ihre Authenticator-App auf einem neuen Smartphone erneut ein: Scannen Sie den QR-Code oder geben Sie den Schlüssel in der App ein.
security-kit-point-keep = Bewahren Sie diese Seite ausgedruckt auf, oder die Datei an einem sicheren Ort getrennt von Ihrem Computer und Ihrem Smartphone (zum Beispiel auf einem USB-Stick in einer Schublade); löschen Sie danach die heruntergeladene Kopie. Wer sie und Ihr Passwort hat, kann sich als Sie anmelden.
security-kit-how-scan-or-type = Scannen Sie den QR-Code mit Ihrer Authenticator-App, oder wählen Sie die Eingabe eines Einrichtungsschlüssels und tippen Sie den Schlüssel unten ein.
security-kit-how-scan = Scannen Sie den QR-Code mit Ihrer Authenticator-App.
security-kit-how-type = Wählen Sie in Ihrer Authenticator-App die Eingabe eines Einrichtungsschlüssels und tippen Sie den Schlüssel unten ein.
security-kit-key-secret = Der Schlüssel erzeugt Ihre Anmeldecodes: Behandeln Sie ihn wie ein Passwort.
