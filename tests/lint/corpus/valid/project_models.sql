-- Valid MySQL 8.0.28 from this project's models, hooks and macros.
-- source: dbt-safeguard lint corpus v1 (reference project models) | category: project
SELECT CAST(NULL AS DATE) AS valid_to FROM tenants;
SELECT CONCAT(first_name, ' ', last_name) AS full_name FROM tenants;
SELECT a.id, b.id FROM a LEFT JOIN b ON a.id = b.id UNION ALL SELECT a.id, b.id FROM a RIGHT JOIN b ON a.id = b.id WHERE a.id IS NULL;
SELECT tenant_id, status FROM (SELECT tenant_id, status, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY valid_from DESC) AS rn FROM status_history) AS ranked WHERE rn = 1;
SELECT SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active FROM tenants;
SELECT * FROM a JOIN b ON a.code <=> b.code;
SELECT * FROM moveouts ORDER BY moveout_date IS NULL, moveout_date;
SELECT * FROM tenants LIMIT 10 OFFSET 20;
SELECT moveout_date - INTERVAL 30 DAY AS notice_date FROM moveouts;
SELECT DATE_ADD(moved_in_at, INTERVAL 1 MONTH) AS next_month FROM movings;
SELECT CAST(room_no AS SIGNED), CAST(amount AS DECIMAL(10, 2)), CAST(code AS CHAR(10)), CAST(ts AS DATETIME) FROM rooms;
SELECT CAST(a AS UNSIGNED INTEGER), CONVERT(b, CHAR), CONVERT(c USING utf8mb4) FROM t;
SELECT DATE_FORMAT(moved_in_at, '%Y-%m-01') AS month, GROUP_CONCAT(room_no ORDER BY room_no SEPARATOR ',') AS rooms FROM movings GROUP BY 1;
SELECT `status`, `order` FROM tenants WHERE name = 'Tanaka';
UPDATE status_history AS t1 INNER JOIN (SELECT DISTINCT tenant_id FROM status_history WHERE valid_from = CURDATE()) AS t2 ON t1.tenant_id = t2.tenant_id SET t1.valid_to = CURDATE();
UPDATE status_history SET valid_to = CURDATE() WHERE tenant_id IN (SELECT tenant_id FROM moveouts);
DELETE FROM rooms WHERE archived = 1;
DELETE r FROM rooms AS r INNER JOIN buildings AS b ON b.id = r.building_id WHERE b.closed = 1;
SELECT price * qty AS amount FROM order_lines HAVING amount > 100;
SELECT price * qty AS amount FROM order_lines ORDER BY amount DESC;
SELECT TRIM(name) AS name, UPPER(name) AS shout FROM tenants;
WITH history AS (SELECT tenant_id, valid_from AS effective_date FROM status_history) SELECT tenant_id, effective_date FROM history ORDER BY tenant_id, effective_date;
SELECT valid_from AS effective_date FROM status_history ORDER BY valid_from;
SELECT a AS x FROM t UNION ALL SELECT b FROM u ORDER BY x;
CREATE OR REPLACE VIEW active_tenants AS SELECT * FROM tenants WHERE status = 1;
CREATE TABLE IF NOT EXISTS notes (id INT PRIMARY KEY AUTO_INCREMENT, body TEXT DEFAULT (''), created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
DROP TABLE IF EXISTS silver.tenant_status_history_backup_20260206_070000;
RENAME TABLE silver.tenant_status_history TO silver.tenant_status_history_old, silver.tenant_status_history_new TO silver.tenant_status_history;
ALTER TABLE tenant_status_history ADD COLUMN backup_created_at DATETIME;
ALTER TABLE tenant_status_history DROP COLUMN backup_created_at;
SELECT JSON_VALUE(doc, '$.id' RETURNING UNSIGNED) AS id FROM events;
INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = VALUES(b);
INSERT INTO daily_summary (day, total) SELECT CURDATE(), COUNT(*) FROM contracts;
SELECT tenant_id, LAG(status) OVER (PARTITION BY tenant_id ORDER BY valid_from) AS previous_status FROM status_history;
WITH RECURSIVE days AS (SELECT CURDATE() AS d UNION ALL SELECT d + INTERVAL 1 DAY FROM days WHERE d < CURDATE() + INTERVAL 6 DAY) SELECT d FROM days;
SELECT IFNULL(a, 0), COALESCE(b, c), IF(d > 0, 'pos', 'neg'), NULLIF(e, 0) FROM t;
SELECT TIMESTAMPDIFF(DAY, moved_in_at, moved_out_at) AS stay_days FROM movings;
SELECT STR_TO_DATE('2026-02-06', '%Y-%m-%d') AS d, LAST_DAY(CURDATE()) AS month_end;
SELECT SUBSTRING_INDEX(email, '@', -1) AS domain, LOCATE('@', email) AS at_pos FROM tenants;
SELECT COUNT(DISTINCT tenant_id) AS tenants FROM contracts WHERE start_date >= CURDATE() - INTERVAL 7 DAY;
SELECT * FROM rooms WHERE name REGEXP '^[A-Z]' AND note LIKE '%quiet%';
SELECT tenant_id FROM contracts WHERE NOT EXISTS (SELECT 1 FROM moveouts AS m WHERE m.tenant_id = contracts.tenant_id);
SELECT c.tenant_id FROM contracts AS c LEFT JOIN moveouts AS m ON m.tenant_id = c.tenant_id WHERE m.tenant_id IS NULL;
SELECT * FROM t, LATERAL (SELECT MAX(v) AS top FROM u WHERE u.t_id = t.id) AS x;
CREATE INDEX idx_tenant ON status_history (tenant_id, valid_from);
SELECT JSON_ARRAYAGG(room_no) AS rooms, JSON_OBJECTAGG(k, v) AS attrs FROM rooms GROUP BY building_id;
INSERT INTO t (a) VALUES (1) AS new ON DUPLICATE KEY UPDATE a = new.a;
SELECT * FROM JSON_TABLE('[1,2]', '$[*]' COLUMNS (v INT PATH '$')) AS jt;
SELECT a, SUM(b) OVER w AS running FROM t WINDOW w AS (PARTITION BY a);
SELECT ANY_VALUE(b), a FROM t GROUP BY a WITH ROLLUP;
SELECT /*+ NO_MERGE(dt) */ * FROM (SELECT 1 AS a) AS dt;
SELECT JSON_EXTRACT(doc, '$.a'), doc->'$.a', doc->>'$.a' FROM t;
CREATE TABLE t2 LIKE t;
SELECT a FROM t ORDER BY a LIMIT 5, 10;
-- Valid MySQL 8 that sqlfluff 4.5's mysql dialect rejects: waived one line at a time.
-- The dialect lacks CHECKSUM TABLE.
CHECKSUM TABLE silver.tenant_status_history  -- noqa: PRS
;
-- The dialect lacks CAST ... CHARACTER SET.
SELECT CAST(name AS CHAR CHARACTER SET utf8mb4) FROM tenants  -- noqa: PRS
;
-- The dialect lacks the TABLE statement (MySQL 8.0.19).
TABLE silver.tenant_status_history  -- noqa: PRS
;
SELECT moveout_date - INTERVAL '1' DAY AS d, NOW() + INTERVAL '1:30' HOUR_MINUTE AS t FROM moveouts;
CREATE TABLE safeguard_notes (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(64) NOT NULL DEFAULT '', PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SELECT tenant_id, GROUP_CONCAT(DISTINCT room_id ORDER BY room_id SEPARATOR ', ') AS rooms FROM contracts GROUP BY tenant_id;
SELECT a, (SELECT MAX(b) FROM u WHERE u.a = t.a) AS m FROM t GROUP BY a;
SELECT a + 1 AS b, COUNT(*) AS n FROM t GROUP BY a;
SELECT CASE WHEN x > 0 THEN 'p' ELSE 'n' END AS sign, COUNT(*) AS n FROM t GROUP BY sign;
SELECT COUNT(*) AS n FROM t HAVING n > 1;
WITH c AS (SELECT a, b FROM t) SELECT a FROM c ORDER BY FIELD(b, 1, 2);
WITH c AS (SELECT a, b FROM t) SELECT a, COUNT(*) AS n FROM c GROUP BY a ORDER BY n DESC, a;
SELECT t.id, t.name FROM tenants AS t WHERE t.id IN (SELECT tenant_id FROM contracts GROUP BY tenant_id HAVING COUNT(*) > 1);
SELECT id, CASE WHEN status = 1 THEN 'a' END AS label FROM t WHERE status IN (1, 2) ORDER BY label;
INSERT INTO t (a, b) SELECT a, b FROM u ON DUPLICATE KEY UPDATE b = VALUES(b);
SELECT * FROM a LEFT JOIN b USING (id);
SELECT DATE_FORMAT(d, '%Y-%m') AS m, COUNT(*) AS n FROM t GROUP BY DATE_FORMAT(d, '%Y-%m');
SELECT x.tenant_id, MAX(x.valid_from) AS latest FROM history AS x GROUP BY x.tenant_id;
SELECT a AS x FROM t UNION SELECT b AS x FROM u ORDER BY x DESC LIMIT 5;
SELECT tenant_id, SUM(amount) AS total, SUM(amount) / COUNT(*) AS avg_amount FROM payments GROUP BY tenant_id;
DELETE FROM rooms WHERE id IN (SELECT id FROM (SELECT DISTINCT id FROM rooms WHERE archived = 1) AS gone);
