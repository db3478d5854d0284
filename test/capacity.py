#!/usr/bin/env python3
"""A proxy that behaves like DynamoDB tables in provisioned capacity mode.

Listens on 127.0.0.1 and forwards to an upstream (dynalite) on 127.0.0.1, as
test/faultproxy.py does, but limits each table's writes like provisioned
write capacity:

  * every table has a token bucket of write capacity units (WCU): --wcu
    tokens a second (or what /__capacity/set says for that table), holding
    at most --burst-s seconds of them (DynamoDB keeps up to 300 s of unused
    capacity; the default here is 1 s, so a test measures the steady rate,
    not the burst).  A bucket starts full.
  * a write costs 1 WCU per started KB of the item (the length of its JSON
    text, a close upper bound of DynamoDB's item size): 1 for small items.
  * BatchWriteItem: the requests are taken in order while tokens last; the
    accepted ones are forwarded, the rest come back in UnprocessedItems (as
    sent).  When not one request of the call can be accepted the call fails
    with 400 ProvisionedThroughputExceededException and ThrottlingReasons,
    nothing forwarded.  UpdateItem, PutItem and DeleteItem: one token or 400.
  * a table with 0 WCU never accepts a write (a table that makes no progress).
  * --retry-after-ms N adds "x-amz-retry-after: N" to every throttling answer.

Other operations (CreateTable, DescribeTable, Scan, ...) pass unmetered.

Control, on the proxy's own port:
  POST /__capacity/set    {"table":"t","wcu":300,"burst_s":1}  one table
                          {"wcu":300}  the default of tables not set
  POST /__capacity/reset  counters zeroed, buckets refilled, per-table settings dropped
  GET  /__capacity/stats  {"calls","throttled_calls","accepted_items",
                           "unprocessed_items","by_table":{...}}
"""
import argparse
import json
import math
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultproxy  # noqa: E402  (its forwarding handler and threaded server)

LOCK = threading.Lock()
DEFAULTS = {"wcu": 300.0, "burst_s": 1.0, "retry_after_ms": None}
TABLES = {}     # name -> {"wcu", "burst_s", "tokens", "at"}
STATS = {}      # name -> counters
THROTTLE_TYPE = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
THROTTLE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. "
                    "Consider increasing your provisioning level with the UpdateTable API.")


def bucket(name):
    """The table's bucket, refilled up to now (call with LOCK held)."""
    b = TABLES.get(name)
    now = time.monotonic()
    if b is None:
        b = TABLES[name] = {"wcu": DEFAULTS["wcu"], "burst_s": DEFAULTS["burst_s"],
                            "tokens": DEFAULTS["wcu"] * DEFAULTS["burst_s"], "at": now, "set": False}
    cap = b["wcu"] * b["burst_s"]
    b["tokens"] = min(cap, b["tokens"] + (now - b["at"]) * b["wcu"])
    b["at"] = now
    return b


def stats_of(name):
    return STATS.setdefault(name, {"calls": 0, "throttled_calls": 0, "accepted_items": 0,
                                   "unprocessed_items": 0})


def cost(request):
    return max(1, math.ceil(len(json.dumps(request, separators=(",", ":"))) / 1024))


def throttle_body(table):
    return json.dumps({"__type": THROTTLE_TYPE, "message": THROTTLE_MESSAGE,
                       "ThrottlingReasons": [{
                           "reason": "TableWriteProvisionedThroughputExceeded",
                           "resource": "arn:aws:dynamodb:us-east-1:000000000000:table/" + table}]})


class Handler(faultproxy.Handler):
    def throttled(self, table):
        data = throttle_body(table).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        if DEFAULTS["retry_after_ms"] is not None:
            self.send_header("x-amz-retry-after", str(DEFAULTS["retry_after_ms"]))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/__capacity/stats":
            with LOCK:
                total = {k: sum(s[k] for s in STATS.values())
                         for k in ("calls", "throttled_calls", "accepted_items", "unprocessed_items")}
                total["by_table"] = dict(STATS)
            return self.reply(200, json.dumps(total, sort_keys=True), "application/json")
        self.reply(200, "capacity proxy\n", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.startswith("/__capacity/"):
            return self.control(body)
        target = self.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1]
        headers = {k: v for k, v in self.headers.items()}
        if op == "BatchWriteItem":
            return self.batch_write(body, headers)
        if op in ("UpdateItem", "PutItem", "DeleteItem"):
            table = json.loads(body).get("TableName", "")
            with LOCK:
                b = bucket(table)
                s = stats_of(table)
                s["calls"] += 1
                if b["tokens"] < 1:
                    s["throttled_calls"] += 1
                    ok = False
                else:
                    b["tokens"] -= 1
                    s["accepted_items"] += 1
                    ok = True
            if not ok:
                return self.throttled(table)
        status, data, ctype = self.forward(body, headers)
        self.reply(status, data, ctype)

    def batch_write(self, body, headers):
        request = json.loads(body)
        sent, kept = {}, {}
        first_table = None
        with LOCK:
            for table, items in request.get("RequestItems", {}).items():
                first_table = first_table or table
                b = bucket(table)
                s = stats_of(table)
                s["calls"] += 1
                for item in items:
                    c = cost(item)
                    if b["tokens"] >= c:
                        b["tokens"] -= c
                        sent.setdefault(table, []).append(item)
                    else:
                        kept.setdefault(table, []).append(item)
            if not sent:
                for table in request.get("RequestItems", {}):
                    stats_of(table)["throttled_calls"] += 1
            else:
                for table, items in sent.items():
                    stats_of(table)["accepted_items"] += len(items)
                for table, items in kept.items():
                    stats_of(table)["unprocessed_items"] += len(items)
        if not sent:
            return self.throttled(first_table or "")
        self.forward_split(sent, kept, headers)

    def control(self, body):
        cmd = self.path[len("/__capacity/"):]
        spec = json.loads(body or b"{}")
        with LOCK:
            if cmd == "set":
                if "table" in spec:
                    b = bucket(spec["table"])
                    b["wcu"] = float(spec.get("wcu", b["wcu"]))
                    b["burst_s"] = float(spec.get("burst_s", b["burst_s"]))
                    b["tokens"] = b["wcu"] * b["burst_s"]
                else:
                    for k in ("wcu", "burst_s"):
                        if k in spec:
                            DEFAULTS[k] = float(spec[k])
                    if "retry_after_ms" in spec:
                        DEFAULTS["retry_after_ms"] = spec["retry_after_ms"]
                    TABLES.clear()
            elif cmd == "reset":
                STATS.clear()
                TABLES.clear()
            else:
                return self.reply(404, "unknown control command\n", "text/plain")
        self.reply(200, "ok\n", "text/plain")


class Server(faultproxy.Server):
    # many backends with 50 connections each connect at once: socketserver's
    # backlog of 5 would drop SYNs and stall connects for seconds
    request_queue_size = 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--wcu", type=float, default=300)
    ap.add_argument("--burst-s", type=float, default=1.0)
    ap.add_argument("--retry-after-ms", type=int, default=None)
    args = ap.parse_args()
    DEFAULTS.update(wcu=args.wcu, burst_s=args.burst_s, retry_after_ms=args.retry_after_ms)
    Handler.upstream = ("127.0.0.1", args.upstream_port)
    Server(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
