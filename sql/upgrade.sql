-- ALTER EXTENSION ddb_fdw UPDATE from 1.0: a 1.0 install updated with
-- ddb_fdw--1.0--1.1.sql must hold exactly the objects of a fresh install of
-- the default version (ddb_fdw--1.1.sql), and a foreign table made under 1.0
-- must still write afterwards.  Runs in a database of its own, so the other
-- suites' extension is left alone.  What landed is read back with test/helpers/ddb.
\getenv dynalite DDB_DYNALITE_URL
\set ddb '\\! "$DDB_TEST"/ddb --endpoint "$DDB_DYNALITE_URL"'
\set regress_db :DBNAME
CREATE DATABASE ddb_upgrade;
\c ddb_upgrade

-- the versions this installation offers, and the update path between them
SELECT version, superuser, relocatable FROM pg_available_extension_versions
  WHERE name = 'ddb_fdw' ORDER BY version;
SELECT default_version FROM pg_available_extensions WHERE name = 'ddb_fdw';
SELECT source, target, path FROM pg_extension_update_paths('ddb_fdw')
  WHERE path IS NOT NULL ORDER BY source, target;

-- everything the catalog says about the extension's objects, one line each:
-- member objects, the functions' full signatures and properties, the views'
-- columns, what PUBLIC may do, the wrapper's handler and validator, every
-- comment; lines starting "exact" (view definitions, whole ACLs, row types:
-- they differ between PostgreSQL majors) are compared but not printed
CREATE VIEW ext_objects(item) AS
  WITH members AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
      JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND e.extname = 'ddb_fdw'),
  acls(classid, oid, acl) AS (
    SELECT 'pg_proc'::regclass, oid, proacl FROM pg_proc
    UNION ALL SELECT 'pg_class'::regclass, oid, relacl FROM pg_class)
  -- (17+ also record a view's row type and its array type as members:
  -- compared, not printed)
  SELECT CASE WHEN t.typrelid <> 0 OR e.typrelid <> 0 THEN 'exact member ' ELSE 'member ' END
         || pg_describe_object(m.classid, m.objid, m.objsubid)
    FROM members m
    LEFT JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    LEFT JOIN pg_type e ON e.oid = t.typelem
  UNION ALL
  SELECT format('function %s(%s) returns %s language %s volatile %s strict %s '
                'parallel %s secdef %s leakproof %s cost %s rows %s '
                'binary %s symbol %s config %s',
                p.proname, pg_get_function_arguments(p.oid),
                pg_get_function_result(p.oid), l.lanname, p.provolatile,
                p.proisstrict, p.proparallel, p.prosecdef, p.proleakproof,
                p.procost, p.prorows, p.probin, p.prosrc, p.proconfig)
    FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    JOIN pg_language l ON l.oid = p.prolang
  UNION ALL
  SELECT format('relation %s kind %s columns %s', c.relname, c.relkind,
                (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0))
    FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  UNION ALL
  SELECT format('exact definition of %s: %s', c.relname, pg_get_viewdef(c.oid))
    FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  UNION ALL
  SELECT format('exact acl of %s: %s', pg_describe_object(m.classid, m.objid, 0), g.acl)
    FROM members m JOIN acls g ON g.classid = m.classid AND g.oid = m.objid
  UNION ALL
  SELECT format('PUBLIC may %s on %s', x.privilege_type, pg_describe_object(m.classid, m.objid, 0))
    FROM members m JOIN acls g ON g.classid = m.classid AND g.oid = m.objid, aclexplode(g.acl) x
   WHERE x.grantee = 0
  UNION ALL
  SELECT format('wrapper %s handler %s validator %s options %s acl %s',
                fdwname, fdwhandler::regproc, fdwvalidator::regproc, fdwoptions, fdwacl)
    FROM pg_foreign_data_wrapper WHERE fdwname = 'ddb_fdw'
  UNION ALL
  SELECT format('comment on %s: %s',
                pg_describe_object(c.classoid, c.objoid, c.objsubid), c.description)
    FROM pg_description c JOIN members m ON m.classid = c.classoid AND m.objid = c.objoid
  UNION ALL
  SELECT format('extension %s version %s relocatable %s schema %s',
                extname, extversion, extrelocatable, extnamespace::regnamespace)
    FROM pg_extension WHERE extname = 'ddb_fdw';
CREATE TABLE ext_snapshot (install text, item text);

-- 1.0, with a server and a foreign table made under it that write one row
CREATE EXTENSION ddb_fdw VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'ddb_fdw';
INSERT INTO ext_snapshot SELECT '1.0', item FROM ext_objects;
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
:ddb create-table upgrade_t id:N > /dev/null
CREATE FOREIGN TABLE upgrade_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'upgrade_t');
INSERT INTO upgrade_ft VALUES (1, 'written under 1.0');
SELECT items_written FROM ddb_fdw_stats();

-- the update keeps the server and the table, and they go on writing
ALTER EXTENSION ddb_fdw UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'ddb_fdw';
INSERT INTO ext_snapshot SELECT 'updated', item FROM ext_objects;
INSERT INTO upgrade_ft VALUES (2, 'written after the update');
SELECT items_written FROM ddb_fdw_stats();
-- 1.1's columns of ddb_fdw_stats() (under 1.0 the same library filled 1.0's nine)
SELECT consumed_wcu > 0 AS capacity_counted, stale_skipped FROM ddb_fdw_stats();
:ddb dump upgrade_t
SELECT srvname, srvoptions FROM pg_foreign_server WHERE srvname = 'ddb';
-- already at the newest version: nothing to do
ALTER EXTENSION ddb_fdw UPDATE;

-- a fresh install of the default version
DROP EXTENSION ddb_fdw CASCADE;
CREATE EXTENSION ddb_fdw;
SELECT extversion FROM pg_extension WHERE extname = 'ddb_fdw';
INSERT INTO ext_snapshot SELECT 'fresh', item FROM ext_objects;

-- what a fresh install has (read this list when the scripts change) ...
\pset format unaligned
SELECT item FROM ext_snapshot WHERE install = 'fresh' AND item NOT LIKE 'exact %'
 ORDER BY item COLLATE "C";
-- ... what 1.0 had that the fresh install lacks, or has otherwise ...
SELECT item FROM (SELECT item FROM ext_snapshot WHERE install = '1.0'
                  EXCEPT SELECT item FROM ext_snapshot WHERE install = 'fresh') s
 ORDER BY item COLLATE "C";
-- ... and an updated 1.0 must differ from a fresh install in nothing
SELECT left(difference, 200) AS difference FROM (
  SELECT 'only after the update: ' || item FROM
    (SELECT item FROM ext_snapshot WHERE install = 'updated'
     EXCEPT SELECT item FROM ext_snapshot WHERE install = 'fresh') s
  UNION ALL
  SELECT 'only in a fresh install: ' || item FROM
    (SELECT item FROM ext_snapshot WHERE install = 'fresh'
     EXCEPT SELECT item FROM ext_snapshot WHERE install = 'updated') s) d(difference)
 ORDER BY difference COLLATE "C";
\pset format aligned
SELECT count(*) > 0 AS compared FROM ext_snapshot WHERE install = 'updated';

-- the fresh install writes too
CREATE SERVER ddb FOREIGN DATA WRAPPER ddb_fdw
  OPTIONS ("aws.region" 'us-east-2', "aws.endpoint" :'dynalite');
CREATE FOREIGN TABLE upgrade_ft (id int, v text) SERVER ddb OPTIONS ("table-name" 'upgrade_t');
INSERT INTO upgrade_ft VALUES (3, 'written by a fresh install');
:ddb dump upgrade_t

\c :regress_db
DROP DATABASE ddb_upgrade;
