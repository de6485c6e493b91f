-- A refresh token presented again within the grace window (30 s after it was spent) answers
-- with the same successor, so a client that lost the first answer, or two tabs refreshing at
-- once, stay signed in. The successor is kept sealed (ChaCha20-Poly1305 under a key derived from
-- the spent token, which the server does not store), and only for the window: it is cleared
-- when the window has passed.
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed bytea;
-- The sweep that clears them every few seconds reads only the rows still holding one.
CREATE INDEX refresh_tokens_sealed ON refresh_tokens (used_at) WHERE successor_sealed IS NOT NULL;
