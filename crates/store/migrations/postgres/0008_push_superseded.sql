-- A sign-in request can end without an answer: 'superseded' when a newer request of the account
-- was sent, or its login went on with a code. Kept in lockstep with
-- ../sqlite/0008_push_superseded.sql.
ALTER TABLE push_challenges DROP CONSTRAINT push_challenges_status_check;
ALTER TABLE push_challenges ADD CONSTRAINT push_challenges_status_check
    CHECK (status IN ('pending', 'approved', 'denied', 'fraud', 'superseded'));
