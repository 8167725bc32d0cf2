# E-Mails und SMS in der Sprache des Empfängers. $product ist der Produktname der Installation
# (--product-name), $email eine E-Mail-Adresse, $link eine vollständige Adresse; Datumsangaben
# kommen aus i18n::dates. Gleiche Reihenfolge wie die englische Datei; Begriffe: docs/glossary.md.

## Gemeinsam für alle E-Mails

mail-hello = Guten Tag,
mail-label-when = Wann
mail-label-from = Von
mail-label-using = Mit
mail-label-account = Konto
mail-unknown-address = einer unbekannten Adresse
mail-or-open = Oder öffnen Sie diese Adresse:
mail-lock-prompt = Wenn Sie das nicht waren, sperren Sie Ihr Konto:
mail-lock-button = Das war ich nicht: Konto sperren

## Betreffzeilen

mail-subject-invitation = Einladung zu { $product }
mail-subject-password-reset = Setzen Sie Ihr { $product }-Passwort zurück
mail-subject-password-changed = Ihr { $product }-Passwort wurde geändert
mail-subject-password-was-reset = Ihr { $product }-Passwort wurde zurückgesetzt
mail-subject-two-factor-activated = Die Zwei-Faktor-Authentifizierung ist für Ihr { $product }-Konto eingeschaltet
mail-subject-two-factor-deactivated = Die Zwei-Faktor-Authentifizierung wurde für Ihr { $product }-Konto ausgeschaltet
mail-subject-two-factor-removed-by-recovery = Ein Wiederherstellungscode hat die Zwei-Faktor-Authentifizierung von Ihrem { $product }-Konto entfernt
mail-subject-two-factor-reset-by-admin = Ein Administrator hat die Zwei-Faktor-Authentifizierung Ihres { $product }-Kontos zurückgesetzt
mail-subject-two-factor-reset-by-operator = Der Betreiber des Servers hat die Zwei-Faktor-Authentifizierung Ihres { $product }-Kontos zurückgesetzt
mail-subject-two-factor-forced = Die Zwei-Faktor-Authentifizierung ist jetzt für Ihr { $product }-Konto vorgeschrieben
mail-subject-two-factor-unforced = Die Zwei-Faktor-Authentifizierung ist für Ihr { $product }-Konto nicht mehr vorgeschrieben
mail-subject-recovery-codes-regenerated = Neue Wiederherstellungscodes für Ihr { $product }-Konto
mail-subject-recovery-code-used = Anmeldung bei Ihrem { $product }-Konto mit einem Wiederherstellungscode
mail-subject-phone-changed = Die Mobilnummer Ihres { $product }-Kontos hat sich geändert
mail-subject-support-pin-changed = Die Support-PIN Ihres { $product }-Kontos hat sich geändert
mail-subject-support-pin-check-failed = Für Ihr { $product }-Konto wurde eine falsche Support-PIN genannt
mail-subject-app-password-created = Neues App-Passwort für Ihr { $product }-Konto
mail-subject-push-device-paired = Eine Begleit-App wurde mit Ihrem { $product }-Konto gekoppelt
mail-subject-push-device-removed = Eine Begleit-App wurde von Ihrem { $product }-Konto entfernt
mail-subject-webauthn-added = Ein Sicherheitsschlüssel oder Passkey wurde zu Ihrem { $product }-Konto hinzugefügt
mail-subject-webauthn-removed = Ein Sicherheitsschlüssel oder Passkey wurde von Ihrem { $product }-Konto entfernt
mail-subject-role-changed = Ihre Rolle in { $product } hat sich geändert
mail-subject-new-sign-in = Neue Anmeldung bei Ihrem { $product }-Konto
mail-subject-second-factor-failures = Jemand kennt Ihr { $product }-Passwort
mail-subject-account-locked = { $email } hat das eigene { $product }-Konto gesperrt

## Einladung

mail-invitation-intro-text = Ein Administrator hat für { $email } ein { $product }-Konto angelegt. Wählen Sie Ihr Passwort, um es zu nutzen:
mail-invitation-intro = Ein Administrator hat für { $email } ein { $product }-Konto angelegt. Wählen Sie Ihr Passwort, um es zu nutzen.
mail-invitation-button = Passwort wählen
mail-invitation-expiry = { $days ->
    [one] Der Link funktioniert einmal und läuft in 1 Tag ab. Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese Nachricht.
   *[other] Der Link funktioniert einmal und läuft in { $days } Tagen ab. Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese Nachricht.
}

## Passwort zurücksetzen

mail-reset-intro-text = Jemand, hoffentlich Sie, hat das Zurücksetzen des Passworts für das { $product }-Konto { $email } angefordert. Wählen Sie hier ein neues Passwort:
mail-reset-intro = Jemand, hoffentlich Sie, hat das Zurücksetzen des Passworts für das { $product }-Konto { $email } angefordert.
mail-reset-button = Neues Passwort wählen
mail-reset-expiry = { $minutes ->
    [one] Der Link funktioniert einmal und läuft in 1 Minute ab.
   *[other] Der Link funktioniert einmal und läuft in { $minutes } Minuten ab.
}
mail-reset-sms-too = Wir haben Ihnen außerdem einen Code per SMS an Ihre bestätigte Mobilnummer geschickt; Sie können ihn statt des Links verwenden.
mail-reset-two-factor-stays = Ein neues Passwort schaltet die Zwei-Faktor-Authentifizierung nicht aus: Bei der Anmeldung wird weiterhin Ihr zweiter Faktor abgefragt.
mail-reset-not-you = Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt, wie es ist.

## Sicherheitsmeldungen: was geschah

mail-event-password-changed = Das Passwort Ihres Kontos wurde geändert.
mail-event-password-reset = Das Passwort Ihres Kontos wurde mit einem Link oder Code für ein vergessenes Passwort zurückgesetzt. Die Zwei-Faktor-Authentifizierung bleibt unverändert.
mail-event-two-factor-activated = Die Zwei-Faktor-Authentifizierung wurde eingeschaltet: Zur Anmeldung ist jetzt nach dem Passwort ein Code aus Ihrer Authenticator-App nötig.
mail-event-two-factor-deactivated = Die Zwei-Faktor-Authentifizierung wurde ausgeschaltet: Zur Anmeldung genügt jetzt Ihr Passwort allein.
mail-event-two-factor-removed-by-recovery = Mit einem Wiederherstellungscode und Ihrem Passwort wurde die Zwei-Faktor-Authentifizierung von Ihrem Konto entfernt.
mail-event-two-factor-reset-by-admin = Die Zwei-Faktor-Authentifizierung Ihres Kontos wurde zurückgesetzt: Ihre Authenticator-App, Ihre Begleit-Apps und Ihre Wiederherstellungscodes wurden entfernt, und Sie wurden überall abgemeldet. Wenn sie für Sie vorgeschrieben ist, richten Sie sie bei Ihrer nächsten Anmeldung wieder ein.
mail-event-two-factor-forced = Die Zwei-Faktor-Authentifizierung ist jetzt für Ihr Konto vorgeschrieben: Sie richten sie bei Ihrer nächsten Anmeldung ein.
mail-event-two-factor-unforced = Die Zwei-Faktor-Authentifizierung ist für Ihr Konto nicht mehr vorgeschrieben. Was Sie eingerichtet haben, bleibt aktiv, bis Sie es ausschalten.
mail-event-recovery-codes-regenerated = Für Ihr Konto wurden neue Wiederherstellungscodes erstellt. Die alten gelten nicht mehr.
mail-event-recovery-code-used = Jemand hat sich mit einem Wiederherstellungscode bei Ihrem Konto angemeldet. Jeder Code funktioniert nur einmal: { $count ->
    [one] 1 Code ist übrig.
   *[other] { $count } Codes sind übrig.
}
mail-event-recovery-codes-low = Erstellen Sie bald neue Wiederherstellungscodes: { $link }
mail-event-phone-changed = Die bestätigte Mobilnummer Ihres Kontos hat sich geändert.
mail-event-support-pin-changed = Die Support-PIN Ihres Kontos wurde geändert.
mail-event-support-pin-check-failed = Einem Support-Mitarbeiter wurde eine falsche Support-PIN für Ihr Konto genannt.
mail-event-support-pin-checks-paused = Nach mehreren falschen PINs sind PIN-Prüfungen für Ihr Konto eine Zeit lang ausgesetzt.
mail-event-app-password-created = Ein App-Passwort namens „{ $name }“ wurde erstellt: E-Mail-Programme können sich jetzt damit anmelden.
mail-event-push-device-paired = Die Begleit-App „{ $name }“ wurde mit Ihrem Konto gekoppelt: Sie kann jetzt Ihre Anmeldungen bestätigen.
mail-event-push-device-removed = Die Begleit-App „{ $name }“ wurde von Ihrem Konto entfernt: Sie kann Ihre Anmeldungen nicht mehr bestätigen.
mail-event-webauthn-added = Der Sicherheitsschlüssel oder Passkey „{ $name }“ wurde zu Ihrem Konto hinzugefügt: Er kann jetzt Ihre Anmeldungen bestätigen.
mail-event-webauthn-removed = Der Sicherheitsschlüssel oder Passkey „{ $name }“ wurde von Ihrem Konto entfernt: Er kann Ihre Anmeldungen nicht mehr bestätigen.
mail-event-role-administrator = Ihre Rolle hat sich geändert: Sie sind jetzt Administrator des Kontos Ihrer Organisation und können dessen Benutzer verwalten.
mail-event-role-user = Ihre Rolle hat sich geändert: Sie sind jetzt Benutzer des Kontos Ihrer Organisation und können dessen Benutzer nicht mehr verwalten.
mail-event-role-other = Ihre Rolle im Konto Ihrer Organisation ist jetzt „{ $role }“.

## Sicherheitsmeldungen: wer es war, und was zu tun ist

mail-security-lock-explain = Die Änderung wurde mit Ihrem Passwort oder einer anderen Ihrer Anmeldemethoden vorgenommen: Wenn Sie es nicht waren, verfügt jemand anderes darüber. Das Sperren meldet Sie überall ab und verhindert jede Anmeldung, bis ein Administrator das Konto entsperrt. { $days ->
    [one] Der Link funktioniert einmal, 1 Tag lang.
   *[other] Der Link funktioniert einmal, { $days } Tage lang.
}
mail-by-administrator = Diese Änderung hat { $admin } vorgenommen, ein Administrator Ihrer Organisation, nicht mit Ihrem Passwort oder Ihren Anmeldemethoden; es gibt also nichts zu sperren. Wenn Sie damit nicht gerechnet haben, wenden Sie sich an diese Person.
mail-by-owner = Diese Änderung hat { $admin } vorgenommen, der Inhaber des Kontos Ihrer Organisation, nicht mit Ihrem Passwort oder Ihren Anmeldemethoden; es gibt also nichts zu sperren. Wenn Sie damit nicht gerechnet haben, wenden Sie sich an diese Person.
mail-by-operator = Diese Änderung hat der Betreiber des Servers auf dessen Kommandozeile vorgenommen, nicht mit Ihrem Passwort oder Ihren Anmeldemethoden; es gibt also nichts zu sperren. Wenn Sie damit nicht gerechnet haben, fragen Sie Ihren Administrator.

## Neue Anmeldung

mail-new-sign-in-intro = Soeben hat sich jemand bei Ihrem Konto angemeldet, und zwar aus einem Browser oder Netzwerk, das Ihr Konto in den letzten 90 Tagen nicht verwendet hat.
mail-new-sign-in-if-you = Wenn Sie das waren, müssen Sie nichts tun.
mail-new-sign-in-lock-explain = Wer sich angemeldet hat, kennt Ihr Passwort und, falls Sie einen verwenden, Ihren zweiten Schritt. Das Sperren meldet Sie überall ab und verhindert jede Anmeldung, bis ein Administrator das Konto entsperrt; wählen Sie dann ein neues Passwort. { $days ->
    [one] Der Link funktioniert einmal, 1 Tag lang.
   *[other] Der Link funktioniert einmal, { $days } Tage lang.
}

## Falsche zweite Schritte nach einem richtigen Passwort

mail-wrong-codes-intro = { $count ->
    [one] Jemand hat das richtige Passwort für Ihr Konto eingegeben und ist dann innerhalb einer Stunde einmal am zweiten Schritt gescheitert, mit einem falschen Code oder einer in der Begleit-App abgelehnten Anmeldeanfrage. Wer auch immer es war, kennt Ihr Passwort.
   *[other] Jemand hat das richtige Passwort für Ihr Konto eingegeben und ist dann innerhalb einer Stunde { $count }-mal am zweiten Schritt gescheitert, mit falschen Codes oder in der Begleit-App abgelehnten Anmeldeanfragen. Wer auch immer es war, kennt Ihr Passwort.
}
mail-wrong-codes-latest = Der letzte Versuch:
mail-wrong-codes-if-you = Wenn Sie das waren und sich bei den Codes vertippt haben, müssen Sie nichts tun.
mail-wrong-codes-change-prompt = Wenn Sie es nicht waren, ändern Sie jetzt Ihr Passwort:
mail-wrong-codes-button = Mein Passwort ändern
mail-wrong-codes-lock-prompt = Wenn Sie vermuten, dass jemand weitergekommen ist, sperren Sie Ihr Konto:
mail-wrong-codes-lock-explain = Das Sperren meldet Sie überall ab und verhindert jede Anmeldung, bis ein Administrator das Konto entsperrt. { $days ->
    [one] Der Link funktioniert einmal, 1 Tag lang.
   *[other] Der Link funktioniert einmal, { $days } Tage lang.
}

## Ein Kontoinhaber hat sein Konto gesperrt (an Inhaber und Administratoren)

mail-locked-intro = { $email } hat das eigene Konto gesperrt, über den Link „Das war ich nicht“ in einer Sicherheitsmeldung zu einer Änderung, die mit dem eigenen Passwort oder den eigenen Anmeldemethoden vorgenommen wurde.
mail-locked-next-text = Niemand kann sich bei diesem Konto anmelden, bis ein Administrator es entsperrt. Finden Sie heraus, was geschehen ist, und entsperren Sie es dann in der Benutzerverwaltung: { $link }
mail-locked-next = Niemand kann sich bei diesem Konto anmelden, bis ein Administrator es entsperrt. Finden Sie heraus, was geschehen ist, und entsperren Sie es dann in der Benutzerverwaltung.
mail-locked-button = Benutzerverwaltung öffnen

## SMS: ein Segment (160 GSM-Zeichen) bei einem Produktnamen bis 20 Zeichen

sms-phone-code = Ihr { $product }-Sicherheitscode zum Bestätigen Ihrer Mobilnummer: { $code }. { $minutes } Minuten gültig. Geben Sie ihn nie weiter.
sms-reset-code = Ihr { $product }-Code zum Zurücksetzen des Passworts: { $code }. { $minutes } Minuten gültig. Nicht angefordert? Dann ignorieren Sie diese SMS.
