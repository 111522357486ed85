-- Comments written by staff from the desk carry the account, so the thread can mark them.
ALTER TABLE comments ADD COLUMN staff_id BIGINT REFERENCES staff (id) ON DELETE SET NULL;
