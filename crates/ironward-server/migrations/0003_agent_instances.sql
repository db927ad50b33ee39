-- ironward server, schema 3: what was delivered to each agent *instance* (worker process).
-- Several processes share one agent key (gunicorn -w 4, uvicorn --workers): tracked per key,
-- a configuration change or a blacklist entry reached only the first worker that beaconed.
-- Ironward agents send a random instance id with connect and beacon; each (key, instance) gets
-- its own row here, created on first sight and deleted by the retention task when it has not
-- been seen for a day. Keys without instance ids (pyrasp) keep the per-key columns of `agents`.
-- Dialect-neutral like schemas 1 and 2.

CREATE TABLE agent_instances (
    key_hash TEXT NOT NULL REFERENCES agents (key_hash) ON DELETE CASCADE,
    -- The agent's instance id (at most 64 characters of [A-Za-z0-9_-]).
    instance TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- The app's config_version this instance last received.
    config_version_sent BIGINT NOT NULL,
    -- The app's blacklist_seq up to which this instance has received the blacklist.
    blacklist_cursor BIGINT NOT NULL,
    PRIMARY KEY (key_hash, instance)
);

CREATE INDEX agent_instances_seen ON agent_instances (last_seen_at);

-- When the remote configuration last changed: agents without an instance id are sent it again
-- with every beacon answer for a while after a change (docs/management.md).
ALTER TABLE apps ADD COLUMN config_changed_at BIGINT;

-- Recent blacklist changes, repeated to agents without an instance id for the same while.
CREATE INDEX blacklist_app_since ON blacklist (app_name, since);
CREATE INDEX blacklist_app_removed ON blacklist (app_name, removed_at);
