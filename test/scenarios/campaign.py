#!/usr/bin/python3
"""Seeded randomized fault campaign for ddb_fdw (test/scenarios/campaign.sh runs it).

One long-lived psql session (one backend) runs DDB_CAMPAIGN_TXNS randomized
transactions (default 500): multi-row INSERT, UPDATE by key, DELETE by key
and COPY FROM STDIN on three foreign tables of different key shapes, with
savepoints rolled back or released.  Every statement on a foreign table is
paired, in the same transaction, with a statement on a local shadow table
holding the DynamoDB item each key should have (jsonb).  Between ddb_fdw and
DynamoDB (dynalite, then moto for a shorter part) sits test/fixtures/faultproxy.py,
given a fault script per transaction from a seeded schedule; for a few
transactions it is stopped (endpoint down) and restarted.

After every transaction the DynamoDB tables are scanned from outside
PostgreSQL (a standard-library SigV4 client here, cross-checked against
test/helpers/ddb) and compared with the shadow tables:
  * COMMIT succeeded => DynamoDB equals the shadow, except keys written in a
    rolled-back savepoint after an early flush that raised ddb_fdw's WARNING;
  * COMMIT failed => an ERROR naming the DynamoDB error type or the transport
    error of an injected fault, the same backend takes the next transaction,
    and every key that differs was written by the failed transaction (an
    in-doubt key: repaired by a fault-free transaction); any other difference
    is a lost or phantom row;
  * with "sink.fail-on-error" false, retryable faults (at most
    sink.max-retries per transaction) raise no ERROR at all; non-retryable
    ones, retries exhausted and the endpoint down do;
  * with "sink.fail-on-error" true (a shorter phase) the first fault fails
    the flush (except a connection dropped on a reused keep-alive
    connection, which libcurl itself re-sends once: counted apart);
  * transactions that flush early (sink.requests.max-buffered) and then roll
    back raise the WARNING.

Transaction shapes: random (1-5 statements on a, b, c and, on dynalite, f
and g; savepoints rolled back or
released, now and then more than max-buffered rows into table c: an early
flush); early-flush aborts (more than max-buffered rows into c, then ROLLBACK
or ROLLBACK TO SAVEPOINT, without faults: the WARNING must come); retries
exhausted (sink.max-retries + 1 faults on a single request); and an early
flush that fails inside a savepoint rolled back afterwards, with writes of the
same keys queued before it, which must still land at COMMIT.

The classes of issue #11 (dynalite, except oversize keys which run on both):
  * ALTER transactions: camp_d (server dyn_alt) is ALTERed between its writes:
    "table-name" to camp_d2 and back, its column v's "attribute-name", ADD/DROP
    COLUMN x, ALTER COLUMN w TYPE text <-> integer, and the server's
    "sink.ignore-nulls", some inside savepoints rolled back or released.  Each
    statement's shadow is written with the definition in force when it runs (rows
    already queued keep theirs; an ALTER undone by ROLLBACK TO SAVEPOINT no longer
    applies); camp_d and dyn_alt are re-created/reset after the transaction.
  * re-created table: between transactions the DynamoDB table camp_e is deleted and
    created keyed (id) or (id, sk) under the live backend; its transactions must
    commit equal to the shadow, or fail with 40001 "the key of DynamoDB table ...
    changed" or DynamoDB's ValidationException having written nothing of the
    flush, and then their retry (run once) must land.
  * equal keys: camp_f (numeric key) and camp_g (float8 key) get keys spelled
    4, 4.0, 4.00, 4e0, 40e-1; 1e5, 100000.000; '-0', 0 in random statements and in
    flushes of 40-90 rows over more than 25 keys: latest wins, and no ERROR ever
    says "duplicates".
  * oversize keys: a partition key of camp_b over 2048 UTF-8 bytes or a sort key
    of camp_c over 1024 (multi-byte characters near the limit; keys exactly at
    the limit land) is refused with 54000 at its statement: outside a savepoint
    the transaction is rolled back with no request sent and nothing written,
    inside one rolled back the rest commits.

The proxy's "slow" fault (wait, then forward) is not used: a request given up
at the read timeout and applied later anyway can overwrite a later
transaction's write of the key, as with any client that times out.
"slow_after" (applied at once, answered late) and "stall" (never applied)
are the slow responses here.

The schedule (statements, fault scripts, endpoint-down episodes) depends
only on DDB_CAMPAIGN_SEED (default 20261125) and DDB_CAMPAIGN_TXNS.
`test/scenarios/campaign.py --show N` prints transaction N of that schedule.

Environment: DDB_TEST, DDB_DYNALITE_URL, DDB_MOTO_URL (as test/run.sh
exports them); DDB_CAMPAIGN_PROXY_PORT (28013) and
DDB_CAMPAIGN_MOTO_PROXY_PORT (28014) for the two fault proxies.
Prints one summary line, ok/FAIL lines and "N passed, N failed".
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = int(os.environ.get("DDB_CAMPAIGN_SEED", "20261125"))
TXNS = int(os.environ.get("DDB_CAMPAIGN_TXNS", "500"))

MAX_RETRIES = 3            # "sink.max-retries" of the campaign's servers
READ_TIMEOUT_MS = 1000     # "sink.http-client.read-timeout" (libcurl fires after 2-3 s)
SLOW_MS = 4000             # proxy --slow-ms: beyond libcurl's actual read timeout
C_MAX_BUFFERED = 16        # "sink.requests.max-buffered" of table c: early flushes
# DynamoDB tables are PREFIX + a, b, c (on dynalite and on moto): another prefix lets a second
# campaign run beside the first against the same servers
PREFIX = os.environ.get("DDB_CAMPAIGN_PREFIX", "camp_")

# ---------------------------------------------------------------- tables

# name: (columns (name, pg type, DynamoDB type, attribute), key columns, DynamoDB key spec, options)
TABLES = {
    "a": dict(cols=[("id", "bigint", "N", "id"), ("v", "text", "S", "v"),
                    ("n", "numeric", "N", "n"), ("flag", "boolean", "BOOL", "flag")],
              keys=["id"], ddb_keys=["id:N"],
              opts={"sink.batch.max-size": "5", "sink.requests.max-inflight": "3"}),
    "b": dict(cols=[("k", "text", "S", "k"), ("r", "integer", "N", "r"),
                    ("v", "text", "S", "val"), ("n", "bigint", "N", "n")],
              keys=["k", "r"], ddb_keys=["k:S", "r:N"], opts={}),
    "c": dict(cols=[("pk", "bigint", "N", "pk"), ("sk", "text", "S", "sk"),
                    ("payload", "text", "S", "payload"), ("qty", "integer", "N", "qty")],
              keys=["pk", "sk"], ddb_keys=["pk:N", "sk:S"],
              opts={"sink.requests.max-buffered": str(C_MAX_BUFFERED), "sink.batch.max-size": "4"}),
}
# numerically equal keys in different spellings (issue #11): a numeric and a float8 key, dynalite only
TABLES["f"] = dict(cols=[("id", "numeric", "N", "id"), ("v", "text", "S", "v")],
                   keys=["id"], ddb_keys=["id:N"], opts={}, worlds=("dyn",))
TABLES["g"] = dict(cols=[("id", "float8", "N", "id"), ("v", "text", "S", "v")],
                   keys=["id"], ddb_keys=["id:N"], opts={}, worlds=("dyn",))
MAX_BUFFERED = {"c": C_MAX_BUFFERED}
# Two more tables of the dynalite world, with a model of their own (shadow (k text, item jsonb)):
#   d: foreign table camp_d on server dyn_alt, ALTERed inside transactions (table-name to camp_d2
#      and back, attribute-name, ADD/DROP COLUMN x, ALTER COLUMN w TYPE, the server's
#      sink.ignore-nulls); model key (DynamoDB table, id)
#   e: foreign table camp_e whose DynamoDB table is re-created between transactions keyed (id) or
#      (id, sk); model key: the key it has now
EXTRA = ("d", "e")
D_BASE = dict(dest="d", v="v", wtype="text", x=True, ignore=False)
E_SCHEMAS = (("id",), ("id", "sk"))


def world_tables(world):
    """The tables of a world in the model: TABLES of that world, then EXTRA (dynalite)."""
    return [t for t in TABLES if world in TABLES[t].get("worlds", ("dyn", "moto"))] + \
        (list(EXTRA) if world == "dyn" else [])

B_KEYS = ["k%02d" % i for i in range(14)] + ["ключ", "o'k"]
WORDS = ["alpha", "beta", "gamma", "delta", "O'Brien", "naïve ☃", "back\\slash", "say \"hi\"",
         "日本語", "x", "long " + "z" * 40, "semi;colon", "per%cent", "tab-free"]

# numbers with several spellings DynamoDB holds equal (numeric key f; float8 key g, quoted: '-0')
F_SPECIAL = [["0", "0.0", "-0.0", "0e0", "0.000"], ["4", "4.0", "4.00", "4e0", "40e-1"],
             ["100000", "1e5", "100000.000", "1.0e5"], [".5", "0.50", "5e-1", "0.5"],
             ["-12.34", "-12.340", "-1234e-2"], ["1e30", "1000000000000000000000000000000.0"]]
G_SPECIAL = [["0", "-0", "0.0", "-0.0", "0e0"], ["1.5", "15e-1", "1.50"], ["-2.25", "-225e-2", "-2.250"]]
OVERSIZE_ERROR = r'value of column "(\w+)" of foreign table "\w+" is too long for a DynamoDB (partition|sort) key'
KEY_CHANGED = r'the key of DynamoDB table "%se" changed under foreign table "camp_e"' % re.escape(PREFIX)
DUPLICATES = r"contains duplicates"
# camp_d flushes early too: a target opened after an ALTER may flush while an earlier target of the
# same DynamoDB table still holds rows (not modelled: the rows stay in the shadow's order, and a
# rolled-back savepoint's early-flushed rows are allowed through the WARNING as for c)
D_MAX_BUFFERED = 5
D_RESTORE = ("DROP FOREIGN TABLE IF EXISTS camp_d; CREATE FOREIGN TABLE camp_d (id bigint, v text, w text, "
             "x integer) SERVER dyn_alt OPTIONS (\"table-name\" '%sd', \"sink.requests.max-buffered\" '%d'); "
             "ALTER SERVER dyn_alt OPTIONS (SET \"sink.ignore-nulls\" 'false');" % (PREFIX, D_MAX_BUFFERED))
VERBOSE, TERSE = "\\set VERBOSITY verbose\n", "\\set VERBOSITY default\n"
ALTER_KINDS = ("table-name", "attribute-name", "add/drop column", "column type", "ignore-nulls")
NEW_SHAPES = ("ALTER", "re-created table", "equal keys", "oversize key")

RETRYABLE = {"throttle": 1.0, "throttling": 1.0, "limit": 1.0, "error500": 1.0, "error503": 1.0,
             "html502": 0.6, "unprocessed": 1.4, "applied500": 0.8, "reset_before": 1.0,
             "reset_after": 1.0, "cut": 1.0, "slow_after": 0.12, "stall": 0.12}
NON_RETRYABLE = {"validation": 1.0, "xml403": 1.0}
EXHAUST = ["throttle", "error500", "error503", "limit", "html502"]
LIBCURL_RESENDS = {"reset_before", "reset_after"}  # re-sent once by libcurl on a reused connection

TRANSPORT = r"could not reach DynamoDB: "
ERROR_OF = {  # what the ERROR says for each injected fault
    "throttle": r"DynamoDB error ProvisionedThroughputExceededException: ",
    "throttling": r"DynamoDB error ThrottlingException: ",
    "limit": r"DynamoDB error RequestLimitExceeded: ",
    "error500": r"DynamoDB error InternalServerError: ",
    "applied500": r"DynamoDB error InternalServerError: ",
    "error503": r"DynamoDB error HTTP 503: Service Unavailable",
    "html502": r"DynamoDB error HTTP 502: .*Bad Gateway",
    "validation": r"DynamoDB error ValidationException: Injected validation failure",
    "xml403": r"DynamoDB error AccessDenied: Injected denial",
    "unprocessed": r"DynamoDB error UnprocessedItems: \d+ items were left unprocessed",
    "reset_before": TRANSPORT + r"(Empty reply from server|Recv failure|Send failure|Connection reset|Connection died)",
    "reset_after": TRANSPORT + r"(Empty reply from server|Recv failure|Send failure|Connection reset|Connection died)",
    # libcurl 7 and 8 word these two differently (8: "end of response with N bytes
    # missing", "Failed to connect to 127.0.0.1:PORT ...: Could not connect to server")
    "cut": TRANSPORT + r"(transfer closed with \d+ bytes remaining to read|end of response with \d+ bytes missing)",
    "slow_after": TRANSPORT + r"(Operation too slow|Operation timed out)",
    "stall": TRANSPORT + r"(Operation too slow|Operation timed out|Empty reply from server|Recv failure)",
    "down": TRANSPORT + r"(Failed to connect to 127\.0\.0\.1( port |:)\d+|Couldn't connect to server|Could not connect to server)",
}
# errors that only follow an earlier one (statements of an aborted transaction, a savepoint it never made)
CONSEQUENTIAL = re.compile(r"current transaction is aborted, commands ignored until end of transaction block"
                           r"|savepoint \"sp\d+\" does not exist")


class Spelled(Decimal):
    """A number as the SQL text spells it (4.00, 4e0, '-0'): equal by value, written as spelled."""

    def __new__(cls, text, quote=False):
        self = Decimal.__new__(cls, text)
        self.text, self.quote = text, quote
        return self


def lit(v):
    """SQL literal of a Python value."""
    if isinstance(v, Spelled):
        return "'%s'" % v.text if v.quote else v.text
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def copy_text(v):
    """COPY text-format field."""
    if isinstance(v, Spelled):
        return v.text
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def canon_n(s):
    d = Decimal(s)
    return "0" if d == 0 else format(d.normalize(), "f")


def attr_value(ddb_type, v):
    if v is None:
        return {"NULL": True}
    if ddb_type == "N":
        return {"N": canon_n(str(v))}
    if ddb_type == "BOOL":
        return {"BOOL": bool(v)}
    return {"S": str(v)}


def canon_item(item):
    """Compare items regardless of how a server spells a number."""
    out = {}
    for k, v in item.items():
        if "N" in v:
            out[k] = {"N": canon_n(v["N"])}
        elif "NULL" in v:
            out[k] = {"NULL": True}
        else:
            out[k] = v
    return out


def key_of(table, item):
    spec = TABLES[table]
    attrs = {c[0]: (c[2], c[3]) for c in spec["cols"]}
    key = []
    for kc in spec["keys"]:
        t, a = attrs[kc]
        v = item[a][t]
        key.append(canon_n(v) if t == "N" else v)
    return tuple(key)


# ---------------------------------------------------------------- the schedule

class Gen:
    """Builds the seeded schedule: statements, fault scripts, down episodes."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.world = "dyn"
        self.e_schema = E_SCHEMAS[0]      # the key camp_e has when the schedule gets there

    def spelled(self, t, wide=False):
        """A key of f (numeric) or g (float8) in one of its spellings."""
        r = self.rng
        special = F_SPECIAL if t == "f" else G_SPECIAL
        if r.random() < (0.2 if wide else 0.45):
            forms = r.choice(special)
        else:
            n = r.randint(1, 60 if wide else 24)
            forms = ["%d" % n, "%d.0" % n, "%d.00" % n, "%de0" % n, "%d0e-1" % n]
        return Spelled(r.choice(forms), quote=(t == "g"))

    def key(self, t):
        r = self.rng
        if t == "a":
            return (r.randint(1, 60),)
        if t == "b":
            return (r.choice(B_KEYS), r.randint(1, 4))
        if t in ("f", "g"):
            return (self.spelled(t),)
        return (r.randint(1, 8), r.choice("abcdefgh"))

    def value(self, col):
        r = self.rng
        name, pgtype = col[0], col[1]
        if r.random() < 0.08:
            return None
        if pgtype == "text":
            w = r.choice(WORDS)
            return w if r.random() < 0.3 else "%s %d" % (w, r.randint(0, 999))
        if pgtype == "boolean":
            return r.random() < 0.5
        if pgtype == "numeric":
            c = r.random()
            if c < 0.5:
                return r.randint(-1000, 1000)
            if c < 0.95:
                return Decimal(r.randint(-99999, 99999)) / Decimal(10 ** r.randint(1, 3))
            return int("9" * r.randint(20, 38))
        if pgtype == "bigint":
            if r.random() < 0.05:
                return r.choice([9223372036854775807, -9223372036854775808])
            return r.randint(-10 ** 6, 10 ** 6)
        return r.randint(-1000, 1000)

    def row(self, t, key=None):
        spec = TABLES[t]
        key = key or self.key(t)
        vals = dict(zip(spec["keys"], key))
        for col in spec["cols"]:
            if col[0] not in vals:
                vals[col[0]] = self.value(col)
        return vals

    def rows(self, t, n, keys=()):
        """n rows of random keys, or of these keys (among the first 8 rows) and random ones."""
        rows = [self.row(t) for _ in range(max(n - len(keys), 0))]
        for k in keys:
            rows.insert(self.rng.randint(0, min(len(rows), 8)), self.row(t, k))
        return rows

    def statement(self, t, kind, n=None, keys=None):
        r = self.rng
        spec = TABLES[t]
        if kind in ("insert", "copy"):
            n = n or (r.randint(1, 8) if kind == "insert" else r.randint(2, 14))
            rows = self.rows(t, n, keys or ())
            if kind == "insert" and len(rows) > 1 and r.random() < 0.1:
                rows[-1] = self.row(t, tuple(rows[0][k] for k in spec["keys"]))  # dedup in one statement
            return {"kind": kind, "t": t, "rows": rows}
        key = keys[0] if keys else self.key(t)
        if kind == "delete":
            return {"kind": "delete", "t": t, "key": key}
        nonkey = [c for c in spec["cols"] if c[0] not in spec["keys"]]
        cols = r.sample(nonkey, r.randint(1, len(nonkey)))
        return {"kind": "update", "t": t, "key": key, "set": {c[0]: self.value(c) for c in cols}}

    def random_statement(self):
        r = self.rng
        t = r.choice("aabbccfg" if self.world == "dyn" else "abc")
        x = r.random()
        if x < 0.04:
            return self.statement("c", "copy", n=r.randint(C_MAX_BUFFERED + 1, C_MAX_BUFFERED + 10))
        kind = "insert" if x < 0.37 else "update" if x < 0.63 else "delete" if x < 0.79 else "copy"
        return self.statement(t, kind)

    def body(self, depth=0):
        r = self.rng
        items = []
        for _ in range(r.randint(1, 5) if depth == 0 else r.randint(1, 3)):
            if depth < 2 and r.random() < (0.14 if depth == 0 else 0.2):
                items.append({"savepoint": self.body(depth + 1),
                              "end": "rollback" if r.random() < 0.55 else "release"})
            else:
                items.append(self.random_statement())
        return items

    def pick(self, weights):
        names = sorted(weights)
        return self.rng.choices(names, [weights[n] for n in names])[0]

    def script(self, foe):
        r = self.rng
        if foe:
            if r.random() >= 0.5:
                return []
            allw = dict(RETRYABLE)
            allw.update({k: 0.5 for k in NON_RETRYABLE})
            return [self.pick(allw) for _ in range(r.choice([1, 1, 2]))]
        s = []
        if r.random() < 0.45:
            s = [self.pick(RETRYABLE) for _ in range(r.choices([1, 2, 3], [0.6, 0.3, 0.1])[0])]
        if r.random() < 0.07:
            s.insert(r.randint(0, len(s)), self.pick(NON_RETRYABLE))
        return s

    def transaction(self, foe):
        r = self.rng
        x = r.random()
        if x < 0.04:
            # an early flush (more than max-buffered rows into c), then a rollback: the WARNING
            body = [self.random_statement() for _ in range(r.randint(0, 2))]
            big = self.statement("c", r.choice(["insert", "copy"]), n=r.randint(C_MAX_BUFFERED + 1, C_MAX_BUFFERED + 12))
            if r.random() < 0.5:
                return {"shape": "early-flush abort", "items": body + [big], "end": "rollback", "script": []}
            after = [self.random_statement() for _ in range(r.randint(0, 2))]
            return {"shape": "early-flush abort (savepoint)", "end": "commit", "script": [],
                    "items": body + [{"savepoint": [big], "end": "rollback"}] + after}
        if x < 0.055:
            # an early flush that fails inside a savepoint rolled back afterwards, with
            # writes of the same keys before it: the outer writes must still land
            outer_keys = [self.key("c") for _ in range(r.randint(2, 4))]
            items = [self.statement("c", "insert", keys=outer_keys, n=len(outer_keys)),
                     self.statement("c", "update", keys=[outer_keys[0]])]
            big = self.statement("c", "copy", n=C_MAX_BUFFERED + r.randint(1, 6), keys=outer_keys[1:])
            items.append({"savepoint": [big], "end": "rollback"})
            items.append(self.statement("c", "insert", n=r.randint(1, 2)))
            # one fault per BatchWriteItem of the early flush: all of it fails, nothing is written
            queued = outer_keys + [outer_keys[0]] + [tuple(row[k] for k in TABLES["c"]["keys"]) for row in big["rows"]]
            batches = -(-len(set(queued[:C_MAX_BUFFERED])) // int(TABLES["c"]["opts"]["sink.batch.max-size"]))
            fault = self.pick(NON_RETRYABLE) if not foe else r.choice(["throttle", "error500", "error503", "limit"])
            return {"shape": "failed early flush in a savepoint", "end": "commit",
                    "script": [fault] * batches, "items": items}
        if x < 0.075:
            # more retryable faults than sink.max-retries on a single request
            f = r.choice(EXHAUST)
            if r.random() < 0.5:
                st = self.statement("a", "insert", n=r.randint(1, 3))
            else:
                st = self.statement("b", "update")
            return {"shape": "retries exhausted", "end": "commit", "script": [f] * (MAX_RETRIES + 1),
                    "items": [st], "exhaust": True}
        dyn = self.world == "dyn"
        if x < 0.165 and dyn:
            return self.alter_transaction(foe)
        if x < 0.21 and dyn:
            return self.recreate_transaction()
        if x < 0.24 and dyn:
            return self.equal_keys_transaction(foe)
        if x < 0.275:
            return self.oversize_transaction(foe)
        return {"shape": "random", "end": "commit", "script": self.script(foe), "items": self.body()}

    # -- class 1: ALTERs interleaved with writes, on table d (foreign table camp_d, server dyn_alt)

    @staticmethod
    def d_cols(defn):
        return ["id", "v", "w"] + (["x"] if defn["x"] else [])

    def d_value(self, col, defn, nonnull=False):
        r = self.rng
        if not nonnull and r.random() < 0.12:
            return None
        if col == "v":
            return r.choice(WORDS)
        if col == "w":
            if defn["wtype"] == "integer":
                return r.randint(-500, 500)
            return r.choice(WORDS) if r.random() < 0.5 else str(r.randint(0, 99))
        return r.randint(-1000, 1000)

    @staticmethod
    def d_attrs(defn, vals):
        """The item of camp_d's columns vals under definition defn (nulls left out with ignore-nulls)."""
        item = {}
        for col, v in vals.items():
            if v is None and defn["ignore"]:
                continue
            typ = "S" if col == "v" or (col == "w" and defn["wtype"] == "text") else "N"
            item[defn["v"] if col == "v" else col] = attr_value(typ, v)
        return item

    def d_statement(self, defn):
        r = self.rng
        dest = ddb_table(defn["dest"])
        cols = self.d_cols(defn)
        kind = r.choices(["insert", "copy", "update", "delete"], [0.45, 0.2, 0.2, 0.15])[0]
        if kind in ("insert", "copy"):
            rows = []
            for _ in range(r.randint(1, 6) if kind == "insert" else r.randint(2, 8)):
                vals = {"id": r.randint(1, 30)}
                vals.update({c: self.d_value(c, defn) for c in cols[1:]})
                rows.append(vals)
            if kind == "insert":
                sql = "INSERT /* {tag} */ INTO camp_d (%s) VALUES %s;\n" % (
                    ", ".join(cols), ", ".join("(" + ", ".join(lit(row[c]) for c in cols) + ")" for row in rows))
            else:
                sql = "COPY /* {tag} */ camp_d (%s) FROM STDIN;\n" % ", ".join(cols)
                sql += "".join("\t".join(copy_text(row[c]) for c in cols) + "\n" for row in rows) + "\\.\n"
            ops = [("put", (dest, canon_n(str(row["id"]))), self.d_attrs(defn, row)) for row in rows]
        elif kind == "update":
            i = r.randint(1, 30)
            sets = {c: self.d_value(c, defn, nonnull=True) for c in r.sample(cols[1:], r.randint(1, len(cols) - 1))}
            sql = "UPDATE /* {tag} */ camp_d SET %s WHERE id = %d;\n" % (
                ", ".join("%s = %s" % (c, lit(v)) for c, v in sets.items()), i)
            ops = [("upd", (dest, str(i)), {"id": {"N": str(i)}}, self.d_attrs(defn, sets))]
        else:
            i = r.randint(1, 30)
            sql = "DELETE /* {tag} */ FROM camp_d WHERE id = %d;\n" % i
            ops = [("del", (dest, str(i)))]
        return {"kind": "raw", "t": "d", "sql": sql + extra_shadow_sql("d", ops), "ops": ops, "d_kind": kind}

    def alter(self, defn):
        r = self.rng
        kind = r.choice(ALTER_KINDS)
        new = dict(defn)
        if kind == "table-name":
            new["dest"] = "d2" if defn["dest"] == "d" else "d"
            sql = "ALTER FOREIGN TABLE camp_d OPTIONS (SET \"table-name\" '%s');\n" % ddb_table(new["dest"])
        elif kind == "attribute-name":
            new["v"] = r.choice([a for a in ("v", "v_alt", "v_bis") if a != defn["v"]])
            opt = "DROP \"attribute-name\"" if new["v"] == "v" else "%s \"attribute-name\" '%s'" % (
                "ADD" if defn["v"] == "v" else "SET", new["v"])
            sql = "ALTER FOREIGN TABLE camp_d ALTER COLUMN v OPTIONS (%s);\n" % opt
        elif kind == "add/drop column":
            new["x"] = not defn["x"]
            sql = "ALTER FOREIGN TABLE camp_d %s;\n" % ("DROP COLUMN x" if defn["x"] else "ADD COLUMN x integer")
        elif kind == "column type":
            new["wtype"] = "integer" if defn["wtype"] == "text" else "text"
            sql = "ALTER FOREIGN TABLE camp_d ALTER COLUMN w TYPE %s;\n" % new["wtype"]
        else:
            new["ignore"] = not defn["ignore"]
            sql = "ALTER SERVER dyn_alt OPTIONS (SET \"sink.ignore-nulls\" '%s');\n" % str(new["ignore"]).lower()
        return {"kind": "raw", "t": None, "sql": sql, "ops": [], "alter": kind}, new

    def alter_body(self, defn, depth=0):
        r = self.rng
        items = []
        for _ in range(r.randint(3, 7) if depth == 0 else r.randint(1, 4)):
            x = r.random()
            if depth == 0 and x < 0.18:
                inner, after = self.alter_body(defn, 1)
                end = "rollback" if r.random() < 0.6 else "release"
                items.append({"savepoint": inner, "end": end})
                if end == "release":
                    defn = after
            elif x < 0.5:
                st, defn = self.alter(defn)
                items.append(st)
            elif x < 0.85:
                items.append(self.d_statement(defn))
            else:
                items.append(self.random_statement())
        return items, defn

    def alter_transaction(self, foe):
        # rows queued before the first ALTER and after the last one
        first = self.d_statement(D_BASE)
        alter, defn = self.alter(D_BASE)
        body, defn = self.alter_body(defn)
        items = [first, alter] + body + [self.d_statement(defn)]
        return {"shape": "ALTER", "end": "commit", "script": self.script(foe), "items": items, "restore": True}

    # -- class 2: camp_e re-created with another key between transactions

    def e_statement(self, n):
        r = self.rng
        if r.random() < 0.4:
            # distinct (id, sk), ids shared: merged under (id), one request of duplicates under (id) for
            # a backend that believes (id, sk)
            pairs = r.sample([(i, k) for i in range(1, 11) for k in range(1, 5)], min(n, 24))
        else:
            pairs = [(r.randint(1, 10), r.randint(1, 4)) for _ in range(n)]
        rows = [{"id": i, "sk": k, "v": r.choice(WORDS) if r.random() > 0.1 else None} for i, k in pairs]
        cols = ["id", "sk", "v"]
        if r.random() < 0.6:
            sql = "INSERT /* {tag} */ INTO camp_e (%s) VALUES %s;\n" % (
                ", ".join(cols), ", ".join("(" + ", ".join(lit(row[c]) for c in cols) + ")" for row in rows))
        else:
            sql = "COPY /* {tag} */ camp_e (%s) FROM STDIN;\n" % ", ".join(cols)
            sql += "".join("\t".join(copy_text(row[c]) for c in cols) + "\n" for row in rows) + "\\.\n"
        ops = [("put", tuple(str(row[c]) for c in self.e_schema),
                {"id": attr_value("N", row["id"]), "sk": attr_value("N", row["sk"]), "v": attr_value("S", row["v"])})
               for row in rows]
        return {"kind": "raw", "t": "e", "sql": sql + extra_shadow_sql("e", ops), "ops": ops}

    def recreate_transaction(self):
        r = self.rng
        recreate = None
        if r.random() < 0.75:
            recreate = E_SCHEMAS[1] if self.e_schema == E_SCHEMAS[0] else E_SCHEMAS[0]
            self.e_schema = recreate
        items = [self.e_statement(r.choice([r.randint(1, 5), r.randint(6, 20), r.randint(26, 45)]))
                 for _ in range(r.randint(1, 2))]
        return {"shape": "re-created table", "end": "commit", "script": [], "items": items,
                "recreate": recreate, "e_schema": self.e_schema}

    # -- class 3: numerically equal keys in different spellings, in one flush of several batches

    def equal_keys_transaction(self, foe):
        r = self.rng
        t = r.choice("fg")
        # more than 25 distinct numbers: several BatchWriteItem requests, the spellings of a key
        # spread over the statement
        n = r.randint(40, 90)
        rows = [self.row(t, (self.spelled(t, wide=True),)) for _ in range(n)]
        items = [{"kind": r.choice(["insert", "copy"]), "t": t, "rows": rows}]
        for _ in range(r.randint(0, 2)):
            items.append(self.statement(t, r.choice(["insert", "update", "delete"])))
        return {"shape": "equal keys", "end": "commit", "script": self.script(foe), "items": items}

    # -- class 4: oversize keys, refused at the statement before anything is sent

    def key_value(self, t, over):
        r = self.rng
        if t == "b":   # partition key k: at most 2048 UTF-8 bytes
            forms = [lambda: "p" * r.randint(2049, 2200), lambda: "é" * 1025, lambda: "☃" * 683,
                     lambda: "😀" * 513, lambda: "k" + "日" * 683] if over else \
                [lambda: "p" * 2048, lambda: "é" * 1024, lambda: "☃" * 682 + "ab", lambda: "😀" * 512]
        else:          # sort key sk of c: at most 1024
            forms = [lambda: "s" * r.randint(1025, 1100), lambda: "é" * 513, lambda: "☃" * 342,
                     lambda: "😀" * 257, lambda: "a" + "é" * 512] if over else \
                [lambda: "s" * 1024, lambda: "é" * 512, lambda: "☃" * 341 + "a", lambda: "😀" * 256]
        return r.choice(forms)()

    def small_statement(self):
        """A statement that cannot flush early (not on c)."""
        t = self.rng.choice("abfg" if self.world == "dyn" else "ab")
        return self.statement(t, self.rng.choice(["insert", "update", "delete", "copy"]))

    def oversize_transaction(self, foe):
        r = self.rng
        t = r.choice("bc")
        st = self.statement(t, r.choice(["insert", "copy"]), n=r.randint(1, 6))
        row = r.choice(st["rows"])
        row["k" if t == "b" else "sk"] = self.key_value(t, True)
        st["fails"] = True
        items = [self.small_statement() for _ in range(r.randint(0, 2))]
        if r.random() < 0.6:   # keys at the limit land
            lt = r.choice("bc")
            key = (self.key_value("b", False), r.randint(1, 4)) if lt == "b" else (r.randint(1, 8), self.key_value("c", False))
            items.append(self.statement(lt, "insert", n=r.randint(1, 3), keys=[key]))
        after = [self.small_statement() for _ in range(r.randint(0, 2))]
        if r.random() < 0.5:
            return {"shape": "oversize key", "end": "commit", "script": [], "oversize": "top",
                    "items": items + [st] + after}
        inner = [self.small_statement() for _ in range(r.randint(0, 1))] + [st]
        return {"shape": "oversize key", "end": "commit", "script": self.script(foe), "oversize": "savepoint",
                "items": items + [{"savepoint": inner, "end": "rollback"}] + after}


def build_schedule(seed, total):
    moto_n = max(1, round(total * 0.12)) if total >= 10 else 0
    foe_n = max(1, round(total * 0.12)) if total >= 10 else 0
    dyn_n = total - moto_n - foe_n
    g = Gen(seed)
    sched = []
    for world, phase, n in (("dyn", "retry", dyn_n), ("dyn", "fail-on-error", foe_n), ("moto", "retry", moto_n)):
        down_left = 0
        g.world = world
        for i in range(n):
            tx = g.transaction(phase == "fail-on-error")
            tx.update(world=world, phase=phase, down=False)
            if down_left == 0 and 5 <= i < n - 4 and g.rng.random() < (1 / 55 if n > 100 else 1 / 25):
                down_left = g.rng.randint(2, 3)
            if down_left > 0 and tx["shape"] in NEW_SHAPES:
                pass    # these have outcomes of their own to check: the endpoint stays up
            elif down_left > 0:
                tx["down"] = True
                tx["script"] = []
                tx.pop("exhaust", None)
                down_left -= 1
            sched.append(tx)
    for i, tx in enumerate(sched, 1):
        tx["no"] = i
    # every kind of fault at least once: where missing, it goes first in the script of a
    # transaction that sends something (so it is certainly injected)
    empty = {w: {t: {} for t in world_tables(w)} for w in ("dyn", "moto")}
    present = {tx["script"][0] for tx in sched if tx["script"] and not tx["down"] and simulate(tx, empty[tx["world"]])[3]["sends"]}
    for kind in sorted(set(RETRYABLE) | set(NON_RETRYABLE)):
        if kind in present:
            continue
        fits = [tx for tx in sched if tx["world"] == "dyn" and tx["phase"] == "retry" and not tx["down"]
                and tx["shape"] == "random" and len(tx["script"]) < MAX_RETRIES
                and not any(f in NON_RETRYABLE for f in tx["script"]) and simulate(tx, empty["dyn"])[3]["sends"]]
        if fits:
            g.rng.choice(fits)["script"].insert(0, kind)
    return sched


# ---------------------------------------------------------------- SQL of a transaction

def ddb_table(t):
    return PREFIX + t


def ft_name(world, t):
    return ("camp_" if world == "dyn" else "moto_") + t


def sh_name(world, t):
    return "sh_%s_%s" % (world, t)


def key_where(t, key):
    return " AND ".join("%s = %s" % (c, lit(v)) for c, v in zip(TABLES[t]["keys"], key))


def item_of_row(t, row):
    return {c[3]: attr_value(c[2], row[c[0]]) for c in TABLES[t]["cols"]}


def key_item(t, key):
    spec = TABLES[t]
    cols = {c[0]: c for c in spec["cols"]}
    return {cols[k][3]: attr_value(cols[k][2], v) for k, v in zip(spec["keys"], key)}


def sets_item(t, sets):
    cols = {c[0]: c for c in TABLES[t]["cols"]}
    return {cols[c][3]: attr_value(cols[c][2], v) for c, v in sets.items()}


def jlit(obj):
    return lit(json.dumps(obj, ensure_ascii=False, sort_keys=True)) + "::jsonb"


def extra_shadow_sql(t, ops):
    """The shadow statement of one statement on d or e (shadow (k text, item jsonb))."""
    sh = sh_name("dyn", t)

    def k(key):
        return lit(json.dumps(list(key)))
    if ops[0][0] == "put":
        last = {}
        for op in ops:
            last[op[1]] = op[2]
        return "INSERT INTO %s AS s (k, item) VALUES %s ON CONFLICT (k) DO UPDATE SET item = EXCLUDED.item;\n" % (
            sh, ", ".join("(%s, %s)" % (k(key), jlit(item)) for key, item in last.items()))
    if ops[0][0] == "del":
        return "DELETE FROM %s WHERE k = %s;\n" % (sh, k(ops[0][1]))
    _, key, key_attrs, sets = ops[0]
    full = dict(key_attrs)
    full.update(sets)
    return "INSERT INTO %s AS s (k, item) VALUES (%s, %s) ON CONFLICT (k) DO UPDATE SET item = s.item || %s;\n" % (
        sh, k(key), jlit(full), jlit(sets))


def statement_sql(world, st, tag, shadow=True):
    """The statement and, in the same transaction, its shadow (not for one that must fail)."""
    if st["kind"] == "raw":
        return st["sql"].replace("{tag}", tag)
    sql = statement_sql_both(world, st, tag)
    if not shadow:
        sql = "".join(l for l in sql.splitlines(True) if not l.startswith(("INSERT INTO sh_", "DELETE FROM sh_")))
    return sql


def statement_sql_both(world, st, tag):
    t = st["t"]
    spec = TABLES[t]
    ft, sh = ft_name(world, t), sh_name(world, t)
    keys = ", ".join(spec["keys"])
    cols = [c[0] for c in spec["cols"]]
    if st["kind"] in ("insert", "copy"):
        if st["kind"] == "insert":
            sql = "INSERT /* %s */ INTO %s (%s) VALUES %s;\n" % (
                tag, ft, ", ".join(cols),
                ", ".join("(" + ", ".join(lit(row[c]) for c in cols) + ")" for row in st["rows"]))
        else:
            sql = "COPY /* %s */ %s (%s) FROM STDIN;\n" % (tag, ft, ", ".join(cols))
            sql += "".join("\t".join(copy_text(row[c]) for c in cols) + "\n" for row in st["rows"]) + "\\.\n"
        last = {}
        for row in st["rows"]:
            last[tuple(row[k] for k in spec["keys"])] = row
        sql += "INSERT INTO %s AS s (%s, item) VALUES %s ON CONFLICT (%s) DO UPDATE SET item = EXCLUDED.item;\n" % (
            sh, keys, ", ".join("(" + ", ".join(lit(v) for v in k) + ", " + jlit(item_of_row(t, row)) + ")"
                                for k, row in last.items()), keys)
        return sql
    where = key_where(t, st["key"])
    if st["kind"] == "delete":
        return "DELETE /* %s */ FROM %s WHERE %s;\nDELETE FROM %s WHERE %s;\n" % (tag, ft, where, sh, where)
    sets = ", ".join("%s = %s" % (c, lit(v)) for c, v in st["set"].items())
    si = sets_item(t, st["set"])
    full = dict(key_item(t, st["key"]))
    full.update(si)
    return ("UPDATE /* %s */ %s SET %s WHERE %s;\n" % (tag, ft, sets, where) +
            "INSERT INTO %s AS s (%s, item) VALUES (%s, %s) ON CONFLICT (%s) DO UPDATE SET item = s.item || %s;\n" % (
                sh, keys, ", ".join(lit(v) for v in st["key"]), jlit(full), keys, jlit(si)))


def txn_sql(tx):
    out = ["BEGIN;\n", "INSERT INTO camp_log VALUES (%d);\n" % tx["no"]]
    counter = [0, 0]

    def emit(items):
        for it in items:
            if "savepoint" in it:
                counter[1] += 1
                sp = "sp%d" % counter[1]
                out.append("SAVEPOINT %s;\n" % sp)
                emit(it["savepoint"])
                out.append(("ROLLBACK TO SAVEPOINT %s;\n" if it["end"] == "rollback" else "RELEASE SAVEPOINT %s;\n") % sp)
            else:
                counter[0] += 1
                # the statements whose SQLSTATE is checked print it (VERBOSITY verbose)
                out.append(VERBOSE if it.get("fails") else "")
                out.append(statement_sql(tx["world"], it, "t%d s%d" % (tx["no"], counter[0]), not it.get("fails")))
                out.append(TERSE if it.get("fails") else "")
    emit(tx["items"])
    verbose = tx["shape"] == "re-created table"
    out.append((VERBOSE if verbose else "") + ("COMMIT;\n" if tx["end"] == "commit" else "ROLLBACK;\n") +
               (TERSE if verbose else ""))
    return "".join(out)


# ---------------------------------------------------------------- what a transaction should do

def simulate(tx, pre):
    """Apply the transaction to the model state pre (a dict per table).

    Returns the state if it commits; the keys it touches per table; for keys
    written in rolled-back savepoints, the states an early flush there may
    have left (followed through the writes after it); and whether, with no
    fault, a row would be flushed early, early-flushed rows would be rolled
    back (the WARNING), and anything would be sent at all."""
    state = {t: dict(v) for t, v in pre.items()}
    touched = {t: set() for t in pre}
    alts = {}                                 # (table, key) -> states left by rolled-back savepoints
    queues = {t: [] for t in pre}             # levels of queued rows
    flushed = {t: {} for t in pre}            # level -> rows written early
    # (table, key) -> every state the key passes through (table d: several targets of one
    # DynamoDB table flush in turn, so a failed COMMIT may leave any of them)
    history = {}
    info = {"early_flush": set(), "warn": set(), "sends": False, "history": history}
    level = [1]
    dead = [False]                            # a statement failed outside any savepoint
    frames = []                               # per open savepoint: (table, key) -> states written in it

    # (table, key) -> the writes of it that stand so far, each with the savepoints it was made in
    wlog = {}
    sp_path = []

    def write(t, key, fn):
        wlog.setdefault((t, key), []).append((fn, tuple(sp_path)))
        history.setdefault((t, key), [state[t].get(key)])
        q = queues[t]
        if q and len(q) >= MAX_BUFFERED.get(t, 10 ** 9):
            info["early_flush"].add(t)
            info["sends"] = True
            for lv in q:
                flushed[t][lv] = flushed[t].get(lv, 0) + 1
            q.clear()
        q.append(level[0])
        touched[t].add(key)
        if (t, key) in alts:
            # what this write makes of each of them (it may itself be rolled back: keep both)
            new = list(alts[(t, key)])
            for a in alts[(t, key)]:
                tmp = {} if a is None else {key: a}
                fn(tmp)
                if tmp.get(key) not in new:
                    new.append(tmp.get(key))
            alts[(t, key)] = new
        fn(state[t])
        history[(t, key)].append(state[t].get(key))
        for f in frames:
            f.setdefault((t, key), []).append(state[t].get(key))

    def apply(st):
        t = st["t"]
        if st.get("fails"):
            # refused at the statement (an oversize key): none of its rows is queued, and outside
            # a savepoint the transaction is aborted (its COMMIT rolls back)
            if len(frames) == 0:
                dead[0] = True
            return
        if st["kind"] == "raw":
            for op in st["ops"]:
                key = op[1]
                if op[0] == "put":
                    write(t, key, lambda s, k=key, it=op[2]: s.__setitem__(k, canon_item(it)))
                elif op[0] == "del":
                    write(t, key, lambda s, k=key: s.pop(k, None))
                else:
                    def upd(s, k=key, ka=op[2], sets=op[3]):
                        item = dict(s.get(k) or canon_item(ka))
                        item.update(canon_item(sets))
                        s[k] = item
                    write(t, key, upd)
            return
        spec = TABLES[t]
        if st["kind"] in ("insert", "copy"):
            for row in st["rows"]:
                k = tuple(canon_n(str(row[c])) if TABLES[t]["cols"][i][2] == "N" else row[c]
                          for i, c in enumerate(spec["keys"]))
                write(t, k, lambda s, k=k, row=row: s.__setitem__(k, canon_item(item_of_row(t, row))))
            return
        k = tuple(canon_n(str(v)) if TABLES[t]["cols"][i][2] == "N" else v for i, v in enumerate(st["key"]))
        if st["kind"] == "delete":
            write(t, k, lambda s: s.pop(k, None))
        else:
            def upd(s):
                item = dict(s.get(k) or canon_item(key_item(t, st["key"])))
                item.update(canon_item(sets_item(t, st["set"])))
                s[k] = item
            write(t, k, upd)

    def run(items):
        for it in items:
            if dead[0]:
                return
            if "savepoint" in it:
                snap = {t: dict(v) for t, v in state.items()}
                level[0] += 1
                frames.append({})
                sp_path.append(object())
                run(it["savepoint"])
                lv = level[0]
                level[0] -= 1
                frame = frames.pop()
                sp = sp_path.pop()
                if it["end"] == "rollback":
                    for tk, writes in wlog.items():
                        writes[:] = [w for w in writes if sp not in w[1]]
                    for tk, states in frame.items():
                        lst = alts.setdefault(tk, [])
                        lst.extend(x for x in states if x not in lst)
                        # a write of the key queued before the savepoint, merged into the early
                        # flush that wrote the rolled-back one, is sent again at COMMIT: on top of it
                        for x in states:
                            tmp = {} if x is None else {tk[1]: x}
                            for fn, _ in wlog.get(tk, []):
                                fn(tmp)
                            if tmp.get(tk[1]) not in lst:
                                lst.append(tmp.get(tk[1]))
                    for t in state:
                        state[t] = snap[t]
                        # the queue loses its rows of this level (and deeper), flushed ones stay written
                        queues[t] = [x for x in queues[t] if x < lv]
                        lost = sum(n for l2, n in flushed[t].items() if l2 >= lv)
                        if lost:
                            info["warn"].add(t)
                        for l2 in list(flushed[t]):
                            if l2 >= lv:
                                del flushed[t][l2]
                else:
                    if frames:
                        for tk, states in frame.items():
                            frames[-1].setdefault(tk, []).extend(states)
                    for t in state:
                        queues[t] = [min(x, lv - 1) for x in queues[t]]
                        for l2 in list(flushed[t]):
                            if l2 >= lv:
                                flushed[t][lv - 1] = flushed[t].get(lv - 1, 0) + flushed[t].pop(l2)
            else:
                apply(it)
    run(tx["items"])
    info["aborted"] = dead[0]
    if tx["end"] == "rollback" or dead[0]:
        for t in state:
            if sum(flushed[t].values()):
                info["warn"].add(t)
        if dead[0]:
            state = {t: dict(v) for t, v in pre.items()}
    elif any(queues[t] for t in state):
        info["sends"] = True
    return state, touched, alts, info


# ---------------------------------------------------------------- outside clients

class Dynamo:
    """A minimal DynamoDB JSON client (SigV4 signed), independent of ddb_fdw."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.hostport = u.netloc
        self.region = os.environ.get("AWS_REGION", "us-east-1")
        self.key = os.environ.get("AWS_ACCESS_KEY_ID", "test")
        self.secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "test")
        self.conn = None

    def call(self, target, body):
        payload = json.dumps(body).encode()
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = amz_date[:8]
        headers = {"content-type": "application/x-amz-json-1.0", "host": self.hostport,
                   "x-amz-date": amz_date, "x-amz-target": "DynamoDB_20120810." + target}
        signed = ";".join(sorted(headers))
        canonical = "\n".join(["POST", "/", "", "".join("%s:%s\n" % (k, headers[k]) for k in sorted(headers)),
                               signed, hashlib.sha256(payload).hexdigest()])
        scope = "%s/%s/dynamodb/aws4_request" % (day, self.region)
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        k = ("AWS4" + self.secret).encode()
        for part in (day, self.region, "dynamodb", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
            self.key, scope, signed, sig)
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request("POST", "/", body=payload, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise
        if resp.status != 200:
            raise RuntimeError("%s: HTTP %d %s" % (target, resp.status, data[:300]))
        return json.loads(data)

    def scan(self, table):
        items, start = [], None
        while True:
            body = {"TableName": table, "ConsistentRead": True}
            if start:
                body["ExclusiveStartKey"] = start
            page = self.call("Scan", body)
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items


def ddb_tool(url, *args):
    return subprocess.run([os.path.join(os.environ["DDB_TEST"], "ddb"), "--endpoint", url] + list(args),
                          capture_output=True, text=True, timeout=120)


class Proxy:
    """A faultproxy process of our own."""

    def __init__(self, name, port, upstream_url, workdir):
        self.name, self.port, self.workdir = name, port, workdir
        self.upstream_port = urllib.parse.urlparse(upstream_url).port
        self.proc = None
        self.hold = None        # the port's placeholder while the endpoint is down
        self.base = {}          # counters when last read
        self.totals = {}        # fault -> count over the campaign
        self.by_op = {}         # op -> fault -> count

    def start(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            raise RuntimeError("port %d (faultproxy %s) is already taken" % (self.port, self.name))
        except OSError:
            pass
        if self.hold is not None:
            self.hold.close()
            self.hold = None
        # the port can be held for up to a minute by a TIME_WAIT socket of some client that
        # got it as its ephemeral port (the range includes 48xxx): then try again
        deadline = time.time() + 75
        while True:
            log = open(os.path.join(self.workdir, "proxy-%s.log" % self.name), "a")
            self.proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "..", "fixtures", "faultproxy.py"),
                                          "--port", str(self.port), "--upstream-port", str(self.upstream_port),
                                          "--slow-ms", str(SLOW_MS)], stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
            log.close()
            with open(os.path.join(self.workdir, "proxy-%s.pid" % self.name), "w") as f:
                f.write(str(self.proc.pid))
            for _ in range(100):
                try:
                    self.base = self.stats()
                    return
                except OSError:
                    if self.proc.poll() is not None:
                        break
                    time.sleep(0.05)
            if self.proc.poll() is None or time.time() > deadline:
                break
            time.sleep(1)
        raise RuntimeError("faultproxy %s did not start on port %d (see proxy-%s.log)" % (
            self.name, self.port, self.name))

    def stop(self, hold=False):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        try:
            os.unlink(os.path.join(self.workdir, "proxy-%s.pid" % self.name))
        except OSError:
            pass
        if hold and self.hold is None:
            # the endpoint is down (connections refused), but the port stays ours: a socket
            # bound and not listening refuses connections and keeps ephemeral ports off it
            try:
                self.hold = socket.socket()
                self.hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                self.hold.bind(("127.0.0.1", self.port))
            except OSError:
                self.hold.close()
                self.hold = None
        elif not hold and self.hold is not None:
            self.hold.close()
            self.hold = None

    @property
    def up(self):
        return self.proc is not None and self.proc.poll() is None

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body)
            r = c.getresponse()
            return r.read()
        finally:
            c.close()

    def stats(self):
        return json.loads(self.request("GET", "/__proxy/stats?detail=1"))

    def script(self, faults):
        self.request("POST", "/__proxy/script", json.dumps(faults))

    def consumed(self):
        """Faults injected since the last call, per fault and per operation."""
        now = self.stats()
        self.sent = now["requests"] - self.base.get("requests", 0)
        diff, ops = {}, {}
        for f, n in now["faults"].items():
            d = n - self.base.get("faults", {}).get(f, 0)
            if d:
                diff[f] = d
                self.totals[f] = self.totals.get(f, 0) + d
        for op, faults in now.get("by_op", {}).items():
            for f, n in faults.items():
                d = n - self.base.get("by_op", {}).get(op, {}).get(f, 0)
                if d:
                    ops.setdefault(op, {})[f] = d
                    self.by_op.setdefault(op, {})
                    self.by_op[op][f] = self.by_op[op].get(f, 0) + d
        self.base = now
        return diff, ops


class Stuck(Exception):
    pass


class Psql:
    """One psql process (one backend), fed through a pipe."""

    def __init__(self, host, port):
        env = dict(os.environ, PGCLIENTENCODING="UTF8")
        argv = ["psql", "-X", "-q", "-At", "-h", host, "-p", str(port), "-d", "postgres",
                "-v", "ON_ERROR_STOP=0", "-v", "ECHO=errors"]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, encoding="utf-8", errors="replace", bufsize=1, env=env)
        self.q = {"out": queue.Queue(), "err": queue.Queue()}
        for name, stream in (("out", self.p.stdout), ("err", self.p.stderr)):
            threading.Thread(target=self.reader, args=(stream, self.q[name]), daemon=True).start()
        self.n = 0

    @staticmethod
    def reader(stream, q):
        for line in stream:
            q.put(line.rstrip("\n"))
        q.put(None)

    def run(self, sql, timeout=120):
        self.n += 1
        mark = "@@mark %d@@" % self.n
        try:
            self.p.stdin.write(sql + "\n\\warn %s\n\\echo %s\n" % (mark, mark))
            self.p.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise Stuck("psql is gone: %s" % e)
        deadline = time.time() + timeout
        res = {}
        for name in ("out", "err"):
            lines = []
            while True:
                left = deadline - time.time()
                try:
                    line = self.q[name].get(timeout=max(left, 0.01))
                except queue.Empty:
                    raise Stuck("no answer from the backend in %d s" % timeout)
                if line is None:
                    raise Stuck("psql exited (status %s)" % self.p.poll())
                if line == mark:
                    break
                lines.append(line)
            res[name] = lines
        return res["out"], res["err"]

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(10)
        except Exception:
            self.p.kill()


# ---------------------------------------------------------------- the campaign

class Campaign:
    def __init__(self, args):
        self.args = args
        self.urls = {"dyn": os.environ["DDB_DYNALITE_URL"], "moto": os.environ["DDB_MOTO_URL"]}
        self.dynamo = {w: Dynamo(u) for w, u in self.urls.items()}
        ports = {"dyn": int(os.environ.get("DDB_CAMPAIGN_PROXY_PORT", "28013")),
                 "moto": int(os.environ.get("DDB_CAMPAIGN_MOTO_PROXY_PORT", "28014"))}
        self.proxies = {w: Proxy(w, ports[w], self.urls[w], args.workdir) for w in self.urls}
        self.model = {w: {t: {} for t in world_tables(w)} for w in self.urls}
        self.e_schema = E_SCHEMAS[0]      # the key DynamoDB table camp_e has now
        self.fails = []          # (check, detail, transaction number)
        self.current = 0
        self.c = dict(ok=0, failed=0, failed_clear=0, lost=0, phantom=0, in_doubt=0, early_aborts=0,
                      early_aborts_expected=0, absorbed=0, foe_faulted=0, foe_failed=0, libcurl_resent=0,
                      nonretry=0, nonretry_failed=0, exhaust=0, exhaust_failed=0, down=0, down_failed=0,
                      repairs=0, early_keys=0, pid_changes=0, stuck=0, tool_checks=0, wrong_partial=0,
                      # ALTERs interleaved with writes
                      alter_tx=0, alter_reordered=0, alter_ok=0, alter_failed=0, alter_undone=0, alter_writes=0,
                      # camp_e re-created with another key
                      recreated=0, rc_tx=0, rc_ok=0, rc_changed=0, rc_validation=0, rc_other=0,
                      rc_clean=0, rc_retry=0, rc_retry_ok=0,
                      # numerically equal keys
                      eq_tx=0, eq_multi=0, eq_ok=0, eq_failed=0, eq_rows=0, eq_keys=0, eq_spellings=0, dup_errors=0,
                      fg_writes=0,
                      # oversize keys
                      ov_tx=0, ov_top=0, ov_sp=0, ov_refused=0, ov_sqlstate=0, ov_unsent=0, ov_clean=0,
                      ov_sp_ok=0, ov_limit_rows=0)
        self.alter_kinds = {}
        self.class_fails = {}     # class -> transactions where one of its checks failed
        self.log = open(os.path.join(args.workdir, "campaign.log"), "w")

    def fail(self, check, detail, txno=None):
        self.fails.append((check, detail, txno if txno is not None else self.current))
        self.log.write("FAIL %s\n%s\n" % (check, detail))
        self.log.flush()

    def psql_start(self):
        # after a backend crashed the postmaster restarts every session: wait for it (30 s at most)
        deadline = time.time() + 30
        while True:
            self.psql = Psql(self.args.pghost, self.args.pgport)
            try:
                out, err = self.psql.run("SELECT pg_backend_pid();")
                if out:
                    self.pid = out[0]
                    return
            except Stuck:
                if time.time() > deadline:
                    raise
            self.psql.close()
            time.sleep(0.5)

    def sql(self, text, what):
        out, err = self.psql.run(text)
        errors = [l for l in err if l.startswith("ERROR:")]
        if errors:
            raise RuntimeError("%s failed: %s" % (what, "\n".join(err[:10])))
        return out

    def setup(self):
        # d2: the second DynamoDB table of camp_d; e starts keyed (id)
        extra = [(x, {"ddb_keys": ["id:N"], "worlds": ("dyn",)}) for x in ("d", "d2", "e")]
        for w in self.urls:
            for t, spec in list(TABLES.items()) + extra:
                if w not in spec.get("worlds", ("dyn", "moto")):
                    continue
                self.create_table(w, ddb_table(t), spec["ddb_keys"])
        for p in self.proxies.values():
            p.start()
        self.psql_start()
        s = ["CREATE EXTENSION IF NOT EXISTS ddb_fdw;", "CREATE TABLE camp_log (txn int);"]
        for w in self.urls:
            for srv, url, extra in ((w, "http://127.0.0.1:%d" % self.proxies[w].port,
                                     ', "sink.max-retries" \'%d\', "sink.http-client.read-timeout" \'%d\'' % (
                                         MAX_RETRIES, READ_TIMEOUT_MS)),
                                    (w + "_fix", self.urls[w], "")):
                s.append("CREATE SERVER %s FOREIGN DATA WRAPPER ddb_fdw OPTIONS (\"aws.region\" 'us-east-1', "
                         "\"aws.endpoint\" '%s', \"sink.flush-buffer.timeout\" '0'%s);" % (srv, url, extra))
                s.append("CREATE USER MAPPING FOR postgres SERVER %s OPTIONS (\"aws.credentials.basic.accesskeyid\" "
                         "'test', \"aws.credentials.basic.secretkey\" 'test');" % srv)
            if w == "dyn":
                # camp_d's own server (its sink.ignore-nulls is toggled), in front of the same proxy
                s.append("CREATE SERVER dyn_alt FOREIGN DATA WRAPPER ddb_fdw OPTIONS (\"aws.region\" 'us-east-1', "
                         "\"aws.endpoint\" 'http://127.0.0.1:%d', \"sink.flush-buffer.timeout\" '0', "
                         "\"sink.max-retries\" '%d', \"sink.http-client.read-timeout\" '%d', "
                         "\"sink.ignore-nulls\" 'false');" % (self.proxies[w].port, MAX_RETRIES, READ_TIMEOUT_MS))
                s.append("CREATE USER MAPPING FOR postgres SERVER dyn_alt OPTIONS (\"aws.credentials.basic.accesskeyid\" "
                         "'test', \"aws.credentials.basic.secretkey\" 'test');")
                s.append(D_RESTORE)
                s.append("CREATE FOREIGN TABLE camp_e (id bigint, sk bigint, v text) SERVER dyn "
                         "OPTIONS (\"table-name\" '%s');" % ddb_table("e"))
                for t in EXTRA:
                    s.append("CREATE TABLE %s (k text PRIMARY KEY, item jsonb NOT NULL);" % sh_name(w, t))
                # learn the keys of camp_d, camp_d2 and camp_e now, while the proxy is up
                s.append("BEGIN; INSERT INTO camp_d (id) VALUES (0); ALTER FOREIGN TABLE camp_d OPTIONS "
                         "(SET \"table-name\" '%s'); INSERT INTO camp_d (id) VALUES (0); "
                         "INSERT INTO camp_e VALUES (0, 0, 'x'); ROLLBACK;" % ddb_table("d2"))
            for t, spec in TABLES.items():
                if w not in spec.get("worlds", ("dyn", "moto")):
                    continue
                cols = ", ".join("%s %s%s" % (c[0], c[1], "" if c[3] == c[0] else
                                              " OPTIONS (\"attribute-name\" '%s')" % c[3]) for c in spec["cols"])
                opts = "".join(", \"%s\" '%s'" % kv for kv in spec["opts"].items())
                s.append("CREATE FOREIGN TABLE %s (%s) SERVER %s OPTIONS (\"table-name\" '%s'%s);" % (
                    ft_name(w, t), cols, w, ddb_table(t), opts))
                s.append("CREATE FOREIGN TABLE fix_%s_%s (%s) SERVER %s_fix OPTIONS (\"table-name\" '%s');" % (
                    w, t, cols, w, ddb_table(t)))
                keycols = ", ".join("%s %s" % (c[0], c[1]) for c in spec["cols"] if c[0] in spec["keys"])
                s.append("CREATE TABLE %s (%s, item jsonb NOT NULL, PRIMARY KEY (%s));" % (
                    sh_name(w, t), keycols, ", ".join(spec["keys"])))
                # learn the key schemas now (DescribeTable), while the proxy is up; ROLLBACK sends nothing
                probe = ", ".join(lit(v) for v in Gen(0).row(t).values())
                for ft in (ft_name(w, t), "fix_%s_%s" % (w, t)):
                    s.append("BEGIN; INSERT INTO %s (%s) VALUES (%s); ROLLBACK;" % (
                        ft, ", ".join(c[0] for c in spec["cols"]), probe))
        self.sql("\n".join(s), "setup")

    def shadow_and_state(self, world, txno):
        q = ["SELECT 'L', count(*) FROM camp_log WHERE txn = %d;" % txno, "SELECT 'P', pg_backend_pid();"]
        for t in world_tables(world):
            q.append("SELECT '%s', %s FROM %s;" % (t, "json_build_array(k, item)::text" if t in EXTRA else "item::text",
                                                   sh_name(world, t)))
        out, err = self.psql.run("\n".join(q))
        committed, pid, shadow = None, None, {t: {} for t in world_tables(world)}
        for line in out:
            tag, _, rest = line.partition("|")
            if tag == "L":
                committed = rest == "1"
            elif tag == "P":
                pid = rest
            elif tag in EXTRA:
                k, item = json.loads(rest)
                shadow[tag][tuple(json.loads(k))] = canon_item(item)
            elif tag in TABLES:
                item = canon_item(json.loads(rest))
                shadow[tag][key_of(tag, item)] = item
        return committed, pid, shadow

    def dump(self, world):
        out = {}
        if world == "dyn":
            out["d"] = {}
            for dest in (ddb_table("d"), ddb_table("d2")):
                for item in self.dynamo[world].scan(dest):
                    item = canon_item(item)
                    out["d"][(dest, item["id"]["N"])] = item
            out["e"] = {}
            for item in self.dynamo[world].scan(ddb_table("e")):
                item = canon_item(item)
                out["e"][tuple(item[c]["N"] for c in self.e_schema)] = item
        for t in world_tables(world):
            if t in EXTRA:
                continue
            out[t] = {}
            for item in self.dynamo[world].scan(ddb_table(t)):
                item = canon_item(item)
                out[t][key_of(t, item)] = item
        return out

    @staticmethod
    def diff(ddb, shadow):
        d = {}
        for t in ddb:
            keys = {k for k in set(ddb[t]) | set(shadow[t]) if ddb[t].get(k) != shadow[t].get(k)}
            if keys:
                d[t] = keys
        return d

    def repair(self, world, diff, shadow):
        stmts = ["BEGIN;"]
        for t, keys in diff.items():
            if t in EXTRA:
                # d and e: put the shadow's item back, from outside (no fix table has their shapes)
                for k in sorted(keys, key=repr):
                    if t == "d":
                        table, key = k[0], {"id": {"N": k[1]}}
                    else:
                        table, key = ddb_table("e"), {c: {"N": v} for c, v in zip(self.e_schema, k)}
                    item = shadow[t].get(k)
                    if item is None:
                        self.dynamo[world].call("DeleteItem", {"TableName": table, "Key": key})
                    else:
                        self.dynamo[world].call("PutItem", {"TableName": table, "Item": item})
                continue
            spec = TABLES[t]
            ft = "fix_%s_%s" % (world, t)
            bycol = {c[3]: c for c in spec["cols"]}
            for k in sorted(keys, key=repr):
                raw = tuple(Decimal(v) if TABLES[t]["cols"][i][2] == "N" else v for i, v in enumerate(k))
                where = key_where(t, raw)
                stmts.append("DELETE FROM %s WHERE %s;" % (ft, where))
                item = shadow[t].get(k)
                if item is not None:
                    sets = []
                    for a, v in item.items():
                        col = bycol[a]
                        if col[0] in spec["keys"]:
                            continue
                        val = "NULL" if "NULL" in v else lit(v["N"]) if "N" in v else \
                            ("true" if v["BOOL"] else "false") if "BOOL" in v else lit(v["S"])
                        sets.append("%s = %s" % (col[0], val))
                    stmts.append("UPDATE %s SET %s WHERE %s;" % (ft, ", ".join(sets), where))
        stmts.append("COMMIT;")
        self.sql("\n".join(stmts), "repair")
        self.c["repairs"] += 1

    def check_tool(self, world):
        """test/helpers/ddb (curl + jq) sees what this script's scans see."""
        ours = self.dump(world)
        for t in world_tables(world):
            if t in EXTRA:
                continue
            r = ddb_tool(self.urls[world], "dump", ddb_table(t))
            theirs = {}
            for line in r.stdout.splitlines():
                item = canon_item(json.loads(line))
                theirs[key_of(t, item)] = item
            if r.returncode != 0 or theirs != ours[t]:
                self.fail("test/helpers/ddb agrees with the campaign's scans",
                          "%s %s: test/helpers/ddb %d items (status %d), scan %d items" % (
                              world, ddb_table(t), len(theirs), r.returncode, len(ours[t])))
                return
        self.c["tool_checks"] += 1

    def describe(self, tx, sql, err, extra=""):
        lines = ["seed %d, transaction %d (%s, %s, %s%s), fault script %s" % (
            SEED, tx["no"], "dynalite" if tx["world"] == "dyn" else "moto", tx["phase"], tx["shape"],
            ", endpoint down" if tx["down"] else "", tx["script"])]
        if extra:
            lines.append(extra)
        sql_lines = sql.splitlines()
        lines += ["  sql> " + l for l in sql_lines[:40]] + (["  sql> ..."] if len(sql_lines) > 40 else [])
        lines += ["  psql> " + l for l in err[:25]]
        lines.append("  reproduce: DDB_CAMPAIGN_SEED=%d DDB_CAMPAIGN_TXNS=%d test/scenarios/campaign.py --show %d" % (
            SEED, TXNS, tx["no"]))
        return "\n".join(lines)

    def run_txn(self, tx):
        self.current = tx["no"]
        t0 = time.time()
        world = tx["world"]
        proxy = self.proxies[world]
        if tx["down"] and proxy.up:
            proxy.consumed()
            proxy.stop(hold=True)
        if not tx["down"] and not proxy.up:
            proxy.start()
        if proxy.up:
            proxy.script(tx["script"])
        fails_before = len(self.fails)
        if tx.get("recreate"):
            self.recreate_e(tx["recreate"])
        pre = self.model[world]
        intended, touched, alts, info = simulate(tx, pre)
        sql = txn_sql(tx)
        t1 = time.time()
        try:
            out, err = self.psql.run(sql)
            t_sql = time.time() - t1
        except Stuck as e:
            t_sql = time.time() - t1
            self.c["stuck"] += 1
            self.fail("no backend stuck or gone", self.describe(tx, sql, [], str(e)))
            self.psql.p.kill()
            self.psql_start()
            out, err = [], []
        consumed, ops = proxy.consumed() if proxy.up else ({}, {})
        if proxy.up:
            proxy.script([])
        committed, pid, shadow = self.shadow_and_state(world, tx["no"])
        if pid != self.pid:
            self.c["pid_changes"] += 1
            self.fail("the same backend takes every next transaction",
                      self.describe(tx, sql, err, "backend pid %s, then %s" % (self.pid, pid)))
            self.pid = pid
        errors, sqlstates = [], []
        for l in err:
            if l.startswith("ERROR:"):
                m = re.match(r"ERROR:  ([0-9A-Z]{5}): (.*)", l)     # VERBOSITY verbose: the SQLSTATE first
                if m:
                    sqlstates.append(m.group(1))
                errors.append(m.group(2) if m else l[len("ERROR:  "):])
        real_errors = [e for e in errors if not CONSEQUENTIAL.search(e)]
        # the errors the new classes expect: an oversize key refused at its statement; a key
        # DynamoDB no longer declares (40001) or DynamoDB's ValidationException after a re-creation
        expected_errors = [e for e in real_errors if tx.get("oversize") and re.match(OVERSIZE_ERROR, e)]
        key_errors = [e for e in real_errors if tx["shape"] == "re-created table" and (
            re.match(KEY_CHANGED, e) or e.startswith("DynamoDB error ValidationException: "))]
        dups = [e for e in real_errors if re.search(DUPLICATES, e) and e not in key_errors]
        if dups:
            self.c["dup_errors"] += len(dups)
            self.fail("numerically equal keys never reach DynamoDB as duplicates",
                      self.describe(tx, sql, err, dups[0]))
        real_errors = [e for e in real_errors if e not in expected_errors and e not in key_errors]
        warned = set()
        for l in err:
            m = re.match(r'WARNING:  \d+ rows? (was|were) already written to DynamoDB table "%s(\w+)"' % re.escape(PREFIX), l)
            if m:
                warned.add("d" if m.group(2) == "d2" else m.group(2))
        n_faults = sum(consumed.values())

        # the outcome each fault allows
        def explained(e):
            kinds = list(consumed) + (["down"] if tx["down"] else [])
            return any(re.match(ERROR_OF[k], e) for k in kinds)

        unclear = [e for e in real_errors if not explained(e)]
        if unclear:
            self.fail("every ERROR names the DynamoDB error type or the transport error of an injected fault",
                      self.describe(tx, sql, err, "unexplained: %s (faults injected: %s)" % (unclear[0], consumed)))
        if tx.get("oversize") == "top":
            pass    # aborted by its own statement, not a COMMIT that failed: checked below
        elif tx["end"] == "commit":
            if committed:
                self.c["ok"] += 1
            else:
                self.c["failed"] += 1
                if (real_errors or key_errors) and not unclear:
                    self.c["failed_clear"] += 1
                elif not real_errors:
                    self.fail("a failed COMMIT raises an ERROR",
                              self.describe(tx, sql, err, "the transaction did not commit and no ERROR was raised"))

        # what the faults must have done
        nonretry = [f for f in consumed if f in NON_RETRYABLE]
        if tx["down"] and info["sends"]:
            self.c["down"] += 1
            if real_errors:
                self.c["down_failed"] += 1
            else:
                self.fail("the endpoint down fails the commit",
                          self.describe(tx, sql, err, "committed=%s without an ERROR" % committed))
        elif tx["phase"] == "fail-on-error":
            if n_faults:
                self.c["foe_faulted"] += 1
                if real_errors:
                    self.c["foe_failed"] += 1
                elif set(consumed) <= LIBCURL_RESENDS:
                    self.c["libcurl_resent"] += 1
                else:
                    self.fail("sink.fail-on-error true: the first fault fails the flush",
                              self.describe(tx, sql, err, "faults %s injected, no ERROR" % consumed))
            elif real_errors:
                self.fail("no fault, no ERROR", self.describe(tx, sql, err, "no fault was injected"))
        else:
            if nonretry:
                self.c["nonretry"] += 1
                if any(re.match(ERROR_OF[f], e) for f in nonretry for e in real_errors):
                    self.c["nonretry_failed"] += 1
                else:
                    self.fail("non-retryable faults fail the flush at once",
                              self.describe(tx, sql, err, "faults %s injected" % consumed))
            elif tx.get("exhaust") and n_faults > MAX_RETRIES:
                self.c["exhaust"] += 1
                if real_errors:
                    self.c["exhaust_failed"] += 1
                else:
                    self.fail("more retryable faults than sink.max-retries fail the flush",
                              self.describe(tx, sql, err, "faults %s injected, no ERROR" % consumed))
            elif n_faults <= MAX_RETRIES:
                if n_faults:
                    self.c["absorbed"] += 1 if not real_errors else 0
                if real_errors:
                    self.fail("retryable faults are absorbed (sink.fail-on-error false)",
                              self.describe(tx, sql, err, "faults %s injected" % consumed))

        # the state
        ddb = self.dump(world)
        d = self.diff(ddb, shadow)
        aborted = not committed
        if info["warn"] and not tx["script"] and not tx["down"]:
            # no fault: the early flush succeeded, and its rows were rolled back
            self.c["early_aborts_expected"] += 1
            missing = info["warn"] - warned
            if missing:
                self.fail("an abort after an early flush raises the WARNING",
                          self.describe(tx, sql, err, "no WARNING for table(s) %s" % sorted(missing)))
            else:
                self.c["early_aborts"] += 1
        in_doubt = early_keys = 0
        bad = {"committed": [], "foreign": [], "wrong": []}
        for t, keys in sorted(d.items()):
            for k in sorted(keys, key=repr):
                have, want = ddb[t].get(k), shadow[t].get(k)
                if aborted and k in touched[t]:
                    # a failed transaction's own key: in doubt, but only ever one of its own writes
                    if t not in info["early_flush"] and not real_errors_in_statements(err) and \
                            (have not in info["history"].get((t, k), []) if t == "d" else have != intended[t].get(k)):
                        self.c["wrong_partial"] += 1
                        bad["wrong"].append("%s key %s: DynamoDB %s, the transaction wrote %s" % (
                            ddb_table(t), k, have, intended[t].get(k)))
                    elif tx["end"] == "rollback":
                        early_keys += 1
                    else:
                        in_doubt += 1
                    continue
                if committed and t in warned and have in alts.get((t, k), []):
                    # written early in a savepoint rolled back afterwards: the WARNING said so
                    early_keys += 1
                    continue
                what = "phantom row" if have is not None and want is None else "lost row"
                self.c["phantom" if what == "phantom row" else "lost"] += 1
                bad["committed" if committed else "foreign"].append(
                    "%s in %s key %s: DynamoDB %s, shadow %s" % (what, ddb_table(t), k, have, want))
        for kind, check in (("committed", "every committed transaction left DynamoDB equal to its shadow tables"),
                            ("foreign", "a failed commit changes only keys it wrote"),
                            ("wrong", "a failed commit writes nothing but the transaction's own writes")):
            if bad[kind]:
                self.fail(check, self.describe(tx, sql, err, "\n".join(bad[kind][:6]) + (
                    "\n(%d keys in all)" % len(bad[kind]) if len(bad[kind]) > 6 else "")))
        self.c["in_doubt"] += in_doubt
        self.c["early_keys"] += early_keys
        # the harness' own model agrees with the shadow
        new_model = intended if committed else pre
        if new_model != shadow:
            self.fail("the campaign's model agrees with the shadow tables",
                      self.describe(tx, sql, err, "model and shadow differ on %s" % self.diff(new_model, shadow)))
        self.model[world] = shadow
        if d:
            try:
                self.repair(world, d, shadow)
                again = self.diff(self.dump(world), shadow)
                if again:
                    self.fail("a fault-free transaction repairs the in-doubt keys",
                              self.describe(tx, sql, err, "still differing after the repair: %s" % again))
            except (RuntimeError, Stuck) as e:
                self.fail("a fault-free transaction repairs the in-doubt keys", self.describe(tx, sql, err, str(e)))
        info.update(alts=alts, warned=warned)
        retry = self.check_classes(tx, sql, err, committed, d, sqlstates, expected_errors, key_errors, proxy,
                                   ddb, info)
        if tx.get("restore"):
            self.sql(D_RESTORE, "restoring camp_d")
        if len(self.fails) > fails_before and tx["shape"] in NEW_SHAPES:
            self.class_fails.setdefault(tx["shape"], []).append(tx["no"])
        self.log.write("txn %d%s %s %s %s committed=%s faults=%s ops=%s errors=%d diff=%d %.3fs (sql %.3fs)\n" % (
            tx["no"], " (retry)" if tx.get("retry") else "", tx["world"], tx["phase"], tx["shape"], committed,
            consumed, ops, len(real_errors) + len(key_errors) + len(expected_errors),
            sum(len(k) for k in d.values()), time.time() - t0, t_sql))
        return retry

    def create_table(self, world, name, keys, recreate=False):
        """(Re-)create a DynamoDB table keyed keys ("id:N", ...) and wait until it is ACTIVE, with
        this script's own client (test/helpers/ddb's curl and jq take half a second a call)."""
        dyn = self.dynamo[world]
        try:
            dyn.call("DeleteTable", {"TableName": name})
        except RuntimeError as e:
            if recreate or "ResourceNotFoundException" not in str(e):
                raise
        for _ in range(250):
            try:
                dyn.call("DescribeTable", {"TableName": name})
            except RuntimeError as e:
                if "ResourceNotFoundException" in str(e):
                    break
                raise
            time.sleep(0.02)
        attrs = [k.split(":") for k in keys]
        dyn.call("CreateTable", {
            "TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in attrs],
            "KeySchema": [{"AttributeName": a, "KeyType": k} for (a, _), k in zip(attrs, ("HASH", "RANGE"))]})
        for _ in range(250):
            table = dyn.call("DescribeTable", {"TableName": name})["Table"]
            if table["TableStatus"] == "ACTIVE":
                break
            time.sleep(0.02)
        if table["TableStatus"] != "ACTIVE" or [k["AttributeName"] for k in table["KeySchema"]] != [a for a, _ in attrs]:
            raise RuntimeError("creating %s keyed %s on %s: %s" % (name, keys, world, table))

    def recreate_e(self, schema):
        """Re-create DynamoDB table camp_e with another key, under the live backend."""
        self.create_table("dyn", ddb_table("e"), ["%s:N" % c for c in schema], recreate=True)
        self.e_schema = schema
        self.sql("DELETE FROM %s;" % sh_name("dyn", "e"), "emptying the shadow of camp_e")
        self.model["dyn"]["e"] = {}
        self.c["recreated"] += 1

    def check_classes(self, tx, sql, err, committed, d, sqlstates, expected_errors, key_errors, proxy, ddb, info):
        """The checks of the classes of issue #11; True when the transaction is to be retried."""
        c = self.c
        shape = tx["shape"]
        for st, undone in walk(tx["items"]):
            if st.get("t") in ("f", "g"):
                c["fg_writes"] += 1
        if shape == "ALTER":
            c["alter_tx"] += 1
            c["alter_ok" if committed else "alter_failed"] += 1
            # a committed key of camp_d that holds an earlier write of this transaction: an older
            # target flushed after a newer one of the same DynamoDB table
            older = [k for k in sorted(d.get("d", ()), key=repr) if committed and
                     ddb["d"].get(k) in info["history"].get(("d", k), [])[:-1] and
                     not ("d" in info["warned"] and ddb["d"].get(k) in info["alts"].get(("d", k), []))]
            if older:
                c["alter_reordered"] += len(older)
                self.fail("the latest write of a key wins across ALTERs (no older write lands after it)",
                          self.describe(tx, sql, err, "; ".join("%s: DynamoDB %s, latest %s" % (
                              k, ddb["d"].get(k), info["history"][("d", k)][-1]) for k in older[:4])))
            for st, undone in walk(tx["items"]):
                if st.get("alter"):
                    self.alter_kinds[st["alter"]] = self.alter_kinds.get(st["alter"], 0) + 1
                    c["alter_undone"] += undone
                elif st.get("t") == "d":
                    c["alter_writes"] += 1
        elif shape == "re-created table" and tx.get("retry"):
            c["rc_retry"] += 1
            if committed and not d:
                c["rc_retry_ok"] += 1
            else:
                self.fail("the retry of a transaction failed on a changed key lands",
                          self.describe(tx, sql, err, "committed=%s, differing keys %s" % (committed, d)))
        elif shape == "re-created table":
            c["rc_tx"] += 1
            if committed:
                c["rc_ok"] += 1
                return False
            if any(re.match(KEY_CHANGED, e) for e in key_errors):
                c["rc_changed"] += 1
                if not sqlstates or sqlstates[-1] != "40001":
                    self.fail("a key DynamoDB no longer declares fails the COMMIT with SQLSTATE 40001",
                              self.describe(tx, sql, err, "SQLSTATE %s" % sqlstates))
            elif key_errors:
                c["rc_validation"] += 1
            else:
                c["rc_other"] += 1
                self.fail("a transaction on a re-created table commits, or fails with 40001 or ValidationException",
                          self.describe(tx, sql, err, "failed otherwise"))
            if d:
                self.fail("a transaction failed on a changed key writes nothing of its flush",
                          self.describe(tx, sql, err, "differing keys %s" % d))
            else:
                c["rc_clean"] += 1
            return bool(key_errors)
        elif shape == "equal keys":
            c["eq_tx"] += 1
            c["eq_ok" if committed else "eq_failed"] += 1
            st = tx["items"][0]
            c["eq_rows"] += len(st["rows"])
            c["eq_keys"] += len({canon_n(str(row["id"])) for row in st["rows"]})
            c["eq_spellings"] += len({row["id"].text for row in st["rows"]})
            c["eq_multi"] += len({canon_n(str(row["id"])) for row in st["rows"]}) > 25
        elif shape == "oversize key":
            c["ov_tx"] += 1
            for st, undone in walk(tx["items"]):
                if not st.get("fails"):
                    c["ov_limit_rows"] += sum(1 for row in st.get("rows", [])
                                              if len(str(row.get("k", row.get("sk", ""))).encode()) > 1000)
            if expected_errors:
                c["ov_refused"] += 1
            else:
                self.fail("an oversize key is refused at its statement",
                          self.describe(tx, sql, err, "no ERROR for it"))
            if sqlstates == ["54000"]:
                c["ov_sqlstate"] += 1
            else:
                self.fail("an oversize key is refused with SQLSTATE 54000",
                          self.describe(tx, sql, err, "SQLSTATE %s" % sqlstates))
            if tx["oversize"] == "top":
                c["ov_top"] += 1
                sent = proxy.sent if proxy.up else 0
                if sent == 0:
                    c["ov_unsent"] += 1
                else:
                    self.fail("a transaction aborted by an oversize key sends nothing",
                              self.describe(tx, sql, err, "%d requests reached the proxy" % sent))
                if committed or d:
                    self.fail("a transaction aborted by an oversize key writes nothing",
                              self.describe(tx, sql, err, "committed=%s, differing keys %s" % (committed, d)))
                else:
                    c["ov_clean"] += 1
            else:
                c["ov_sp"] += 1
                c["ov_sp_ok"] += bool(committed and not d)
        return False

    def main(self, sched):
        started = time.time()
        self.setup()
        self.log.write("setup %.3fs\n" % (time.time() - started))
        phase = None
        last_world = None
        for tx in sched:
            if (tx["world"], tx["phase"]) != phase:
                if tx["phase"] == "fail-on-error":
                    for srv in (tx["world"], "dyn_alt") if tx["world"] == "dyn" else (tx["world"],):
                        self.sql("ALTER SERVER %s OPTIONS (ADD \"sink.fail-on-error\" 'true');" % srv, "phase")
                elif phase and phase[1] == "fail-on-error":
                    for srv in (phase[0], "dyn_alt") if phase[0] == "dyn" else (phase[0],):
                        self.sql("ALTER SERVER %s OPTIONS (DROP \"sink.fail-on-error\");" % srv, "phase")
                if last_world and last_world != tx["world"]:
                    self.check_tool(last_world)
                phase = (tx["world"], tx["phase"])
                last_world = tx["world"]
            if self.run_txn(tx):
                # failed on a key DynamoDB no longer declares: the application retries once
                self.run_txn(dict(tx, retry=True, recreate=None))
            if tx["no"] % 100 == 0:
                self.check_tool(tx["world"])
        if last_world:
            self.check_tool(last_world)
        out, err = self.psql.run("SELECT 1;")
        self.alive = out == ["1"]
        self.elapsed = time.time() - started

    def report(self, sched, sched_hash):
        c = self.c
        worlds = {"dyn": 0, "moto": 0}
        for tx in sched:
            worlds[tx["world"]] += 1
        totals = {}
        for p in self.proxies.values():
            for f, n in p.totals.items():
                totals[f] = totals.get(f, 0) + n
        totals["down"] = sum(1 for tx in sched if tx["down"])
        upd = sum(sum(f.values()) for p in self.proxies.values() for op, f in p.by_op.items() if op == "UpdateItem")
        faults = "{" + ", ".join("%s: %d" % (f, totals[f]) for f in sorted(totals)) + "}"
        line = ("campaign: seed %d, %d transactions (dynalite %d, moto %d), schedule %s, faults injected %s "
              "(%d on UpdateItem), commits ok %d, commits failed with a clear error %d, rows lost %d, "
              "phantom rows %d, in-doubt keys of failed commits repaired %d, early-flushed aborts with WARNING %d "
              "(%d keys repaired), %.0f s" % (
                  SEED, len(sched), worlds["dyn"], worlds["moto"], sched_hash, faults, upd, c["ok"],
                  c["failed_clear"], c["lost"], c["phantom"], c["in_doubt"], c["early_aborts"], c["early_keys"],
                  self.elapsed))
        kinds = ", ".join("%s %d" % (k, self.alter_kinds.get(k, 0)) for k in ALTER_KINDS)
        print(line + "; ALTER transactions %d (%d ALTERs: %s; %d undone by ROLLBACK TO SAVEPOINT; "
              "%d writes to camp_d), %d committed, %d failed, %d keys where an older write landed last; camp_e re-created %d times under the backend, %d "
              "transactions on it: %d committed, %d failed with 40001, %d with ValidationException, %d otherwise, "
              "%d of the failed wrote nothing, %d of %d retries landed; equal-key transactions %d (%d rows, %d keys, "
              "%d spellings; %d of more than 25 keys), %d committed, %d failed, %d statements on numeric/float8 keys in all, 'duplicates' "
              "errors %d; oversize keys %d, refused %d (SQLSTATE 54000 %d): %d aborting their transaction (nothing "
              "sent %d, nothing written %d), %d in savepoints rolled back (%d committed), %d statements at the "
              "limit landed" % (
                  c["alter_tx"], sum(self.alter_kinds.values()), kinds, c["alter_undone"], c["alter_writes"],
                  c["alter_ok"], c["alter_failed"], c["alter_reordered"], c["recreated"], c["rc_tx"], c["rc_ok"], c["rc_changed"],
                  c["rc_validation"], c["rc_other"], c["rc_clean"], c["rc_retry_ok"], c["rc_retry"], c["eq_tx"],
                  c["eq_rows"], c["eq_keys"], c["eq_spellings"], c["eq_multi"], c["eq_ok"], c["eq_failed"], c["fg_writes"],
                  c["dup_errors"], c["ov_tx"], c["ov_refused"], c["ov_sqlstate"], c["ov_top"], c["ov_unsent"],
                  c["ov_clean"], c["ov_sp"], c["ov_sp_ok"], c["ov_limit_rows"]))
        failed_checks = {}
        for check, detail, txno in self.fails:
            failed_checks.setdefault(check, [])
            if txno not in failed_checks[check]:
                failed_checks[check].append(txno)
        checks = [
            ("every committed transaction left DynamoDB equal to its shadow tables (%d commits)" % c["ok"],
             "every committed transaction left DynamoDB equal to its shadow tables"),
            ("a failed commit changes only keys it wrote", "a failed commit changes only keys it wrote"),
            ("no lost or phantom rows (lost %d, phantom %d)" % (c["lost"], c["phantom"]), None),
            ("every ERROR names the DynamoDB error type or the transport error of an injected fault",
             "every ERROR names the DynamoDB error type or the transport error of an injected fault"),
            ("a failed COMMIT raises an ERROR (%d failed, %d with a clear error)" % (c["failed"], c["failed_clear"]),
             "a failed COMMIT raises an ERROR"),
            ("the same backend takes every next transaction (pid %s throughout)" % self.pid,
             "the same backend takes every next transaction"),
            ("no backend stuck or gone", "no backend stuck or gone"),
            ("retryable faults are absorbed with sink.fail-on-error false (%d transactions with faults, all committed)"
             % c["absorbed"], "retryable faults are absorbed (sink.fail-on-error false)"),
            ("non-retryable faults fail the flush at once (%d of %d)" % (c["nonretry_failed"], c["nonretry"]),
             "non-retryable faults fail the flush at once"),
            ("more retryable faults than sink.max-retries fail the flush (%d of %d)" % (
                c["exhaust_failed"], c["exhaust"]), "more retryable faults than sink.max-retries fail the flush"),
            ("the endpoint down fails the commit after the retries (%d of %d)" % (c["down_failed"], c["down"]),
             "the endpoint down fails the commit"),
            ("sink.fail-on-error true: the first fault fails the flush (%d of %d transactions with a fault; %d "
             "dropped connections re-sent by libcurl)" % (c["foe_failed"], c["foe_faulted"], c["libcurl_resent"]),
             "sink.fail-on-error true: the first fault fails the flush"),
            ("a failed commit writes nothing but the transaction's own writes (%d in-doubt keys, repaired)"
             % c["in_doubt"], "a failed commit writes nothing but the transaction's own writes"),
            ("a fault-free transaction repairs the in-doubt keys (%d repairs)" % c["repairs"],
             "a fault-free transaction repairs the in-doubt keys"),
            ("an abort after an early flush raises the WARNING (%d of %d)" % (
                c["early_aborts"], c["early_aborts_expected"]),
             "an abort after an early flush raises the WARNING"),
            ("the campaign's model agrees with the shadow tables", "the campaign's model agrees with the shadow tables"),
            ("test/helpers/ddb agrees with the campaign's scans (%d comparisons)" % c["tool_checks"],
             "test/helpers/ddb agrees with the campaign's scans"),
            ("no fault, no ERROR", "no fault, no ERROR"),
        ]
        # the classes of issue #11 behaved, and in a full run (300 transactions or more) each occurred
        # in all its forms
        full = TXNS >= 300
        cf = self.class_fails
        checks += [
            ("ALTERs interleaved with writes follow the definition in force at each statement (%d transactions, "
             "%d ALTERs of all %d kinds, %d undone by ROLLBACK TO SAVEPOINT; %d committed; %d keys where an older write "
             "landed last)" % (c["alter_tx"], sum(self.alter_kinds.values()), len(ALTER_KINDS), c["alter_undone"],
                               c["alter_ok"], c["alter_reordered"]),
             ["the latest write of a key wins across ALTERs (no older write lands after it)"],
             cf.get("ALTER", []) or (
                 [0] if full and (not c["alter_ok"] or not c["alter_undone"] or
                                  any(not self.alter_kinds.get(k) for k in ALTER_KINDS)) else [])),
            ("a DynamoDB table re-created with another key: commit equal to the shadow, or 40001/ValidationException "
             "writing nothing, and the retry lands (%d re-creations; %d committed, %d 40001, %d ValidationException, "
             "%d of %d retries landed)" % (c["recreated"], c["rc_ok"], c["rc_changed"], c["rc_validation"],
                                           c["rc_retry_ok"], c["rc_retry"]),
             ["a transaction on a re-created table commits, or fails with 40001 or ValidationException",
              "a transaction failed on a changed key writes nothing of its flush",
              "the retry of a transaction failed on a changed key lands",
              "a key DynamoDB no longer declares fails the COMMIT with SQLSTATE 40001"],
             cf.get("re-created table", []) or (
                 [0] if full and (not c["recreated"] or not c["rc_ok"] or not c["rc_changed"] or not c["rc_validation"])
                 else [])),
            ("numerically equal keys in different spellings: latest wins, never 'duplicates' (%d transactions of "
             "%d rows, %d keys, %d spellings; %d of more than 25 keys; %d committed)" % (
                 c["eq_tx"], c["eq_rows"], c["eq_keys"], c["eq_spellings"], c["eq_multi"], c["eq_ok"]),
             ["numerically equal keys never reach DynamoDB as duplicates"],
             cf.get("equal keys", []) or ([0] if full and (not c["eq_ok"] or not c["eq_multi"]) else [])),
            ("oversize keys are refused at their statement with 54000 and nothing of them is written (%d of %d; "
             "%d transactions aborted, nothing sent %d; %d savepoints rolled back)" % (
                 c["ov_sqlstate"], c["ov_tx"], c["ov_top"], c["ov_unsent"], c["ov_sp"]),
             ["an oversize key is refused at its statement", "an oversize key is refused with SQLSTATE 54000",
              "a transaction aborted by an oversize key sends nothing",
              "a transaction aborted by an oversize key writes nothing"],
             cf.get("oversize key", []) or ([0] if full and (not c["ov_top"] or not c["ov_sp"]) else [])),
        ]
        passed = failed = 0
        for entry in checks:
            text, key = entry[:2]
            if isinstance(key, list):
                bad = sorted(set(entry[2]) | {n for k in key for n in failed_checks.pop(k, [])})
                if bad:
                    print("FAIL %s%s" % (text, ": %s" % txn_list(bad) if bad != [0] else ": did not occur enough"))
                    failed += 1
                else:
                    print("ok %s" % text)
                    passed += 1
                continue
            bad = failed_checks.pop(key, []) if key else ([1] if c["lost"] or c["phantom"] else [])
            if bad:
                print("FAIL %s%s" % (text, ": %s" % txn_list(bad) if key else ""))
                failed += 1
            else:
                print("ok %s" % text)
                passed += 1
        for key, bad in failed_checks.items():
            print("FAIL %s: %s" % (key, txn_list(bad)))
            failed += 1
        if TXNS >= 300:
            kinds = set(RETRYABLE) | set(NON_RETRYABLE)
            missing = sorted(k for k in kinds if not totals.get(k)) + ([] if totals["down"] else ["down"])
            if missing or not upd:
                print("FAIL every kind of fault was injected, and some on UpdateItem (missing: %s)" % missing)
                failed += 1
            else:
                print("ok every kind of fault was injected (%d kinds), %d on UpdateItem" % (len(kinds) + 1, upd))
                passed += 1
        if self.alive:
            print("ok the backend is healthy at the end")
            passed += 1
        else:
            print("FAIL the backend is healthy at the end")
            failed += 1
        shown = 0
        for check, detail, txno in self.fails:
            if shown == 5:
                print("(%d more failures in %s)" % (len(self.fails) - shown, self.log.name))
                break
            print("--- FAIL %s\n%s" % (check, detail))
            shown += 1
        print("%d passed, %d failed" % (passed, failed))
        return failed == 0

    def cleanup(self):
        for p in self.proxies.values():
            p.stop()
        try:
            self.psql.close()
        except Exception:
            pass


def txn_list(numbers):
    return "%s %s" % ("transaction" if len(numbers) == 1 else "transactions",
                      ", ".join("setup" if n == 0 else str(n) for n in numbers))


def walk(items, undone=False):
    """The statements of a transaction, each with whether a ROLLBACK TO SAVEPOINT undid it."""
    for it in items:
        if "savepoint" in it:
            yield from walk(it["savepoint"], undone or it["end"] == "rollback")
        else:
            yield it, undone


def real_errors_in_statements(err):
    """True when an ERROR came from a statement rather than from the COMMIT (an early flush failed)."""
    for i, l in enumerate(err):
        if l.startswith("ERROR:") and not CONSEQUENTIAL.search(l):
            for l2 in err[i + 1:i + 7]:
                if l2.startswith("STATEMENT:"):
                    return not l2.startswith("STATEMENT:  COMMIT")
    return False


def schedule_hash(sched):
    h = hashlib.sha256()
    for tx in sched:
        h.update(json.dumps([tx["world"], tx["phase"], tx["down"], tx["script"], txn_sql(tx)],
                            ensure_ascii=False).encode())
    return h.hexdigest()[:12]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", type=int, help="print transaction N of the schedule and exit")
    ap.add_argument("--pghost")
    ap.add_argument("--pgport", type=int)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    sched = build_schedule(SEED, TXNS)
    if args.show:
        tx = sched[args.show - 1]
        print("-- seed %d, transaction %d of %d: %s, %s, %s%s; fault script %s" % (
            SEED, tx["no"], len(sched), "dynalite" if tx["world"] == "dyn" else "moto", tx["phase"], tx["shape"],
            ", endpoint down (proxy stopped)" if tx["down"] else "", json.dumps(tx["script"])))
        sys.stdout.write(txn_sql(tx))
        return 0
    if not (args.pghost and args.pgport and args.workdir):
        ap.error("--pghost, --pgport and --workdir are needed to run (test/scenarios/campaign.sh gives them)")
    for v in ("DDB_TEST", "DDB_DYNALITE_URL", "DDB_MOTO_URL"):
        if not os.environ.get(v):
            print("FAIL campaign: %s is not set (test/run.sh sets it)\n0 passed, 1 failed" % v)
            return 1
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    camp = Campaign(args)

    def on_signal(signum, frame):
        camp.cleanup()
        sys.exit(1)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        camp.main(sched)
        return 0 if camp.report(sched, schedule_hash(sched)) else 1
    except Exception as e:  # a broken harness or environment is a failure too
        import traceback
        traceback.print_exc()
        print("FAIL campaign could not run: %s\n0 passed, 1 failed" % e)
        return 1
    finally:
        camp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
