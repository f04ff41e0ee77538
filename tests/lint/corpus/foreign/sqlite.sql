-- Statements MySQL 8.0 rejects, written for SQLite (sqlite.org/lang.html).
-- source: SQLite docs, lang_createtable / datatype3 | category: ddl
CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT) WITHOUT ROWID;
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT) STRICT;
CREATE TABLE t (a ANY);
CREATE TABLE t (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, name TEXT);
CREATE TEMP TABLE t (a INT);
CREATE VIRTUAL TABLE docs USING fts5(body);
CREATE TRIGGER IF NOT EXISTS trg AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END;
CREATE VIEW IF NOT EXISTS v AS SELECT 1 AS a;
CREATE INDEX IF NOT EXISTS ix_a ON t (a);
CREATE UNIQUE INDEX ix_b ON t (b) WHERE b IS NOT NULL;
ALTER TABLE t RENAME COLUMN a TO b, ADD COLUMN c INTEGER REFERENCES other;
CREATE TABLE track (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist (id) ON DELETE CASCADE);
ATTACH DATABASE 'other.db' AS other;
DETACH DATABASE other;
PRAGMA foreign_keys = ON;
VACUUM;
REINDEX t;
-- source: SQLite docs, lang_insert / lang_upsert | category: dml
INSERT OR REPLACE INTO t (id, a) VALUES (1, 2);
INSERT OR IGNORE INTO t (id, a) VALUES (1, 2);
INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET a = excluded.a;
INSERT INTO t DEFAULT VALUES;
REPLACE INTO t VALUES (1, 2) RETURNING id;
UPDATE OR IGNORE t SET a = 1;
UPDATE t SET a = s.a FROM s WHERE s.id = t.id;
DELETE FROM t WHERE id = 1 RETURNING *;
-- source: SQLite docs, lang_corefunc / lang_datefunc | category: missing-function
SELECT strftime('%Y-%m', created_at) FROM events;
SELECT date('now', '-1 day');
SELECT datetime('now', 'localtime');
SELECT julianday('now') - julianday(created_at) FROM events;
SELECT unixepoch('now');
SELECT ifnull(a, 0) AS ok, iif(a > 0, 'pos', 'neg') FROM t;
SELECT typeof(a) FROM t;
SELECT printf('%d items', n) FROM t;
SELECT substr(name, 2) AS ok, instr(name, 'a') AS ok2, total(amount) FROM t;
SELECT randomblob(16);
SELECT zeroblob(4);
SELECT changes();
SELECT last_insert_rowid();
SELECT likelihood(a = 1, 0.5) FROM t;
SELECT json_each.value FROM t, json_each(t.tags);
SELECT * FROM json_tree('{"a":1}');
SELECT json_group_array(name) FROM t;
SELECT glob('a*', name) FROM t;
-- source: SQLite docs, lang_expr | category: operator
SELECT * FROM t WHERE name GLOB 'a*';
SELECT * FROM t WHERE a IS NOT b;
SELECT * FROM t WHERE a IS b;
SELECT 'a' || 'b';
SELECT CAST(a AS TEXT) FROM t;
SELECT CAST(a AS INTEGER) FROM t;
SELECT * FROM t INDEXED BY ix_a;
SELECT * FROM t NOT INDEXED;
SELECT * FROM t LIMIT 10, 5 OFFSET 2;
SELECT rowid, * FROM t;
-- source: SQLite docs, lang_select / lang_with | category: from-source
SELECT * FROM (VALUES (1, 'a'), (2, 'b'));
VALUES (1, 'a'), (2, 'b');
SELECT * FROM generate_series(1, 10);
SELECT * FROM pragma_table_info('t');
WITH RECURSIVE c(x) AS (VALUES (1) UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c;
WITH c(x) AS MATERIALIZED (SELECT 1) SELECT x FROM c;
-- source: SQLite docs, lang_transaction | category: transaction
BEGIN DEFERRED TRANSACTION;
BEGIN IMMEDIATE;
BEGIN EXCLUSIVE;
END TRANSACTION;
SAVEPOINT s1; RELEASE s1;
