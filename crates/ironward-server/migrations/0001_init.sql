-- ironward server, schema 1: applications, agent keys, shared blacklist.
-- Dialect-neutral on purpose (TEXT, BIGINT, DOUBLE PRECISION, no AUTOINCREMENT, no SQLite-only
-- types) so that PostgreSQL runs the same file. Times are epoch seconds; JSON is stored as TEXT.

CREATE TABLE apps (
    name TEXT PRIMARY KEY,
    template TEXT NOT NULL,
    -- The remote configuration layer sent to agents (a JSON object, validated before it is stored).
    config TEXT NOT NULL,
    -- Bumped on every configuration change; agents that received an older one get it again.
    config_version BIGINT NOT NULL,
    -- Last sequence number given to a blacklist entry of this app.
    blacklist_seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agents (
    -- SHA-256 (hex) of the agent key: the key itself is never stored.
    key_hash TEXT PRIMARY KEY,
    app_name TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    version TEXT,
    platform TEXT,
    routes TEXT,
    connected_at BIGINT,
    last_beacon_at BIGINT,
    cpu DOUBLE PRECISION,
    memory DOUBLE PRECISION,
    requests_success BIGINT NOT NULL DEFAULT 0,
    requests_errors BIGINT NOT NULL DEFAULT 0,
    requests_attacks BIGINT NOT NULL DEFAULT 0,
    -- The app's config_version this agent last received.
    config_version_sent BIGINT NOT NULL DEFAULT 0,
    -- The app's blacklist_seq up to which this agent has received the blacklist.
    blacklist_cursor BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX agents_app ON agents (app_name);

CREATE TABLE blacklist (
    app_name TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    -- When the IP was blacklisted (epoch seconds, the reporting agent's clock, never in the future).
    since BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    -- key_hash of the agent that reported it (NULL when added by an operator).
    reported_by TEXT,
    PRIMARY KEY (app_name, ip)
);

CREATE INDEX blacklist_app_seq ON blacklist (app_name, seq);
