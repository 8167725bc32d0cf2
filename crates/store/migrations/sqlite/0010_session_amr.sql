-- How a session signed in, and the sign-in that asks for more (step-up). Kept in lockstep with
-- ../postgres/0010_session_amr.sql.

-- The RFC 8176 methods of the sign-in that opened a session, space-separated ("pwd otp mfa"),
-- and the level they reach ('pwd', 'mfa', 'phr'). Both are written together; rows from before
-- this migration have neither and read as their second_factor flag says.
ALTER TABLE sessions ADD COLUMN amr TEXT;
ALTER TABLE sessions ADD COLUMN acr TEXT CHECK (acr IN ('pwd', 'mfa', 'phr'));

-- What a login ticket must end at: the level a relying application asked for (the second step
-- then offers only factors that reach it), and, for a step-up of a signed-in person, the
-- session it starts from (revoked when the stronger one opens; a signed-out session ends the
-- ticket with it).
ALTER TABLE login_tickets ADD COLUMN acr TEXT CHECK (acr IN ('pwd', 'mfa', 'phr'));
ALTER TABLE login_tickets ADD COLUMN step_up_of TEXT REFERENCES sessions(id) ON DELETE CASCADE;
