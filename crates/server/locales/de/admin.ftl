# Verwaltung, die Kontoseite, der Beitritt (Einrichtung, Registrierung, Einladung), Ressourcen
# und die Sperrseite („Das war ich nicht“). Gleiche Reihenfolge wie die englische Datei; die
# Begriffe legt docs/glossary.md fest.

## Kontoseite

account-title = Ihr Konto
account-profile = Profil
account-email = E-Mail-Adresse
account-role = Rolle
account-organisation = Organisation
account-contract-id = Vertragsnummer
account-member-since = Mitglied seit
account-last-sign-in = Letzte Anmeldung
account-never = noch nie
account-organisation-owner = Ihre Organisation (Sie sind ihr Inhaber)
account-organisation-of = Ihre Organisation (Inhaber: { $owner })
account-organisation-plain = Ihre Organisation
account-footer-security = Zwei-Faktor-Authentifizierung und weiterer Schutz:
account-footer-security-link = Sicherheitseinstellungen
account-footer-phone = Für das Zurücksetzen des Passworts per SMS:
account-footer-phone-link = Mobilnummer
account-notice-password-changed = Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden abgemeldet; melden Sie sich dort mit dem neuen Passwort wieder an.
account-notice-session-revoked = Diese Sitzung wurde abgemeldet.
account-notice-locale = Sprache und Zeitzone wurden gespeichert.

account-locale-title = Sprache und Zeitzone
account-locale-intro = Die Sprache dieser Seiten und der E-Mails und SMS, die wir Ihnen senden, und die Zeitzone, in der Datumsangaben erscheinen.
account-locale-language = Sprache
account-locale-language-browser = Die Sprache dieses Browsers
account-locale-time-zone = Zeitzone
account-locale-time-zone-browser = Die Zeitzone, die dieser Browser meldet
account-locale-time-zone-hint = Ohne Auswahl erscheinen Datumsangaben in der Zeitzone, die Ihr Browser meldet, sonst in UTC.
account-locale-save = Sprache und Zeitzone speichern

account-password-title = Passwort ändern
account-password-intro = Nach der Änderung werden alle anderen Sitzungen abgemeldet.
account-password-not-changed = Das Passwort wurde nicht geändert:
account-password-current = Aktuelles Passwort
account-password-new = Neues Passwort
account-password-new-hint = Mindestens 8 Zeichen, mit Groß- und Kleinbuchstaben und einem Sonderzeichen, ohne den Namen oder die Domain Ihrer E-Mail-Adresse und nicht Ihr aktuelles Passwort.
account-password-again = Neues Passwort wiederholen
account-password-submit = Passwort ändern
account-password-mismatch = Die beiden neuen Passwörter stimmen nicht überein.

account-sessions-title = Wo Sie angemeldet sind
account-sessions-this-browser = Dieser Browser
account-sessions-meta = { $address } · angemeldet am { $started } · zuletzt aktiv am { $active }
account-sessions-sign-out = Abmelden
account-sessions-sign-out-label = { $device } abmelden, zuletzt aktiv am { $active }
account-sessions-all = Alle Geräte und Sitzungen

account-activity-title = Letzte Aktivitäten
account-activity-empty = Noch nichts aufgezeichnet.
account-activity-when = Wann
account-activity-what = Was
account-activity-result = Ergebnis
account-activity-from = Von

## Gemeinsam für die Verwaltungsseiten

admin-save = Speichern
admin-never = Noch nie
admin-force-2fa = 2FA erzwingen
admin-two-factor-active = Aktiv
admin-two-factor-not-set-up = Nicht eingerichtet
admin-two-factor-forced = Erzwungen
admin-two-factor-required-for-everyone = Für alle vorgeschrieben
admin-choose-role = Wählen Sie eine Rolle.

## Benutzerverwaltung

admin-users-title = Benutzer
admin-users-lead = Alle Personen Ihrer Organisation. Wählen Sie eine Person aus, um für sie die Zwei-Faktor-Authentifizierung zu erzwingen, ihre Rolle zu ändern, ihre Zwei-Faktor-Authentifizierung zurückzusetzen oder sie zu löschen.
admin-users-people = Personen
admin-users-col-email = E-Mail-Adresse
admin-users-col-role = Rolle
admin-users-col-two-factor = 2FA
admin-users-col-last-sign-in = Letzte Anmeldung
admin-users-you = Sie
admin-users-invited = Eingeladen

admin-invite-title = Benutzer hinzufügen
admin-invite-not-added = Der Benutzer wurde nicht hinzugefügt:
admin-invite-email = E-Mail-Adresse
admin-invite-password = Passwort
admin-invite-optional = (optional)
admin-invite-password-hint-mail = Leer lassen, um die Person einzuladen; sie erhält dann per E-Mail einen Link, mit dem sie ihr eigenes Passwort wählt.
admin-invite-password-hint-outbox = Leer lassen, um die Person einzuladen; sie erhält dann einen Link, mit dem sie ihr eigenes Passwort wählt. Es ist kein Mailserver eingerichtet, daher wird die Einladung im Postausgang des Servers gespeichert statt per E-Mail versandt; kopieren Sie den Link auf der Seite des Benutzers und geben Sie ihn der Person.
admin-invite-role = Rolle
admin-invite-force-hint = Bei der ersten Anmeldung wird die Person durch die Einrichtung einer Authenticator-App geführt; ohne sie kann sie sich nicht anmelden, und sie kann sie nicht abschalten.
admin-invite-submit = Benutzer hinzufügen

admin-policy-title = Zwei-Faktor-Authentifizierung für alle
admin-policy-require-2fa = 2FA für alle vorschreiben
admin-policy-locked-hint = Eingeschaltet. Alle müssen sich mit Zwei-Faktor-Authentifizierung anmelden. Nur der Inhaber des Vertrags kann dies abschalten.
admin-policy-hint = Wer noch keine Zwei-Faktor-Authentifizierung eingerichtet hat, wird bei der nächsten Anmeldung durch die Einrichtung geführt.
admin-policy-hint-owner = Nur Sie als Inhaber des Vertrags können dies wieder abschalten.
admin-policy-hint-admin = Einmal eingeschaltet, kann nur der Inhaber des Vertrags dies abschalten.
admin-policy-phishing-resistant = Einen phishing-resistenten Faktor vorschreiben (Passkey oder Sicherheitsschlüssel)
admin-policy-phishing-resistant-hint = Codes aus einer Authenticator-App und Bestätigungen in der Begleit-App kann eine gefälschte Anmeldeseite weiterreichen; einen Passkey oder Sicherheitsschlüssel nicht. Ist dies eingeschaltet, schließt nur ein Schlüssel eine Anmeldung ab (Wiederherstellungscodes funktionieren weiterhin, jeder einmal), und wer keinen hat, wird bei der nächsten Anmeldung angeleitet, einen hinzuzufügen. Nur Sie als Inhaber des Vertrags können dies ändern.
admin-policy-phishing-resistant-status = Für alle ist ein Passkey oder Sicherheitsschlüssel vorgeschrieben: Der Inhaber des Vertrags hat dies eingeschaltet, und nur er kann es abschalten.

admin-sign-in-title = Anmeldeeinstellungen
admin-sign-in-remember-days = Browser so viele Tage merken (0 bis 90)
admin-sign-in-remember-days-hint = Nach dem zweiten Schritt können Personen „Auf diesem Browser nicht nach einem Code fragen“ ankreuzen; der Browser bewahrt dann einen Schlüssel auf, der sich nicht aus ihm herauskopieren lässt, und überspringt den zweiten Schritt so viele Tage lang. 0 schaltet die Möglichkeit ab.
admin-sign-in-remember-days-keys-only = Solange für alle ein Passkey oder Sicherheitsschlüssel vorgeschrieben ist, wird kein Browser gemerkt, gleich was hier steht.
admin-sign-in-remember-days-invalid = Geben Sie eine ganze Zahl von Tagen zwischen 0 und 90 ein; 0 bedeutet, dass kein Browser gemerkt wird.
admin-sign-in-new-sign-in-notice = Personen per E-Mail über Anmeldungen von einem neuen Browser oder Netzwerk informieren
admin-sign-in-new-sign-in-notice-hint = Höchstens eine solche E-Mail pro Stunde, mit einem Link, um das Konto zu sperren, falls die Anmeldung nicht von der Person selbst kam.
admin-sign-in-save = Anmeldeeinstellungen speichern

admin-users-notice-invited-outbox = Der Benutzer wurde angelegt. Es ist kein Mailserver eingerichtet, daher wurde die Einladung im Postausgang des Servers gespeichert (portcullis outbox list) statt per E-Mail versandt: Öffnen Sie den Benutzer und geben Sie ihm mit „Einladungslink kopieren“ selbst einen Link.
admin-users-notice-created = Der Benutzer wurde angelegt und kann sich mit dem Passwort anmelden, das Sie ihm gegeben haben.
admin-users-notice-invited = Der Benutzer wurde angelegt. Er erhält eine E-Mail mit einem Link, um sein Passwort zu wählen.
admin-users-notice-deleted = Der Benutzer wurde gelöscht.
admin-users-notice-policy-on = Die Zwei-Faktor-Authentifizierung ist jetzt für alle vorgeschrieben. Wer sie noch nicht eingerichtet hat, wird bei der nächsten Anmeldung durch die Einrichtung geführt.
admin-users-notice-keys-on = Für alle ist jetzt ein Sicherheitsschlüssel oder Passkey vorgeschrieben. Codes aus einer Authenticator-App und Bestätigungen in der Begleit-App schließen keine Anmeldung mehr ab; wer keinen Schlüssel hat, wird bei der nächsten Anmeldung angeleitet, einen hinzuzufügen.
admin-users-notice-keys-off = Ein Sicherheitsschlüssel oder Passkey ist nicht mehr vorgeschrieben. Codes aus einer Authenticator-App und die Begleit-App schließen wieder eine Anmeldung ab.
admin-users-notice-sign-in-saved = Die Anmeldeeinstellungen wurden gespeichert. Bereits gemerkte Browser behalten das Datum, das sie erhalten haben; eine kürzere Zeit gilt für die ab jetzt gemerkten.
admin-users-notice-policy-off = Die Zwei-Faktor-Authentifizierung ist nicht mehr für alle vorgeschrieben. Personen, für die Sie sie einzeln erzwungen haben, brauchen sie weiterhin.

## Eine Person in der Benutzerverwaltung

admin-user-title = Benutzerdetails
admin-user-details = Benutzerdetails
admin-user-member-since = Mitglied seit
admin-user-invited-no-password = Eingeladen, noch kein Passwort gewählt
admin-user-codes-left = { $left } von { $total } Wiederherstellungscodes übrig
admin-user-status = Status
admin-user-locked = Gesperrt
admin-user-locked-by = von der Person selbst mit „Das war ich nicht“, am { $at }
admin-user-not-manageable = Dieses Konto können Sie hier nicht ändern. Der Inhaber des Vertrags verwaltet Administratoren und Benutzer, Administratoren verwalten Benutzer; niemand ändert sein eigenes Konto in der Benutzerverwaltung.
admin-user-invitation = Einladung
admin-user-invitation-pending = { $days ->
    [one] Die Person hat ihre Einladung noch nicht angenommen. Ein Einladungslink funktioniert einmal, 1 Tag lang; nur der neueste funktioniert.
   *[other] Die Person hat ihre Einladung noch nicht angenommen. Ein Einladungslink funktioniert einmal, { $days } Tage lang; nur der neueste funktioniert.
}
admin-user-no-mail = Es ist kein Mailserver eingerichtet, daher werden Einladungen im Postausgang des Servers gespeichert (portcullis outbox list) statt per E-Mail versandt. Kopieren Sie den Einladungslink und geben Sie ihn der Person selbst.
admin-user-link-copied = Link kopiert
admin-user-copy-link = Link kopieren
admin-user-invitation-link-hint = Geben Sie diesen Link { $email } selbst, zum Beispiel persönlich oder in einem Chat, dem Sie vertrauen. Er wird nur jetzt angezeigt, und zuvor erstellte Einladungslinks funktionieren nicht mehr.
admin-user-copy-invitation = Einladungslink kopieren
admin-user-copy-invitation-hint = Zeigt hier einmal einen neuen Link, den Sie der Person selbst geben. Zuvor erstellte Links funktionieren dann nicht mehr.
admin-user-resend-invitation = Erneut senden
admin-user-resend-hint-mail = Sendet der Person eine neue Einladung per E-Mail. Zuvor gesendete Links funktionieren dann nicht mehr.
admin-user-resend-hint-outbox = Speichert eine neue Einladung im Postausgang des Servers. Zuvor gesendete Links funktionieren dann nicht mehr.
admin-user-settings = Einstellungen
admin-user-force-hint = Gilt ab der nächsten Anmeldung: Die Person wird durch die Einrichtung einer Authenticator-App geführt und kann sich ohne sie nicht anmelden. Selbst abschalten kann sie es nicht.
admin-user-force-hint-everyone = Die Zwei-Faktor-Authentifizierung ist außerdem für alle in Ihrer Organisation vorgeschrieben; das Häkchen hier zu entfernen, befreit die Person also nicht davon.
admin-user-role-hint = Administratoren verwalten Benutzer, Gruppen und Ressourcen.
admin-user-save = Änderungen speichern
admin-user-sessions = Sitzungen
admin-user-sessions-empty = Die Person ist nirgends angemeldet.
admin-user-session-from = Von { $address }
admin-user-session-signed-in = angemeldet am { $started } mit { $how }
admin-user-session-last-used = zuletzt genutzt am { $used }
admin-user-session-end = Beenden
admin-user-session-end-label = Sitzung auf { $device } beenden, zuletzt genutzt am { $used }
admin-user-sessions-end-all = Alle Sitzungen beenden
admin-user-sessions-end-all-hint = Meldet die Person überall ab und vergisst ihre gemerkten Browser, sodass ihre nächste Anmeldung wieder nach dem zweiten Schritt fragt.
admin-user-reset-or-delete = Zurücksetzen oder löschen
admin-user-unlock = Konto entsperren
admin-user-unlock-hint = Die Person hat ihr Konto gesperrt, weil sie eine Änderung gesehen hat, die sie nicht vorgenommen hat. Entsperren Sie es, nachdem Sie mit ihr gesprochen haben; danach sollte sie ihr Passwort ändern.
admin-user-reset-2fa = 2FA zurücksetzen
admin-user-reset-2fa-hint = Entfernt die Authenticator-App und die Wiederherstellungscodes der Person, zum Beispiel nach dem Verlust des Telefons. Sie werden vorher um Bestätigung gebeten.
admin-user-delete = Benutzer löschen
admin-user-delete-hint = Entfernt das Konto endgültig. Sie werden vorher um Bestätigung gebeten.
admin-user-back = Zurück zu allen Benutzern

admin-user-notice-invitation-emailed = Eine neue Einladung wurde per E-Mail versandt. Zuvor gesendete Einladungslinks funktionieren nicht mehr.
admin-user-notice-invitation-outbox = Es ist kein Mailserver eingerichtet, daher wurde die neue Einladung im Postausgang des Servers gespeichert (portcullis outbox list) statt per E-Mail versandt. Zuvor gesendete Einladungslinks funktionieren nicht mehr: Kopieren Sie den Einladungslink und geben Sie ihn der Person selbst.
admin-user-notice-saved = Gespeichert. Die Änderung gilt ab der nächsten Anmeldung der Person.
admin-user-notice-session-ended = Diese Sitzung wurde abgemeldet.
admin-user-notice-sessions-ended = Die Person wurde überall abgemeldet, und ihre gemerkten Browser wurden vergessen; ihre nächste Anmeldung fragt wieder nach dem zweiten Schritt.
admin-user-notice-unlocked = Entsperrt. Die Person kann sich wieder anmelden; empfehlen Sie ihr, ihr Passwort zu ändern.
admin-user-notice-reset-outbox = Die Zwei-Faktor-Authentifizierung wurde zurückgesetzt: Authenticator-App und Wiederherstellungscodes wurden entfernt, und die Person wurde überall abgemeldet. Es ist kein Mailserver eingerichtet, daher wurde die Nachricht an sie im Postausgang des Servers gespeichert (portcullis outbox list) statt per E-Mail versandt.
admin-user-notice-reset = Die Zwei-Faktor-Authentifizierung wurde zurückgesetzt: Authenticator-App und Wiederherstellungscodes wurden entfernt, die Person wurde überall abgemeldet und per E-Mail informiert.
admin-user-notice-link-already-shown = Dieser Einladungslink wurde bereits angezeigt. Falls Sie ihn nicht aufbewahrt haben, kopieren Sie einen neuen: Der zuvor angezeigte Link funktioniert dann nicht mehr.
admin-user-notice-link-gone = Der Einladungslink wird nur einmal angezeigt, innerhalb weniger Minuten nach der Anforderung. Kopieren Sie bei Bedarf einen neuen.

admin-confirm-reset-title = Zwei-Faktor-Authentifizierung zurücksetzen
admin-confirm-reset-question = Zwei-Faktor-Authentifizierung für { $email } zurücksetzen?
admin-confirm-reset-removed = Die Authenticator-App und alle Wiederherstellungscodes der Person werden entfernt, und sie wird überall abgemeldet. Sie wird per E-Mail informiert.
admin-confirm-reset-forced = Ist die Zwei-Faktor-Authentifizierung für die Person erzwungen, richtet sie sie bei der nächsten Anmeldung neu ein; andernfalls genügt zur Anmeldung ihr Passwort allein.
admin-confirm-delete-title = Benutzer löschen
admin-confirm-delete-question = { $email } löschen?
admin-confirm-delete-removed = Das Konto, seine Sitzungen, Faktoren und Gruppenmitgliedschaften werden entfernt. Dies lässt sich nicht rückgängig machen.

## Gruppen

admin-groups-title = Gruppen
admin-groups-lead-before = Ressourcen werden Gruppen zugewiesen: Alle Mitglieder einer Gruppe sehen auf der Seite
admin-groups-lead-link = Ressourcen
admin-groups-lead-after = , was ihr zugewiesen ist. Mit Zwei-Faktor-Authentifizierung geschützte Ressourcen bleiben für Mitglieder verborgen, bis sie sich damit anmelden.
admin-groups-no-members = Noch keine Mitglieder.
admin-groups-members-of = Mitglieder von { $group }
admin-groups-remove = Entfernen
admin-groups-remove-label = { $email } aus { $group } entfernen
admin-groups-everyone-in = Alle Personen Ihrer Organisation sind in dieser Gruppe.
admin-groups-add-member = Mitglied hinzufügen
admin-groups-add-member-to = zu { $group }
admin-groups-add = Hinzufügen
admin-groups-none = Noch keine Gruppen. Legen Sie unten eine an und fügen Sie dann Personen hinzu.
admin-groups-create-title = Gruppe anlegen
admin-groups-name = Name
admin-groups-create = Gruppe anlegen
admin-groups-notice-created = Die Gruppe wurde angelegt.
admin-groups-notice-member-added = Die Person wurde der Gruppe hinzugefügt.
admin-groups-notice-member-removed = Die Person wurde aus der Gruppe entfernt.

## Zugriffsregeln

admin-rules-title = Zugriffsregeln
admin-rules-lead = Anwendungen hinter Ihrem Reverse Proxy fragen Portcullis, wer sie öffnen darf (Forward Authentication). Jede Regel gilt für einen Host und alles unter einem Pfad; der längste passende Pfad gewinnt, und ein Host ohne Regel wird abgewiesen. Anleitungen finden Sie in docs/integrations.md.
admin-rules-none = Noch keine Zugriffsregeln. Fügen Sie unten eine hinzu.
admin-rules-list-title = Regeln
admin-rules-remove = Entfernen
admin-rules-remove-label = Die Regel für { $rule } entfernen
admin-rules-add-title = Regel hinzufügen
admin-rules-host = Host
admin-rules-host-example = app.example.com
admin-rules-path = Pfad
admin-rules-path-hint = / für den ganzen Host; /admin gilt für /admin und alles darunter.
admin-rules-who = Wer zugreifen darf
admin-rules-policy-signed-in = Angemeldet
admin-rules-policy-two-factor = Mit Zwei-Faktor-Authentifizierung angemeldet
admin-rules-policy-public = Alle
admin-rules-choose-policy = Wählen Sie, wer zugreifen darf.
admin-rules-groups = Nur diese Gruppen
admin-rules-groups-hint = Gruppennamen, durch Kommas getrennt; leer für alle in Ihrer Organisation.
admin-rules-groups-yours = Ihre Gruppen: { $groups }.
admin-rules-everyone = Alle in Ihrer Organisation
admin-rules-add = Regel hinzufügen
admin-rules-notice-added = Die Zugriffsregel wurde hinzugefügt; sie gilt ab der nächsten Anfrage.
admin-rules-notice-removed = Die Zugriffsregel wurde entfernt.

## OpenID-Connect-Clients

admin-oidc-title = OIDC-Clients
admin-oidc-lead = Anwendungen, die Personen über OpenID Connect mit Portcullis anmelden (Grafana, Nextcloud, Ihre eigenen Anwendungen). Jede erhält eine Client-ID und, sofern sie keine öffentliche Anwendung ist, ein Geheimnis; die Personen Ihrer Organisation melden sich dort mit ihrem Portcullis-Konto und Zwei-Faktor-Authentifizierung an.
admin-oidc-secret-title = Das Geheimnis von „{ $name }“
admin-oidc-secret-before = Tragen Sie es in den OpenID-Connect-Einstellungen der Anwendung ein, zusammen mit der Client-ID
admin-oidc-secret-after = .
admin-oidc-secret-copied = Geheimnis kopiert
admin-oidc-copy-secret = Geheimnis kopieren
admin-oidc-secret-once = Es wird nicht noch einmal angezeigt.
admin-oidc-secret-lost = Geht es verloren, geben Sie dem Client ein neues Geheimnis.
admin-oidc-client-id = Client-ID
admin-oidc-public = öffentlich (kein Geheimnis, PKCE)
admin-oidc-confidential = vertraulich
admin-oidc-no-consent = keine Zustimmungsseite
admin-oidc-requires-2fa = verlangt 2FA
admin-oidc-signed-with = ID-Tokens signiert mit { $alg }
admin-oidc-who-everyone = Wer sich anmelden darf: alle in Ihrer Organisation
admin-oidc-who-groups = Wer sich anmelden darf: { $groups }
admin-oidc-uris-of = Weiterleitungs-URIs von { $name }
admin-oidc-manage = Verwalten
admin-oidc-name = Name
admin-oidc-uris = Weiterleitungs-URIs, eine pro Zeile
admin-oidc-uris-hint = Genau so, wie die Anwendung sie sendet, etwa https://grafana.example.com/login/generic_oauth; http:// nur für localhost.
admin-oidc-groups = Gruppen, die sich anmelden dürfen (Namen, durch Kommas getrennt; leer: alle)
admin-oidc-alg = Signatur der ID-Tokens
admin-oidc-alg-hint = RS256 akzeptiert jede OpenID-Connect-Anwendung; wählen Sie ES256 oder EdDSA nur, wenn die Anwendung es verlangt.
admin-oidc-first-party = Unsere eigene Anwendung: keine Zustimmungsseite
admin-oidc-require-2fa = Nur mit Zwei-Faktor-Authentifizierung angemeldete Personen
admin-oidc-public-app = Öffentliche Anwendung (Single-Page- oder native App): kein Geheimnis, PKCE erforderlich
admin-oidc-new-secret = Neues Geheimnis
admin-oidc-for = für { $name }
admin-oidc-delete = Löschen
admin-oidc-none = Noch keine OIDC-Clients. Registrieren Sie unten einen.
admin-oidc-create-title = Client registrieren
admin-oidc-create = Client registrieren
admin-oidc-notice-saved = Der Client wurde gespeichert.
admin-oidc-notice-deleted = Der Client wurde gelöscht. Er kann niemanden mehr anmelden.
admin-oidc-notice-already-shown = Bereits angezeigt: Ein Client-Geheimnis wird nur einmal angezeigt. Wurde es nicht aufbewahrt, geben Sie dem Client ein neues Geheimnis.

## RADIUS-Clients

admin-radius-title = RADIUS-Clients
admin-radius-lead = VPN-Gateways, WLAN-Controller und SSH-Server (pam_radius), die Portcullis über RADIUS nach einer Anmeldung fragen. Jeder erhält ein gemeinsames Geheimnis; Personen Ihrer Organisation melden sich dort mit E-Mail-Adresse, Passwort und zweitem Faktor an. Änderungen gelten auf jedem Server innerhalb von Sekunden.
admin-radius-secret-title = Das gemeinsame Geheimnis von „{ $name }“
admin-radius-secret-where = Tragen Sie es auf dem Gerät als gemeinsames Geheimnis des RADIUS-Servers ein, mit der Adresse dieses Servers und seinem RADIUS-Port (meist UDP 1812). Das Gerät muss jeder Anfrage einen Message-Authenticator mitgeben.
admin-radius-secret-copied = Geheimnis kopiert
admin-radius-copy-secret = Geheimnis kopieren
admin-radius-secret-once = Es wird nicht noch einmal angezeigt.
admin-radius-secret-lost = Geht es verloren, entfernen Sie den Client und fügen Sie ihn neu hinzu.
admin-radius-none = Noch keine RADIUS-Clients. Fügen Sie unten einen hinzu.
admin-radius-list-title = Clients
admin-radius-from = Anfragen von { $address }
admin-radius-waits = wartet { $seconds ->
    [one] { $seconds } Sekunde
   *[other] { $seconds } Sekunden
} auf Bestätigung
admin-radius-mode-password-code = Passwort, direkt gefolgt vom Sicherheitscode
admin-radius-mode-challenge = Passwort, dann fragt das Gerät nach dem Sicherheitscode
admin-radius-mode-push = Passwort, dann Bestätigung in der Begleit-App
admin-radius-mode-code-only = Nur der Sicherheitscode
admin-radius-remove = Entfernen
admin-radius-remove-label = { $name } entfernen
admin-radius-add-title = Client hinzufügen
admin-radius-name = Name
admin-radius-name-hint = Eindeutig auf diesem Server, etwa office-vpn.
admin-radius-address = Adresse
admin-radius-address-hint = Die Adresse, von der die Anfragen des Geräts kommen, oder ein Netz in CIDR-Schreibweise, etwa 192.0.2.10 oder 10.0.0.0/8.
admin-radius-mode = Wie Personen antworten
admin-radius-timeout = Zeit für die Bestätigung (Sekunden)
admin-radius-timeout-hint = Wie lange eine Anmeldung auf die Bestätigung in der Begleit-App wartet: 1 bis 600 Sekunden. Nur für die Bestätigung in der Begleit-App; stellen Sie die Zeitüberschreitung des Geräts etwas länger ein.
admin-radius-add = Client hinzufügen
admin-radius-notice-removed = Der RADIUS-Client wurde entfernt. Seine Anfragen werden nicht mehr beantwortet.
admin-radius-notice-already-shown = Bereits angezeigt: Ein gemeinsames Geheimnis wird nur einmal angezeigt. Wurde es nicht aufbewahrt, entfernen Sie den Client und fügen Sie ihn neu hinzu.
admin-radius-confirm-title = RADIUS-Client entfernen
admin-radius-confirm-question = Den RADIUS-Client „{ $name }“ entfernen?
admin-radius-confirm-consequence = Niemand kann sich mehr darüber anmelden; seine Anfragen werden innerhalb von Sekunden nicht mehr beantwortet.

## Ressourcen

admin-resources-title = Ressourcen
admin-resources-lead-admin-before = Die Rechenzentren und Snapshots Ihrer Organisation. Weisen Sie sie
admin-resources-lead-admin-link = Gruppen
admin-resources-lead-admin-after = { "" } zu: Mitglieder sehen, was ihren Gruppen zugewiesen ist.
admin-resources-lead-user = Die Rechenzentren und Snapshots, die Ihren Gruppen zugewiesen sind.
admin-resources-explained = Ressourcen sind das, was Ihre Organisation auf der Hosting-Plattform betreibt: ihre Rechenzentren und die davon angelegten Snapshots. Diese Seite legt fest, wer welche sehen und auswählen darf. Eine als „2FA-geschützt“ markierte Ressource bleibt allen verborgen, die ohne Zwei-Faktor-Authentifizierung angemeldet sind, sodass ein gestohlenes Passwort allein sie nie erreicht.
admin-resources-password-only = Sie haben sich nur mit Ihrem Passwort angemeldet.
admin-resources-hidden-admin = Mit Zwei-Faktor-Authentifizierung geschützte Ressourcen sind für Sie verborgen
admin-resources-hidden-admin-after = , und Sie können keine anlegen oder schützen, bis Sie sich mit Ihrer Authenticator-App anmelden.
admin-resources-hidden-user = Mit Zwei-Faktor-Authentifizierung geschützte Ressourcen werden nur angezeigt, wenn Sie sich damit anmelden.
admin-resources-sign-in-again = Melden Sie sich ab und dann mit dem Code aus Ihrer App wieder an.
admin-resources-set-up-before = Richten Sie auf der
admin-resources-set-up-link = Sicherheitsseite
admin-resources-set-up-after = { "" } eine Authenticator-App ein, melden Sie sich dann ab und mit ihrem Code wieder an.
admin-resources-none-admin = Noch keine Ressourcen.
admin-resources-none-user = Ihnen stehen keine Ressourcen zur Verfügung.
admin-resources-protected = 2FA-geschützt
admin-resources-granted-to = Zugewiesen an:
admin-resources-no-group = noch keine Gruppe
admin-resources-manage = Verwalten
admin-resources-groups = Gruppen
admin-resources-withdraw = Entziehen
admin-resources-withdraw-label = { $resource } der Gruppe { $group } entziehen
admin-resources-grant-to = Einer Gruppe zuweisen
admin-resources-grant-which = ({ $resource })
admin-resources-grant = Zuweisen
admin-resources-no-groups-before = Es gibt noch keine Gruppen.
admin-resources-no-groups-link = Legen Sie zuerst eine an
admin-resources-no-groups-after = .
admin-resources-settings = Einstellungen
admin-resources-name = Name
admin-resources-only-2fa = Nur für mit 2FA angemeldete Personen
admin-resources-only-2fa-hint = Mitglieder ihrer Gruppen, die sich ohne Zwei-Faktor-Authentifizierung angemeldet haben, sehen sie nicht.
admin-resources-only-2fa-sign-in = Melden Sie sich mit Ihrer Authenticator-App an, um diese Ressource zu schützen.
admin-resources-delete = Löschen
admin-resources-create-title = Ressource hinzufügen
admin-resources-kind = Art
admin-resources-create-2fa-hint = Selbst Mitglieder einer zugewiesenen Gruppe sehen sie nur, wenn sie sich mit Zwei-Faktor-Authentifizierung angemeldet haben.
admin-resources-create-2fa-unavailable = Nicht verfügbar: Sie haben sich ohne Zwei-Faktor-Authentifizierung angemeldet.
admin-resources-create = Ressource hinzufügen
admin-resources-unknown-group = Unbekannte Gruppe
admin-resources-choose-kind = Wählen Sie ein Rechenzentrum oder einen Snapshot.
admin-resources-notice-created = Die Ressource wurde angelegt.
admin-resources-notice-saved = Die Ressource wurde gespeichert.
admin-resources-notice-granted = Die Ressource wurde der Gruppe zugewiesen.
admin-resources-notice-revoked = Die Ressource wurde der Gruppe entzogen.
admin-resources-notice-deleted = Die Ressource wurde gelöscht.
admin-resources-confirm-title = Ressource löschen
admin-resources-confirm-question-datacenter = Das Rechenzentrum „{ $name }“ löschen?
admin-resources-confirm-question-snapshot = Den Snapshot „{ $name }“ löschen?
admin-resources-confirm-consequence = Sie wird allen Gruppen entzogen und ist für niemanden mehr sichtbar. Dies lässt sich nicht rückgängig machen.
admin-resources-confirm-button = Ressource löschen

## Beitritt: Einrichtung durch den Inhaber, offene Registrierung, Einladung

admin-setup-title = Portcullis einrichten
admin-setup-intro = Legen Sie das Konto des Inhabers an. Der Inhaber verwaltet diesen Portcullis-Server und alle darauf. Dieser Link funktioniert einmal.
admin-signup-title = Konto anlegen
admin-signup-intro = Zu Ihrem Konto gehört eine eigene Organisation, deren Inhaber Sie sind.
admin-register-not-created = Ihr Konto wurde nicht angelegt:
admin-register-email = E-Mail-Adresse
admin-register-password = Passwort
admin-register-password-hint = Mindestens 8 Zeichen, mit Groß- und Kleinbuchstaben und einem Sonderzeichen, und ohne den Namen oder die Domain Ihrer E-Mail-Adresse.
admin-register-password-again = Passwort wiederholen
admin-register-password-mismatch = Die beiden Passwörter stimmen nicht überein.
admin-register-submit = Konto anlegen
admin-register-have-account = Sie haben schon ein Konto?
admin-register-sign-in = Anmelden
admin-setup-used-title = Einrichtungslink bereits verwendet
admin-setup-used-lead = Dieser Einrichtungslink wurde bereits verwendet – es gibt schon einen Inhaber. Melden Sie sich stattdessen an.
admin-join-invite-title = Wählen Sie Ihr Passwort
admin-join-invite-lead = Ein Administrator hat ein Konto für Sie angelegt. Wählen Sie ein Passwort, um es fertigzustellen; dieser Link funktioniert einmal.
admin-join-invite-not-set = Ihr Passwort wurde nicht gesetzt:
admin-join-invite-submit = Passwort festlegen

## „Das war ich nicht“: das eigene Konto nach einer Benachrichtigung sperren

admin-lock-window = Konto sperren
admin-lock-locked-window = Konto gesperrt
admin-lock-locked-title = Ihr Konto ist gesperrt
admin-lock-locked-status = Niemand kann sich jetzt bei Ihrem Konto anmelden, und alle, die angemeldet waren, wurden abgemeldet.
admin-lock-locked-next = Der Inhaber des Kontos Ihrer Organisation wurde informiert. Bitten Sie Ihren Administrator, es zu entsperren; melden Sie sich dann an und ändern Sie Ihr Passwort.
admin-lock-question = Ihr Konto sperren?
admin-lock-lead = Die Änderung, über die wir Sie per E-Mail informiert haben, wurde mit Ihren eigenen Zugangsdaten vorgenommen: Ihrem Passwort oder einer anderen Ihrer Anmeldemethoden wie Ihrer Authenticator-App, einem Wiederherstellungscode oder einem Link zum Zurücksetzen. Wenn Sie sie nicht vorgenommen haben, hat jemand anderes diese Zugangsdaten. Sperren Sie Ihr Konto, um diese Person aufzuhalten.
admin-lock-effect-signed-out = Alle, die bei Ihrem Konto angemeldet sind, werden sofort abgemeldet.
admin-lock-effect-nobody = Niemand kann sich anmelden, auch Sie nicht, bis Ihr Administrator das Konto entsperrt.
admin-lock-effect-owner = Der Inhaber des Kontos Ihrer Organisation wird informiert.
admin-lock-submit = Mein Konto sperren
