"""Versioned schema migrations, tracked in SQLite's ``user_version``.

Each migration is a list of statements applied in one transaction. Never edit a released
migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: points, ingest history, source health, bookmarks, alert state.
    [
        """CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            store TEXT NOT NULL,
            grain TEXT NOT NULL,
            metric TEXT NOT NULL,
            channel TEXT NOT NULL,
            campaign TEXT NOT NULL,
            sku TEXT NOT NULL,
            level INTEGER NOT NULL,
            UNIQUE (store, grain, metric, channel, campaign, sku)
        )""",
        # One row per (series, period start). WITHOUT ROWID clusters a series' points by
        # time, so that a panel's range scan reads contiguous pages.
        """CREATE TABLE points (
            series_id INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            value REAL NOT NULL,
            ingest_id INTEGER,
            revision INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (series_id, ts)
        ) WITHOUT ROWID""",
        """CREATE TABLE ingests (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            origin TEXT NOT NULL,
            format TEXT NOT NULL DEFAULT '',
            store TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            rows INTEGER NOT NULL DEFAULT 0,
            points INTEGER NOT NULL DEFAULT 0,
            period_start INTEGER,
            period_end INTEGER,
            message TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX ingests_by_time ON ingests (started_at)",
        """CREATE TABLE source_health (
            source TEXT NOT NULL,
            store TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            since TEXT NOT NULL,
            last_ok TEXT,
            updated_at TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (source, store)
        )""",
        """CREATE TABLE bookmarks (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (source, key)
        )""",
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL,
            store TEXT NOT NULL DEFAULT '',
            scope TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,
            severity TEXT NOT NULL,
            value REAL,
            threshold REAL,
            message TEXT NOT NULL DEFAULT '',
            labels TEXT NOT NULL DEFAULT '{}',
            pending_since TEXT,
            fired_at TEXT,
            resolved_at TEXT,
            last_notified_at TEXT,
            last_notified_state TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (rule, store, scope, pending_since)
        )""",
        "CREATE INDEX alerts_by_state ON alerts (state, updated_at)",
        """CREATE TABLE alert_acks (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            by TEXT NOT NULL,
            at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE silences (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL DEFAULT '',
            store TEXT NOT NULL DEFAULT '',
            scope TEXT NOT NULL DEFAULT '',
            until TEXT NOT NULL,
            by TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ],
    # 2: alert details and last observation; open alerts by identity; notification log.
    [
        "ALTER TABLE alerts ADD COLUMN detail TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE alerts ADD COLUMN last_seen TEXT",
        "CREATE INDEX alerts_by_identity ON alerts (rule, store, scope, state)",
        "CREATE INDEX ingests_by_store ON ingests (store, id)",
        """CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            notifier TEXT NOT NULL,
            status TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            alert_ids TEXT NOT NULL DEFAULT '[]',
            error TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX notifications_by_time ON notifications (at)",
    ],
    # 3: messages waiting for a notifier that has not taken them yet (kept across restarts).
    [
        """CREATE TABLE IF NOT EXISTS alert_outbox (
            id INTEGER PRIMARY KEY,
            notifier TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at TEXT NOT NULL,
            error TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL
        )""",
        "CREATE INDEX alert_outbox_by_notifier ON alert_outbox (notifier, id)",
    ],
    # 4: the names platforms give campaigns and products (the newest wins).
    [
        """CREATE TABLE names (
            store TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (store, kind, key)
        )""",
    ],
    # 5: a term (customer search term, keyword) below the campaign: a dimension of the
    # series, "" for none. SQLite cannot widen a UNIQUE constraint: the table is rebuilt
    # with the same ids.
    [
        """CREATE TABLE series_new (
            id INTEGER PRIMARY KEY,
            store TEXT NOT NULL,
            grain TEXT NOT NULL,
            metric TEXT NOT NULL,
            channel TEXT NOT NULL,
            campaign TEXT NOT NULL,
            sku TEXT NOT NULL,
            level INTEGER NOT NULL,
            term TEXT NOT NULL DEFAULT '',
            UNIQUE (store, grain, metric, channel, campaign, sku, term)
        )""",
        "INSERT INTO series_new (id, store, grain, metric, channel, campaign, sku, level) "
        "SELECT id, store, grain, metric, channel, campaign, sku, level FROM series",
        "DROP TABLE series",
        "ALTER TABLE series_new RENAME TO series",
    ],
    # 6: a traffic source (生意参谋's 二级来源: 手淘搜索, 手淘推荐, 直通车, …) below the
    # channel: a dimension of the series, "" for none. Rebuilt as in 5, with the same ids.
    [
        """CREATE TABLE series_new (
            id INTEGER PRIMARY KEY,
            store TEXT NOT NULL,
            grain TEXT NOT NULL,
            metric TEXT NOT NULL,
            channel TEXT NOT NULL,
            campaign TEXT NOT NULL,
            sku TEXT NOT NULL,
            level INTEGER NOT NULL,
            term TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            UNIQUE (store, grain, metric, channel, campaign, sku, term, source)
        )""",
        "INSERT INTO series_new (id, store, grain, metric, channel, campaign, sku, level, term) "
        "SELECT id, store, grain, metric, channel, campaign, sku, level, term FROM series",
        "DROP TABLE series",
        "ALTER TABLE series_new RENAME TO series",
    ],
    # 7: a keyword (a targeted keyword or product target of Amazon's targeting report, a
    # Google Ads keyword) below the campaign, beside the customer search terms it matched:
    # a dimension of the series, "" for none. Rebuilt as in 5, with the same ids.
    [
        """CREATE TABLE series_new (
            id INTEGER PRIMARY KEY,
            store TEXT NOT NULL,
            grain TEXT NOT NULL,
            metric TEXT NOT NULL,
            channel TEXT NOT NULL,
            campaign TEXT NOT NULL,
            sku TEXT NOT NULL,
            level INTEGER NOT NULL,
            term TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            keyword TEXT NOT NULL DEFAULT '',
            UNIQUE (store, grain, metric, channel, campaign, sku, term, source, keyword)
        )""",
        "INSERT INTO series_new (id, store, grain, metric, channel, campaign, sku, level, term, "
        "source) SELECT id, store, grain, metric, channel, campaign, sku, level, term, source "
        "FROM series",
        "DROP TABLE series",
        "ALTER TABLE series_new RENAME TO series",
    ],
    # 8: targets loaded from plan sheets (store, metric, scope, whole local days, goal).
    [
        """CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            store TEXT NOT NULL,
            metric TEXT NOT NULL,
            scope TEXT NOT NULL DEFAULT '',
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL,
            period TEXT NOT NULL,
            value REAL NOT NULL,
            direction TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '',
            ingest_id INTEGER,
            updated_at TEXT NOT NULL,
            UNIQUE (store, metric, scope, first_day, last_day)
        )""",
    ],
    # 9: the identity of a loaded file (size, modification time, inode, SHA-256 of the bytes
    # loaded, where it was kept), so that a file its writer went on with after the load is
    # read again whole, also after a restart.
    [
        "ALTER TABLE ingests ADD COLUMN file_size INTEGER",
        "ALTER TABLE ingests ADD COLUMN file_mtime_ns INTEGER",
        "ALTER TABLE ingests ADD COLUMN file_inode INTEGER",
        "ALTER TABLE ingests ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE ingests ADD COLUMN kept_at TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX ingests_by_source ON ingests (source, finished_at)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
