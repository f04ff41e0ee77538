-- Statements MySQL 8.0 rejects, or runs with another meaning than their author's
-- (category silent-*), written for PostgreSQL. A `-- source:` line labels the
-- statements after it: where the construct is documented, and its category.
-- source: PostgreSQL 16 manual, 8.16 / 9.2 (:: cast) | category: cast
SELECT NULL::date AS valid_to FROM tenants;
SELECT id::text FROM rooms;
SELECT '2026-01-01'::timestamp + '1 day'::interval;
SELECT amount::numeric(10,2) FROM payments;
SELECT payload::jsonb -> 'id' FROM events;
SELECT count(*)::int FROM tenants;
-- source: PostgreSQL 16 manual, 9.4 (|| concatenation) | category: silent-pipe-concat
SELECT first_name || ' ' || last_name AS full_name FROM tenants;
SELECT 'room-' || room_no FROM rooms;
UPDATE tenants SET display_name = last_name || ', ' || first_name;
-- source: PostgreSQL 16 manual, 7.2.1.1 joined tables | category: full-join
SELECT a.id, b.id FROM a FULL OUTER JOIN b ON a.id = b.id;
SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.id;
SELECT * FROM a FULL OUTER JOIN b USING (id);
-- source: PostgreSQL 16 manual, SELECT DISTINCT ON | category: distinct-on
SELECT DISTINCT ON (tenant_id) tenant_id, status FROM status_history ORDER BY tenant_id, valid_from DESC;
SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a, b, c;
-- source: PostgreSQL 16 manual, 4.2.7 aggregate FILTER | category: aggregate-filter
SELECT COUNT(*) FILTER (WHERE status = 'active') AS active FROM tenants;
SELECT SUM(amount) FILTER (WHERE paid) FROM invoices;
-- source: PostgreSQL 16 manual, 9.2 IS DISTINCT FROM | category: distinct-from
SELECT * FROM a JOIN b ON a.code IS NOT DISTINCT FROM b.code;
SELECT * FROM a WHERE a.code IS DISTINCT FROM 'x';
-- source: PostgreSQL 16 manual, 7.5 ORDER BY NULLS | category: nulls-order
SELECT * FROM moveouts ORDER BY moveout_date NULLS LAST;
SELECT * FROM moveouts ORDER BY moveout_date DESC NULLS FIRST;
SELECT name, ROW_NUMBER() OVER (ORDER BY score DESC NULLS LAST) FROM players;
-- source: PostgreSQL 16 manual, 7.6 LIMIT ALL / FETCH | category: limit
SELECT * FROM tenants LIMIT ALL;
SELECT a FROM t FETCH FIRST 10 ROWS ONLY;
SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 5 ROWS ONLY;
SELECT a FROM t OFFSET 10;
-- source: PostgreSQL 16 manual, 8.5.4 interval input | category: string-interval
SELECT INTERVAL '1 day' FROM tenants;
SELECT moveout_date - INTERVAL '30 days' AS notice_date FROM moveouts;
SELECT now() - interval '2 hours';
SELECT * FROM events WHERE created_at > current_date - interval '1 week';
-- source: PostgreSQL 16 manual, 9.9.1 EXTRACT fields | category: extract-unit
SELECT EXTRACT(EPOCH FROM created_at) FROM events;
SELECT EXTRACT(DOW FROM created_at) FROM events;
SELECT EXTRACT(ISODOW FROM created_at) FROM events;
SELECT EXTRACT(DOY FROM created_at) FROM events;
SELECT EXTRACT(CENTURY FROM created_at) FROM events;
SELECT EXTRACT(MILLENNIUM FROM created_at) FROM events;
SELECT EXTRACT(DECADE FROM created_at) FROM events;
SELECT EXTRACT(TIMEZONE FROM created_at) FROM events;
SELECT EXTRACT(TIMEZONE_HOUR FROM created_at) FROM events;
SELECT EXTRACT(ISOYEAR FROM created_at) FROM events;
SELECT EXTRACT(MILLISECONDS FROM created_at) FROM events;
SELECT EXTRACT(JULIAN FROM created_at) FROM events;
SELECT date_part('epoch', created_at) FROM events;
-- source: PostgreSQL 16 manual, 9 functions | category: missing-function
SELECT DATE_TRUNC('month', moved_in_at) AS month FROM movings;
SELECT STRING_AGG(room_no, ',') AS rooms FROM movings;
SELECT ARRAY_AGG(room_no) FROM rooms;
SELECT TO_CHAR(moved_in_at, 'YYYY-MM') FROM movings;
SELECT SPLIT_PART(email, '@', 2) FROM tenants;
SELECT AGE(moved_out_at, moved_in_at) FROM movings;
SELECT to_timestamp(epoch_seconds) FROM events;
SELECT initcap(name) FROM tenants;
SELECT btrim(code, 'x') FROM rooms;
SELECT strpos(email, '@') FROM tenants;
SELECT regexp_split_to_array(tags, ',') FROM posts;
SELECT array_length(tags, 1) FROM posts;
SELECT justify_hours(duration) FROM calls;
SELECT make_interval(days => 3);
SELECT gen_random_uuid();
SELECT clock_timestamp();
SELECT string_to_array(tags, ',') FROM posts;
SELECT jsonb_build_object('id', id) FROM rooms;
SELECT json_agg(room_no) FROM rooms;
SELECT jsonb_array_elements_text(tags) FROM posts;
SELECT to_tsvector('english', body) FROM posts;
SELECT date_bin('15 minutes', ts, TIMESTAMP '2001-01-01') FROM readings;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM payments;
SELECT mode() WITHIN GROUP (ORDER BY status) FROM tenants;
SELECT bool_and(paid) FROM invoices;
SELECT every(paid) FROM invoices;
SELECT gcd(a, b), lcm(a, b) FROM t;
SELECT pg_sleep(1);
SELECT current_setting('TimeZone');
SELECT setseed(0.5);
SELECT to_number('12,454.8-', '99G999D9S');
-- source: PostgreSQL 16 manual, 7.2.1.4 table functions / 9.19 | category: from-source
SELECT * FROM generate_series(1, 10);
SELECT * FROM generate_series('2026-01-01'::date, '2026-01-31'::date, '1 day');
SELECT * FROM unnest(ARRAY[1, 2, 3]) AS x(n);
SELECT t.id, u.tag FROM posts AS t, unnest(t.tags) AS u(tag);
SELECT * FROM unnest(ARRAY['a', 'b']) WITH ORDINALITY AS t(v, n);
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS t (num, word);
SELECT * FROM (VALUES (1), (2)) v(x);
SELECT * FROM rooms TABLESAMPLE SYSTEM (10);
SELECT * FROM rooms TABLESAMPLE BERNOULLI (5) REPEATABLE (42);
SELECT * FROM jsonb_to_recordset('[{"a":1}]') AS x(a int);
-- source: PostgreSQL 16 manual, 8.15 arrays | category: array
SELECT id FROM tenants WHERE tags @> ARRAY['x'];
SELECT ARRAY[1, 2, 3];
SELECT tags[1] FROM posts;
SELECT * FROM posts WHERE 'x' = ANY(tags);
SELECT * FROM rooms WHERE id = ANY(ARRAY[1, 2]);
SELECT * FROM contracts WHERE status <> ALL(closed_statuses);
SELECT * FROM rooms WHERE tenant_id = SOME(tenant_ids);
SELECT * FROM users WHERE 'admin' = ANY(roles) AND active;

-- source: PostgreSQL 16 manual, 9.7 pattern matching / 9.16 JSON operators | category: operator
SELECT * FROM tenants WHERE name ILIKE 'tan%';
SELECT * FROM tenants WHERE name ~* 'tan';
SELECT * FROM tenants WHERE name ~ '^T';
SELECT * FROM tenants WHERE name !~ '^T';
SELECT * FROM tenants WHERE name SIMILAR TO '%(a|b)%';
SELECT NOW() AT TIME ZONE 'UTC' AS utc_now;
SELECT payload ->> 'id' FROM events WHERE payload ? 'id';
SELECT |/ 25.0;
-- source: PostgreSQL 16 manual, 4.2.3 / 4.1.2.4 literals and quoting | category: double-quotes
SELECT "status" FROM tenants;
SELECT * FROM "tenants";
SELECT t."status" FROM tenants AS t;
SELECT * FROM tenants WHERE "status" = 'active';
SELECT * FROM public."Tenants" JOIN "Rooms" ON "Rooms".tenant_id = "Tenants".id;
-- source: PostgreSQL 16 manual, DML RETURNING / ON CONFLICT | category: dml
INSERT INTO t (a) VALUES (1) RETURNING id;
UPDATE rooms SET rent = rent * 1.1 RETURNING id, rent;
DELETE FROM rooms WHERE archived RETURNING *;
INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a;
INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT DO NOTHING;
UPDATE rooms r SET rent = n.rent FROM new_rents n WHERE n.id = r.id;
MERGE INTO rooms r USING new_rooms n ON r.id = n.id WHEN MATCHED THEN UPDATE SET rent = n.rent;
TRUNCATE rooms RESTART IDENTITY CASCADE;
COPY rooms FROM '/tmp/rooms.csv' WITH (FORMAT csv);
-- source: PostgreSQL 16 manual, 8 data types in DDL | category: column-type
CREATE TABLE events (id SERIAL PRIMARY KEY, payload JSONB);
CREATE TABLE events (id BIGSERIAL PRIMARY KEY);
CREATE TABLE events (id SMALLSERIAL PRIMARY KEY);
CREATE TABLE events (id INT, created_at TIMESTAMPTZ);
CREATE TABLE events (id INT, created_at TIMESTAMP WITH TIME ZONE);
CREATE TABLE files (id INT, body BYTEA);
CREATE TABLE users (id UUID PRIMARY KEY);
CREATE TABLE users (id INT, name VARCHAR);
CREATE TABLE users (id INT, tags TEXT[]);
CREATE TABLE users (id INT, ip INET);
CREATE TABLE users (id INT, score DOUBLE PRECISION[]);
CREATE TABLE users (id INT, d INTERVAL);
CREATE TABLE users (id INT, amount MONEY);
CREATE TABLE users (id INT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE users (id INT, active BOOLEAN DEFAULT TRUE, name CHARACTER VARYING);
ALTER TABLE users ADD COLUMN created_at TIMESTAMPTZ DEFAULT now();
ALTER TABLE users ALTER COLUMN name TYPE TEXT;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
-- source: PostgreSQL 16 manual, DDL | category: ddl
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL REFERENCES customers (id));
CREATE TABLE IF NOT EXISTS t (LIKE other INCLUDING ALL);
CREATE UNLOGGED TABLE staging (a INT);
CREATE TEMP TABLE scratch AS SELECT 1 AS a;
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;
REFRESH MATERIALIZED VIEW mv;
CREATE SCHEMA IF NOT EXISTS analytics AUTHORIZATION dbt;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SEQUENCE tenant_seq START WITH 1;
CREATE INDEX CONCURRENTLY idx_a ON t (a);
CREATE INDEX idx_b ON t USING gin (tags);
CREATE INDEX idx_c ON t (a) WHERE archived = false;
COMMENT ON TABLE rooms IS 'rooms of a building';
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
VACUUM ANALYZE rooms;
-- source: PostgreSQL 16 manual, GRANT/REVOKE | category: grant
GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO analyst;
GRANT USAGE ON SCHEMA analytics TO analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO analyst;
GRANT USAGE ON SEQUENCE tenant_seq TO analyst;
GRANT CONNECT ON DATABASE warehouse TO analyst;
-- source: PostgreSQL 16 manual, 43 PL/pgSQL DO blocks | category: procedural
DO $$ BEGIN RAISE NOTICE 'hi'; END $$;
DECLARE c CURSOR FOR SELECT * FROM rooms;
-- source: PostgreSQL 16 manual, 7.8 WITH | category: cte
WITH moved AS MATERIALIZED (SELECT * FROM movings) SELECT * FROM moved;
WITH d AS (DELETE FROM rooms WHERE archived RETURNING *) SELECT count(*) FROM d;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SEARCH DEPTH FIRST BY n SET ord SELECT * FROM t;
-- source: PostgreSQL 16 manual, 3.5 window functions | category: window
SELECT a, SUM(b) OVER (ORDER BY a GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t;
SELECT a, SUM(b) OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM t;
SELECT a, AVG(b) OVER (ORDER BY a GROUPS UNBOUNDED PRECEDING) FROM t;
SELECT a, COUNT(*) OVER (ORDER BY a RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM t;
SELECT a, SUM(b) OVER w FROM t WINDOW w AS (ORDER BY a ROWS UNBOUNDED PRECEDING EXCLUDE GROUP);
-- source: PostgreSQL 16 manual, SELECT locking and misc | category: select
SELECT * FROM rooms FOR NO KEY UPDATE;
SELECT * FROM rooms FOR KEY SHARE;
TABLE rooms ORDER BY id LIMIT 5 OFFSET 2 ROWS;
SELECT a, b FROM t GROUP BY CUBE (a, b);
SELECT a, b FROM t GROUP BY GROUPING SETS ((a), (b));
SELECT 1 WHERE TRUE IS UNKNOWN OR 1 BETWEEN SYMMETRIC 2 AND 0;
