-- Statements MySQL 8.0 rejects, written for BigQuery (GoogleSQL reference).
-- source: BigQuery docs, UNNEST and table functions | category: from-source
SELECT x FROM UNNEST([1, 2, 3]) AS x;
SELECT e.id, tag FROM events AS e, UNNEST(e.tags) AS tag;
SELECT e.id, tag FROM events AS e CROSS JOIN UNNEST(e.tags) AS tag WITH OFFSET AS pos;
SELECT d FROM UNNEST(GENERATE_DATE_ARRAY('2026-01-01', '2026-01-31')) AS d;
SELECT * FROM events FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR);
SELECT * FROM ML.PREDICT(MODEL `dataset.model`, TABLE events);
-- source: BigQuery docs, types and literals | category: array
SELECT [1, 2, 3] AS numbers;
SELECT ARRAY<INT64>[1, 2];
SELECT STRUCT(1 AS a, 'x' AS b);
SELECT tags[OFFSET(0)] FROM events;
SELECT tags[SAFE_OFFSET(1)] FROM events;
SELECT ARRAY(SELECT x FROM UNNEST([1, 2]) AS x);
-- source: BigQuery docs, functions | category: missing-function
SELECT SAFE_CAST(code AS INT64) FROM rooms;
SELECT SAFE_DIVIDE(a, b) FROM t;
SELECT IFNULL(a, 0) AS ok, COUNTIF(a > 0) FROM t;
SELECT FORMAT_DATE('%Y-%m', created_at) FROM events;
SELECT PARSE_DATE('%Y%m%d', '20260101');
SELECT PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S', ts) FROM raw;
SELECT DATE_DIFF(end_date, start_date, DAY) FROM contracts;
SELECT TIMESTAMP_DIFF(end_ts, start_ts, SECOND) FROM calls;
SELECT DATETIME_ADD(ts, INTERVAL 1 DAY) FROM events;
SELECT TIMESTAMP_TRUNC(ts, HOUR) FROM events;
SELECT DATE_TRUNC(created_at, MONTH) FROM events;
SELECT GENERATE_UUID();
SELECT FARM_FINGERPRINT(name) FROM rooms;
SELECT ARRAY_LENGTH(tags) FROM events;
SELECT ARRAY_TO_STRING(tags, ',') FROM events;
SELECT STRING_AGG(name, ',') FROM rooms;
SELECT APPROX_QUANTILES(amount, 4) FROM payments;
SELECT LOGICAL_AND(paid) FROM invoices;
SELECT ANY_VALUE(name) AS ok, ARRAY_CONCAT_AGG(tags) FROM events;
SELECT STARTS_WITH(name, 'a') FROM rooms;
SELECT ENDS_WITH(name, 'a') FROM rooms;
SELECT REGEXP_CONTAINS(name, r'^a') FROM rooms;
SELECT REGEXP_EXTRACT(name, r'\d+') FROM rooms;
SELECT JSON_EXTRACT_SCALAR(payload, '$.id') FROM events;
SELECT JSON_VALUE_ARRAY(payload, '$.tags') FROM events;
SELECT TO_JSON_STRING(t) FROM events AS t;
SELECT SHA256(name) FROM rooms;
SELECT SESSION_USER() AS ok, CURRENT_DATETIME();
SELECT DIV(7, 2);
SELECT IEEE_DIVIDE(a, b) FROM t;
SELECT UNIX_SECONDS(ts) FROM events;
SELECT EXTRACT(DAYOFWEEK FROM ts) FROM events;
SELECT EXTRACT(ISOWEEK FROM ts) FROM events;
SELECT EXTRACT(DAYOFYEAR FROM ts) FROM events;
SELECT EXTRACT(DATE FROM ts) FROM events;
SELECT LAST_DAY(created_at, MONTH) FROM events;
-- source: BigQuery docs, query syntax | category: select
SELECT * EXCEPT (payload) FROM events;
SELECT * REPLACE (UPPER(name) AS name) FROM rooms;
SELECT AS STRUCT 1 AS a;
SELECT AS VALUE 1;
SELECT * FROM events QUALIFY ROW_NUMBER() OVER (PARTITION BY id) = 1;
SELECT * FROM events WINDOW w AS (PARTITION BY id) QUALIFY RANK() OVER w = 1;
SELECT id FROM a EXCEPT DISTINCT SELECT id FROM b;
SELECT id FROM a INTERSECT DISTINCT SELECT id FROM b;
SELECT * FROM events TABLESAMPLE SYSTEM (10 PERCENT);
SELECT * FROM sales PIVOT (SUM(amount) FOR quarter IN ('Q1', 'Q2'));
-- source: BigQuery docs, DDL/DML | category: ddl
CREATE TABLE dataset.events (id INT64, payload JSON, tags ARRAY<STRING>);
CREATE TABLE dataset.events (id INT64) PARTITION BY DATE(ts) CLUSTER BY id;
CREATE OR REPLACE TABLE dataset.events AS SELECT 1 AS id;
CREATE TEMP FUNCTION add_one(x INT64) AS (x + 1);
CREATE TABLE dataset.events (id INT64, name STRING(10), n NUMERIC, big BIGNUMERIC);
CREATE TABLE dataset.events (id INT64, loc GEOGRAPHY, at DATETIME, raw BYTES);
CREATE SCHEMA IF NOT EXISTS dataset OPTIONS (location = 'US');
CREATE TABLE dataset.t (a INT64) OPTIONS (expiration_timestamp = TIMESTAMP '2026-01-01');
MERGE dataset.t T USING dataset.s S ON T.id = S.id WHEN MATCHED THEN DELETE;
DELETE dataset.events WHERE TRUE;
EXPORT DATA OPTIONS (uri = 'gs://b/*.csv', format = 'CSV') AS SELECT 1;
-- source: BigQuery docs, DCL | category: grant
GRANT `roles/bigquery.dataViewer` ON SCHEMA dataset TO "user:alice@example.com";
REVOKE `roles/bigquery.dataViewer` ON TABLE dataset.t FROM "group:g@example.com";
GRANT `roles/bigquery.dataEditor` ON TABLE dataset.t TO 'etl'@'%';
-- source: BigQuery docs, procedural language | category: procedural
DECLARE x INT64 DEFAULT 0;
BEGIN SELECT 1; EXCEPTION WHEN ERROR THEN SELECT @@error.message; END;
SET x = (SELECT 1); IF x > 0 THEN SELECT 'pos'; END IF;
ASSERT (SELECT COUNT(*) FROM events) > 0 AS 'events must exist';
FOR row IN (SELECT id FROM events) DO SELECT row.id; END FOR;
