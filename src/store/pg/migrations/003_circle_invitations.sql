-- 003_circle_invitations: the twin of SQLite's 012. A writer invites an
-- existing reader into a circle by handle (issue 17); a row here is a
-- pending invitation, gone when she accepts (then a circle_members row),
-- declines, or the writer withdraws it, and with the circle or account.
CREATE TABLE circle_invitations (
	circle_id  TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	invited_at BIGINT NOT NULL,
	PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX circle_invitations_user ON circle_invitations(user_id, invited_at);
