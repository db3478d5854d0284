-- The complete type mapping: one row per type and edge case, and the exact
-- item DynamoDB stored, dumped from outside PostgreSQL with test/helpers/ddb.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
SET timezone = 'Europe/Paris';
SET datestyle = 'SQL, DMY';
SET intervalstyle = 'postgres_verbose';

CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table types_all k:S > /dev/null
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE address AS (street text, number int, tags text[]);

-- numbers: N, exact, checked against DynamoDB's limits before anything is sent
CREATE FOREIGN TABLE t_num (k text, i2 smallint, i4 integer, i8 bigint, n numeric,
  r real, d double precision, m money, dom posint) SERVER ddb OPTIONS ("table-name" 'types_all');
INSERT INTO t_num VALUES ('min', -32768, -2147483648, -9223372036854775808,
  -12345678901234567890123456789012345678, -3.4e38, -1.7976931348623157e308 / 1e200, -92233720368547758.08, 1);
INSERT INTO t_num VALUES ('max', 32767, 2147483647, 9223372036854775807,
  99999999999999999999999999999999999999, 3.4e38, 1e125, 92233720368547758.07, 2147483647);
INSERT INTO t_num VALUES ('small', 0, 0, 0, 1e-130, 1.4e-45, -0.0, 0.01, 1);
INSERT INTO t_num VALUES ('scale', 0, 0, 0, 12.3400, 0.1, 0.1, 0, 1);
:ddb dump types_all
INSERT INTO t_num (k, n) VALUES ('too precise', 1234567890123456789012345678901234567.89);
INSERT INTO t_num (k, n) VALUES ('too big', 1e126);
INSERT INTO t_num (k, n) VALUES ('too small', 1e-131);
INSERT INTO t_num (k, d) VALUES ('nan', 'NaN');
INSERT INTO t_num (k, d) VALUES ('inf', '-Infinity');
INSERT INTO t_num (k, dom) VALUES ('domain', 0);

-- strings: S, as PostgreSQL stores them
:ddb create-table types_s k:S > /dev/null
CREATE FOREIGN TABLE t_str (k text, vc varchar(5), c char(5), nm name, u uuid, ip inet,
  net cidr, e mood, x xml, empty text) SERVER ddb OPTIONS ("table-name" 'types_s');
INSERT INTO t_str VALUES (E'unicode é ✓ 😀 \u0001 tab\t quote" back\\',
  'abc', 'ab', 'pg_class', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24',
  '10.0.0.0/8', 'happy', '<a>1</a>', '');
:ddb dump types_s
INSERT INTO t_str (k) VALUES ('');

-- date and time: ISO 8601 whatever DateStyle/IntervalStyle/TimeZone say; N as epoch seconds on request
:ddb create-table types_time k:S > /dev/null
CREATE FOREIGN TABLE t_time (k text, d date, t time, ttz timetz, ts timestamp, tstz timestamptz,
  iv interval, ttl timestamptz OPTIONS ("attribute-type" 'N'), dn date OPTIONS ("attribute-type" 'N'))
  SERVER ddb OPTIONS ("table-name" 'types_time');
INSERT INTO t_time VALUES ('t1', '2026-11-25', '17:30:05.25', '17:30:05+02', '2026-11-25 17:30:05.123456',
  '2026-11-25 18:30:05+01', '1 year 2 months 3 days 04:05:06.5', '2026-11-25 18:30:05.5+01', '1970-01-02');
INSERT INTO t_time VALUES ('t2', '4713-01-01 BC', '00:00', '00:00-11', '2000-01-01', 'infinity',
  '-1 day', '1969-12-31 23:59:59+00', '1969-12-31');
:ddb dump types_time
INSERT INTO t_time (k, ttl) VALUES ('t3', 'infinity');

-- documents: json and jsonb become M and L, numbers N; arrays L; composites M
:ddb create-table types_d k:S > /dev/null
CREATE FOREIGN TABLE t_doc (k text, j json, jb jsonb, jtext jsonb OPTIONS ("attribute-type" 'S'),
  a int[], a2 text[], ad address, ab bool[]) SERVER ddb OPTIONS ("table-name" 'types_d');
INSERT INTO t_doc VALUES ('d1', '{"b": [1, 2.50, "x", null, true, {"c": {}}], "a": []}',
  '{"z": {"y": [[], [1e-5]]}, "s": "é", "n": -0}', '{"kept": "as text"}',
  '{1, NULL, 3}', '{{a, b}, {c, NULL}}', ROW('Main St', 12, '{x, y}'), '{}');
INSERT INTO t_doc (k, jb) VALUES ('d2', '"just a string"'), ('d3', '42'), ('d4', 'null');
:ddb dump types_d
-- the same values through boto3's TypeSerializer give the same item
\! d1=$("$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL" dump types_d | grep '"S":"d1"'); /usr/bin/python3 "$DDB_TEST"/boto3_compare.py "$d1" '{"a": [1, null, 3], "a2": [["a", "b"], ["c", null]], "ab": [], "ad": {"street": "Main St", "number": 12, "tags": ["x", "y"]}, "j": {"b": [1, 2.50, "x", null, true, {"c": {}}], "a": []}, "jb": {"z": {"y": [[], [1e-5]]}, "s": "é", "n": 0}, "jtext": "{\"kept\": \"as text\"}"}'
-- 32 levels are DynamoDB's limit
INSERT INTO t_doc (k, jb) VALUES ('deep32', (SELECT repeat('[', 31) || '1' || repeat(']', 31))::jsonb);
INSERT INTO t_doc (k, jb) VALUES ('deep33', (SELECT repeat('[', 33) || '1' || repeat(']', 33))::jsonb);
:ddb dump types_d | grep -c deep
INSERT INTO t_doc (k, jb) VALUES ('bad number', '{"n": 1e200}');

-- sets: SS, NS, BS on request; empty sets, NULL members and duplicates are errors
:ddb create-table types_set k:S > /dev/null
CREATE FOREIGN TABLE t_set (k text, ss text[] OPTIONS ("attribute-type" 'SS'),
  ns numeric[] OPTIONS ("attribute-type" 'NS'), bs bytea[] OPTIONS ("attribute-type" 'BS'),
  l int[] OPTIONS ("attribute-type" 'L')) SERVER ddb OPTIONS ("table-name" 'types_set');
INSERT INTO t_set VALUES ('s1', '{b, a, c}', '{3, 1.5, 2}', '{"\\x01", "\\x00ff"}', '{{1, 2}, {3, 4}}');
:ddb dump types_set
INSERT INTO t_set (k, ss) VALUES ('dup', '{a, b, a}');
INSERT INTO t_set (k, ns) VALUES ('dup numbers', '{1, 2, 1}');
INSERT INTO t_set (k, ss) VALUES ('empty', '{}');
INSERT INTO t_set (k, ss) VALUES ('null member', '{a, NULL}');

-- type overrides that cannot work are refused when the table is used
CREATE FOREIGN TABLE t_bad (k text, b text OPTIONS ("attribute-type" 'BOOL'))
  SERVER ddb OPTIONS ("table-name" 'types_set');
INSERT INTO t_bad VALUES ('x', 'true');
CREATE FOREIGN TABLE t_bad2 (k text OPTIONS ("attribute-type" 'nope')) SERVER ddb
  OPTIONS ("table-name" 'types_set');

-- key columns must write the key's declared type (S here), checked at first use
CREATE FOREIGN TABLE t_keytype (k int) SERVER ddb OPTIONS ("table-name" 'types_all');
INSERT INTO t_keytype VALUES (1);
ALTER FOREIGN TABLE t_keytype ALTER COLUMN k OPTIONS (ADD "attribute-type" 'S');
INSERT INTO t_keytype VALUES (7);
CREATE FOREIGN TABLE t_keydoc (k jsonb) SERVER ddb OPTIONS ("table-name" 'types_all');
INSERT INTO t_keydoc VALUES ('{"a": 1}');
:ddb dump types_all | grep -c '"k":{"S":"7"}'

-- property test of N: 500 random numbers of up to 30 significant digits and
-- magnitudes from 1E-120 to 1E+125 round-trip exactly through DynamoDB
:ddb create-table types_fuzz k:N > /dev/null
CREATE FOREIGN TABLE t_fuzz (k int, n numeric) SERVER ddb OPTIONS ("table-name" 'types_fuzz');
SELECT setseed(0.25);
CREATE TEMP TABLE fuzz_src AS
  SELECT g AS k,
         (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END)
         * (floor(random() * 1e15)::numeric * 1e15 + floor(random() * 1e15)::numeric)
         * power(10::numeric, (floor(random() * 215) - 120)::int) AS n
  FROM generate_series(1, 500) g;
INSERT INTO t_fuzz SELECT k, n FROM fuzz_src;
\set dumped `"$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL" dump types_fuzz | jq -s -c 'map([.k.N, .n.N])'`
SELECT count(*) AS round_tripped,
       count(*) FILTER (WHERE s.n = (e->>1)::numeric) AS equal
FROM jsonb_array_elements(:'dumped'::jsonb) e JOIN fuzz_src s ON s.k = (e->>0)::int;

DROP SERVER ddb CASCADE;
DROP TYPE address;
DROP TYPE mood;
DROP DOMAIN posint;
