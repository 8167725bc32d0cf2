# Sätze des Kerns (Prüf- und Ablehnungsfragmente), nach Fragment-ID: siehe web::kit::error::fragment_id.
# Gleiche Reihenfolge wie die englische Datei; Begriffe: docs/glossary.md.

## E-Mail-Adressen

core-email-is-required = Bitte geben Sie eine E-Mail-Adresse an.
core-email-is-longer-than-254-characters = Die E-Mail-Adresse ist länger als 254 Zeichen.
core-email-must-not-contain-spaces-or-control-characters = Die E-Mail-Adresse darf keine Leer- oder Steuerzeichen enthalten.
core-email-must-look-like-name-example-com = Die E-Mail-Adresse muss die Form name@example.com haben.
core-email-must-have-a-domain-like-example-com = Die E-Mail-Adresse braucht eine Domain wie example.com.

## Namen für Hinzugefügtes

core-give-the-app-password-a-name-such-as-the-app-or-device-it-is-for = Geben Sie dem App-Passwort einen Namen, etwa den der App oder des Geräts, für das es bestimmt ist.
core-the-name-must-be-at-most-64-characters-long = Der Name darf höchstens 64 Zeichen lang sein.
core-the-name-must-not-contain-control-characters = Der Name darf keine Steuerzeichen enthalten.
core-give-the-key-a-name-e-g-yubikey-5-or-macbook-touch-id = Geben Sie dem Schlüssel einen Namen, z. B. „YubiKey 5“ oder „MacBook Touch ID“.
core-the-name-may-be-at-most-64-characters-long = Der Name darf höchstens 64 Zeichen lang sein.
core-the-name-may-not-contain-control-characters = Der Name darf keine Steuerzeichen enthalten.
core-the-device-name-must-be-1-to-64-characters = Der Gerätename muss 1 bis 64 Zeichen lang sein.
core-the-device-name-must-not-contain-control-characters = Der Gerätename darf keine Steuerzeichen enthalten.
core-a-group-name-has-1-to-100-characters = Ein Gruppenname hat 1 bis 100 Zeichen.
core-a-resource-name-has-1-to-200-characters = Ein Ressourcenname hat 1 bis 200 Zeichen.
core-the-service-name-must-be-1-to-64-characters-such-as-mail = Der Dienstname muss 1 bis 64 Zeichen lang sein, etwa „mail“.
core-a-client-name-has-1-to-100-characters-such-as-grafana = Ein Client-Name hat 1 bis 100 Zeichen, etwa „Grafana“.

## Support-PIN

core-the-support-pin-must-not-be-one-digit-repeated = Die Support-PIN darf nicht aus einer einzigen wiederholten Ziffer bestehen.
core-the-support-pin-must-not-be-a-run-of-digits-like-12345-or-98765 = Die Support-PIN darf keine Ziffernfolge wie 12345 oder 98765 sein.
core-a-support-pin-is-5-to-10-digits = Eine Support-PIN hat 5 bis 10 Ziffern.
core-only-support-agents-may-check-a-support-pin = Nur Support-Mitarbeiter dürfen eine Support-PIN prüfen.

## Faktoren und Geräte

core-digits-must-be-6-or-8 = Die Stellenzahl muss 6 oder 8 sein.
core-period-must-be-30-or-60-seconds = Die Gültigkeitsdauer muss 30 oder 60 Sekunden betragen.
core-the-webhook-must-be-an-http-or-https-address = Der Webhook muss eine http://- oder https://-Adresse sein.
core-public-key-must-be-a-32-byte-ed25519-key-base64url = public_key muss ein 32-Byte-Ed25519-Schlüssel sein, base64url-codiert.
core-no-companion-app-is-paired-with-this-account = Mit diesem Konto ist keine Begleit-App gekoppelt.
core-this-account-already-has-two-factor-authentication-enter-a-code-from-your-authenticator-app-or-a-recovery-code-to-add-a-security-key = Dieses Konto hat bereits eine Zwei-Faktor-Authentifizierung: Geben Sie einen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein, um einen Sicherheitsschlüssel hinzuzufügen.
core-you-have-50-app-passwords-the-most-there-may-be-revoke-one-you-no-longer-use = Sie haben 50 App-Passwörter, mehr sind nicht möglich; widerrufen Sie eines, das Sie nicht mehr verwenden.
core-only-a-completed-second-step-can-remember-a-browser = Ein Browser kann erst nach einem abgeschlossenen zweiten Schritt gemerkt werden.
core-the-browser-s-key-is-not-a-p-256-public-key = Der Schlüssel des Browsers ist kein öffentlicher P-256-Schlüssel.

## Mobilnummer

core-this-number-is-already-verified = Diese Nummer ist bereits bestätigt.
core-enter-your-current-password-to-replace-a-verified-number = Geben Sie Ihr aktuelles Passwort ein, um eine bestätigte Nummer zu ersetzen.
core-a-mobile-number-is-already-verified = Es ist bereits eine Mobilnummer bestätigt.
core-a-mobile-number-is-not-part-of-this-setup = Eine Mobilnummer gehört nicht zu dieser Einrichtung.
core-no-mobile-number-is-waiting-for-a-code-enter-the-number-first = Keine Mobilnummer wartet auf einen Code; geben Sie zuerst die Nummer ein.

## Verwaltung

core-only-the-owner-and-administrators-may-do-this = Das dürfen nur der Inhaber und Administratoren.
core-you-may-not-manage-this-account = Sie dürfen dieses Konto nicht verwalten.
core-you-may-not-give-this-role = Sie dürfen diese Rolle nicht vergeben.
core-the-owner-cannot-have-another-role = Der Inhaber kann keine andere Rolle haben.
core-the-owner-cannot-be-deleted = Der Inhaber kann nicht gelöscht werden.
core-only-the-contract-owner-may-stop-requiring-two-factor-authentication = Nur der Inhaber des Vertrags darf die Pflicht zur Zwei-Faktor-Authentifizierung aufheben.
core-only-the-contract-owner-may-change-whether-a-security-key-or-passkey-is-required = Nur der Inhaber des Vertrags darf ändern, ob ein Sicherheitsschlüssel oder Passkey vorgeschrieben ist.
core-this-person-has-already-accepted-the-invitation-and-chosen-a-password = Diese Person hat die Einladung bereits angenommen und ein Passwort gewählt.

## Ressourcen und Zugriffsregeln

core-the-host-must-be-a-host-name-such-as-app-example-com-optionally-with-port = Der Host muss ein Hostname wie app.example.com sein, optional mit :Port.
core-the-path-prefix-must-start-with-and-hold-no-query-or-fragment = Das Pfadpräfix muss mit / beginnen und darf keine Abfrage (?) und kein Fragment (#) enthalten.
core-protecting-a-resource-needs-a-session-signed-in-with-a-second-factor = Um eine Ressource zu schützen, brauchen Sie eine Sitzung, die mit einem zweiten Faktor angemeldet ist.

## OpenID Connect

core-id-token-signed-response-alg-is-one-of-rs256-es256-or-eddsa = id_token_signed_response_alg ist einer der Werte RS256, ES256 oder EdDSA.
core-a-public-client-has-no-secret = Ein öffentlicher Client hat kein Geheimnis.
core-another-rotation-of-this-algorithm-s-key-happened-at-the-same-moment = Der Schlüssel dieses Algorithmus wurde im selben Moment bereits anderweitig rotiert.

## RADIUS

core-a-radius-client-name-has-1-to-64-characters-such-as-office-vpn = Der Name eines RADIUS-Clients hat 1 bis 64 Zeichen, etwa „office-vpn“.
core-address-is-an-ipv4-or-ipv6-address-or-block-such-as-192-0-2-10-or-10-0-0-0-8 = Die Adresse ist eine IPv4- oder IPv6-Adresse oder ein Netz, etwa 192.0.2.10 oder 10.0.0.0/8.
core-mode-is-one-of-password-code-challenge-push-or-code-only = Die Art ist eine von password+code, challenge, push oder code-only.
core-push-timeout-is-1-to-600-seconds = Die Zeit für die Bestätigung beträgt 1 bis 600 Sekunden.
core-a-radius-client-with-this-name-exists = Ein RADIUS-Client mit diesem Namen existiert bereits.

## Nicht gefunden

core-access-rule-not-found = Zugriffsregel nicht gefunden.
core-app-password-not-found = App-Passwort nicht gefunden.
core-authorization-request-not-found = Autorisierungsanfrage nicht gefunden.
core-challenge-not-found = Anmeldeanfrage nicht gefunden.
core-client-not-found = Client nicht gefunden.
core-connected-app-not-found = Verbundene App nicht gefunden.
core-contract-not-found = Vertrag nicht gefunden.
core-device-not-found = Gerät nicht gefunden.
core-grant-not-found = Freigabe nicht gefunden.
core-group-not-found = Gruppe nicht gefunden.
core-membership-not-found = Mitgliedschaft nicht gefunden.
core-push-request-not-found = Anmeldeanfrage nicht gefunden.
core-radius-client-not-found = RADIUS-Client nicht gefunden.
core-remembered-browser-not-found = Gemerkter Browser nicht gefunden.
core-resource-not-found = Ressource nicht gefunden.
core-security-key-not-found = Sicherheitsschlüssel nicht gefunden.
core-service-token-not-found = Dienst-Token nicht gefunden.
core-session-not-found = Sitzung nicht gefunden.
core-user-not-found = Benutzer nicht gefunden.
core-approve-needs-the-number-shown-on-the-sign-in-screen = Zum Bestätigen brauchen Sie die Zahl, die auf der Anmeldeseite angezeigt wird.
