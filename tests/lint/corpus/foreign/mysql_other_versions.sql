-- Statements the MySQL 8.0.28 target rejects: newer MySQL features, and MySQL 5.7
-- syntax that 8.0 removed (MySQL 8.0 reference manual, "Features Removed in MySQL 8.0").
-- source: MySQL 8.0 manual 13.2.4 EXCEPT / 13.2.8 INTERSECT (8.0.31) | category: version
SELECT tenant_id FROM contracts EXCEPT SELECT tenant_id FROM moveouts;
SELECT tenant_id FROM contracts INTERSECT SELECT tenant_id FROM moveouts;
SELECT a FROM t EXCEPT ALL SELECT a FROM u;
(SELECT a FROM t) INTERSECT (SELECT a FROM u) ORDER BY a;
-- source: MySQL 8.0 manual 1.4 features removed in 8.0 | category: removed-in-8
SELECT SQL_CACHE id FROM rooms;
SELECT id, COUNT(*) FROM rooms GROUP BY id DESC;
SELECT id, COUNT(*) FROM rooms GROUP BY id ASC WITH ROLLUP;
SELECT tenant_id, room_id, COUNT(*) FROM bookings GROUP BY tenant_id DESC, room_id;
SELECT YEAR(d) AS y, SUM(amount) FROM payments GROUP BY y DESC WITH ROLLUP;
SELECT PASSWORD('secret');
SELECT ENCRYPT('secret', 'salt');
SELECT ENCODE('secret', 'key');
SELECT DES_ENCRYPT('secret');
SELECT DES_DECRYPT(x) FROM t;
GRANT SELECT ON db.* TO 'u'@'%' IDENTIFIED BY 'secret';
SELECT GLENGTH(g) FROM shapes;
SELECT ASTEXT(g) FROM shapes;
SELECT CONTAINS(a, b) FROM shapes;
CREATE TABLE t (a INT) ENGINE = InnoDB TYPE = MyISAM;
SET PASSWORD FOR 'u'@'%' = PASSWORD('x');
SELECT * FROM t PROCEDURE ANALYSE();
-- source: MySQL 8.0 manual 13.1.20.5 foreign keys / misc | category: ddl
CREATE TABLE t (id INT, body TEXT DEFAULT 'none');
CREATE TABLE t (id INT, doc JSON DEFAULT '{}');
CREATE TABLE t (id INT, b BLOB DEFAULT '');
CREATE TABLE t (id INT, name VARCHAR);
CREATE TABLE t (id INT, name NVARCHAR);
CREATE TABLE t (id INT, c CHARACTER VARYING);
CREATE TABLE t (id BIGSERIAL);
CREATE TABLE t (id INT, created TIMESTAMPTZ);
CREATE TABLE t (id INT, raw BYTEA);
CREATE TABLE t (id INT, u UUID NOT NULL DEFAULT (UUID()));
CREATE TABLE t (id INT, ts TIMESTAMP(3) WITH TIME ZONE);
CREATE TABLE t (id INT, tags JSONB);
CREATE TABLE t (id INT, s STRING);
ALTER TABLE t ADD COLUMN u UUID;
ALTER TABLE t MODIFY COLUMN name VARCHAR;
SELECT rows FROM import_stats;
SELECT groups, rank FROM import_stats;
SELECT system FROM hosts;
SELECT a FROM t AS window;
CREATE TABLE t (id INT, lateral INT);
