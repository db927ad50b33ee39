-- ironward server, schema 4: indexes for the event listing filtered by application *and* check,
-- or by application *and* source IP, newest first (the dashboard's and GET /api/v1/events'
-- filters). With only the single-column indexes of schema 2, SQLite served `app = ? AND
-- check = ?` from one of them and checked the other column row by row: a small application's
-- page could walk every event of that check (or IP) in the others. Each index serves both
-- equality columns, then `(time, id)` in order (read backwards for newest first, which both
-- databases do without a sort), so a page reads its rows and no more.
-- The check or IP comes first, the application second: an index led by `app_name` (a handful of
-- values) invites SQLite's skip-scan for a filter on the second column alone, which then sorts
-- every match (measured: 15 ms instead of 1 ms for a scanner IP with 50,000 events), while the
-- single-column indexes serve those filters in order.
-- Dialect-neutral like schemas 1 to 3. Building them reads the events table once (seconds for a
-- million rows) at the first start of the new version.

CREATE INDEX events_check_app_time ON events (check_name, app_name, time, id);
CREATE INDEX events_ip_app_time ON events (ip, app_name, time, id);
