-- ironward server, schema 4: indexes for the event listing filtered by application *and* check,
-- or by application *and* source IP, newest first (the dashboard's and GET /api/v1/events'
-- filters). With only the single-column indexes of schema 2, SQLite served `app = ? AND
-- check = ?` from `events_check_time` and filtered the application row by row: a small
-- application's page walked every event of that check in the others. Each index serves the
-- equality columns, then `(time, id)` in order (read backwards for newest first, which both
-- databases do without a sort), so a page reads its rows and no more.
-- Dialect-neutral like schemas 1 to 3. Building them reads the events table once (seconds for a
-- million rows) at the first start of the new version.

CREATE INDEX events_app_check_time ON events (app_name, check_name, time, id);
CREATE INDEX events_app_ip_time ON events (app_name, ip, time, id);
