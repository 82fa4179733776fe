-- 012_circle_invitations: a writer invites an existing reader into a
-- circle by handle (issue 17). The reader is not a member until she
-- accepts: a row here is a pending invitation, removed when she accepts
-- (and becomes a row of circle_members), declines, or the writer
-- withdraws it; it goes with the circle or either account.
CREATE TABLE circle_invitations (
	circle_id  TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	invited_at INTEGER NOT NULL,
	PRIMARY KEY (circle_id, user_id)
) WITHOUT ROWID;
CREATE INDEX circle_invitations_user ON circle_invitations(user_id, invited_at);
