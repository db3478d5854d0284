-- ddb_fdw_forward(): a trigger forwards a local table's row changes to a
-- ddb_fdw foreign table, in the firing transaction.  What landed is read
-- from dynalite with test/helpers/ddb, outside PostgreSQL.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table orders_t id:N > /dev/null
-- the foreign table's id is bigint where the local one is integer (converted
-- through text); "internal" stays local, "note" exists only in DynamoDB's shape
CREATE FOREIGN TABLE orders_ddb (id bigint, customer text, amount numeric, note text)
  SERVER ddb OPTIONS ("table-name" 'orders_t', "sink.ignore-nulls" 'true');
CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2), internal text);
CREATE TRIGGER orders_forward AFTER INSERT OR UPDATE OR DELETE ON orders
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');

INSERT INTO orders VALUES (1, 'ann', 10.50, 'x'), (2, 'bob', 20, 'y'), (3, 'cy', 30, 'z');
:ddb dump orders_t
-- an update puts the new row; an update of the key deletes the old item
UPDATE orders SET amount = 11 WHERE id = 1;
UPDATE orders SET id = 4 WHERE id = 2;
DELETE FROM orders WHERE id = 3;
:ddb dump orders_t

-- several changes of one key in a transaction: DynamoDB ends as the table does
BEGIN;
INSERT INTO orders VALUES (5, 'dee', 50, NULL);
UPDATE orders SET amount = 55 WHERE id = 5;
DELETE FROM orders WHERE id = 5;
INSERT INTO orders VALUES (6, 'eve', 60, NULL);
UPDATE orders SET id = 7 WHERE id = 6;
UPDATE orders SET id = 6 WHERE id = 7;
COMMIT;
:ddb dump orders_t
SELECT id, customer, amount FROM orders ORDER BY id;

-- a rolled-back transaction forwards nothing, a savepoint drops its part
BEGIN;
DELETE FROM orders;
ROLLBACK;
BEGIN;
INSERT INTO orders VALUES (8, 'fay', 80, NULL);
SAVEPOINT s;
DELETE FROM orders WHERE id = 1;
ROLLBACK TO SAVEPOINT s;
COMMIT;
:ddb dump orders_t | grep -cE '"id":\{"N":"(1|8)"\}'

-- TRUNCATE cannot be forwarded: it fails, and nothing is truncated
CREATE TRIGGER orders_truncate AFTER TRUNCATE ON orders
  FOR EACH STATEMENT EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');
TRUNCATE orders;
SELECT count(*) FROM orders;
DROP TRIGGER orders_truncate ON orders;

-- misuse is refused with a hint
CREATE TABLE misuse (id int);
CREATE TRIGGER misuse_before BEFORE INSERT ON misuse
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders_ddb');
INSERT INTO misuse VALUES (1);
DROP TRIGGER misuse_before ON misuse;
CREATE TRIGGER misuse_noarg AFTER INSERT ON misuse
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward();
INSERT INTO misuse VALUES (1);
DROP TRIGGER misuse_noarg ON misuse;
CREATE TRIGGER misuse_local AFTER INSERT ON misuse
  FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('orders');
INSERT INTO misuse VALUES (1);
DROP TRIGGER misuse_local ON misuse;
SELECT ddb_fdw_forward();

-- the role that changes the local table needs privileges on the foreign table
CREATE ROLE forward_user;
GRANT ALL ON orders TO forward_user;
CREATE USER MAPPING FOR forward_user SERVER ddb OPTIONS (
  "aws.credentials.basic.accesskeyid" 'fwd', "aws.credentials.basic.secretkey" 'fwd');
SET ROLE forward_user;
INSERT INTO orders VALUES (9, 'gus', 90, NULL);
RESET ROLE;
GRANT INSERT ON orders_ddb TO forward_user;
SET ROLE forward_user;
INSERT INTO orders VALUES (9, 'gus', 90, NULL);
DELETE FROM orders WHERE id = 9;
RESET ROLE;
GRANT DELETE ON orders_ddb TO forward_user;
SET ROLE forward_user;
DELETE FROM orders WHERE id = 9;
RESET ROLE;
:ddb dump orders_t

DROP TABLE orders, misuse;
DROP SERVER ddb CASCADE;
DROP ROLE forward_user;
