-- A comment written by staff from the desk: marked as staff in the public thread.
ALTER TABLE comments ADD COLUMN staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL;
