#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for ddb_fdw's tests (Python standard library only).

Listens on 127.0.0.1 and forwards DynamoDB JSON requests to an upstream server
on 127.0.0.1 (dynalite, moto, a null sink).  For BatchWriteItem and UpdateItem
requests (--ops) it can inject faults, either from a script (the next requests
get these faults, in order: deterministic, for pg_regress) or at random with a
seed; other requests (DescribeTable, Scan, ...) always pass:

  throttle     400 ProvisionedThroughputExceededException, nothing forwarded
  throttling   400 ThrottlingException, nothing forwarded
  limit        400 RequestLimitExceeded, nothing forwarded
  error500     500 InternalServerError, nothing forwarded
  error503     503 with a non-JSON body, nothing forwarded
  xml403       403 with an XML AccessDenied body, nothing forwarded
  validation   400 ValidationException, nothing forwarded (not retryable)
  expired      400 ExpiredTokenException, nothing forwarded (fresh credentials, then once more)
  html502      502 with an HTML body (a load balancer's), nothing forwarded
  page400      400 with a page that is no AWS error document (a secret in its
               text and in a JSON-looking "message"), nothing forwarded: a
               non-superuser must see the status only
  unprocessed  forwards half of the items, reports the rest as UnprocessedItems
               (on an UpdateItem, which has no UnprocessedItems: applied500)
  applied500   forwards, then answers 500 InternalServerError (written, yet failed)
  reset_before closes the connection before forwarding
  reset_after  forwards, then closes the connection without answering
  cut          forwards, then sends half of the response body and closes
  slow         waits --slow-ms before forwarding
  slow_after   forwards at once, answers after --slow-ms (written, answer late)
  stall        waits --slow-ms, then closes the connection without forwarding

TransactWriteItems (moto has it; dynalite has not):
  canceled     400 TransactionCanceledException, nothing forwarded: CancellationReasons
               ConditionalCheckFailed for the last action, None for the others
  canceled_all the same, ConditionalCheckFailed for every action
  conflict     400 TransactionCanceledException, nothing forwarded: TransactionConflict
               for the first action, None for the others (a retry can clear it)
  txconflict   400 TransactionConflictException, nothing forwarded
The ClientRequestToken of every TransactWriteItems that reaches the proxy is
recorded in order (GET /__proxy/tokens), faulted or not.

Hostile peers (nothing forwarded unless said; what a DynamoDB never answers):
  huge         200, chunked, a JSON body of --huge-mb MB, streamed (never held here)
  huge400      400 with Content-Length announcing --huge-mb MB, streamed
  bigheaders   forwards, answers with ~200 kB of extra header lines (under libcurl's own cap)
  trickle      200 with headers at once, then the body one byte every 0.4 s
  phantom      forwards, then lists as unprocessed a PutRequest never sent (id 999999)
  other_table  forwards, then lists as unprocessed a DeleteRequest of table "victim" (id 1)
  duplicate    lists the first request sent twice as unprocessed
  shrink       lists the first request sent as unprocessed k times, k = 1 + the
               "shrink" entries left in the script (more than was sent, one fewer each time)

STS AssumeRole requests (form bodies, "Action=AssumeRole") count as the
operation "AssumeRole", so a test can point aws.sts.endpoint here for huge.

Every request can also be delayed by --latency-ms (a network's round trip).
--null-ops OPS: those operations are answered at once as fully processed
(BatchWriteItem {"UnprocessedItems":{}}, others {}), nothing forwarded: a
null sink for measuring the client's own cost (test/atomic-bench.sh).
Control, on the proxy's own port:
  POST /__proxy/script  body: JSON list of fault names    -> replaces the script
  POST /__proxy/random  body: {"rate":0.3,"seed":1,"faults":[...]}
  POST /__proxy/reset                                      -> no faults, counters zeroed
  GET  /__proxy/stats                                      -> JSON counters
  GET  /__proxy/stats?detail=1      the same, plus "by_op": faults per operation
  GET  /__proxy/tokens              JSON list of the TransactWriteItems tokens seen
"""
import argparse
import http.client
import http.server
import json
import random
import socket
import socketserver
import threading
import time

STATE_LOCK = threading.Lock()
STATE = {"script": [], "rate": 0.0, "faults": [], "rng": random.Random(0),
         "counts": {}, "by_op": {}, "requests": 0, "forwarded": 0, "tokens": []}

ERRORS = {
    "throttle": (400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                 "The level of configured provisioned throughput for the table was exceeded."),
    "throttling": (400, "com.amazon.coral.availability#ThrottlingException", "Rate of requests exceeds the allowed throughput."),
    "limit": (400, "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded", "Throughput exceeds the current throughput limit for your account."),
    "error500": (500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"),
    "validation": (400, "com.amazon.coral.validate#ValidationException", "Injected validation failure"),
    "expired": (400, "com.amazon.coral.service#ExpiredTokenException", "The security token included in the request is expired"),
}


def next_fault():
    with STATE_LOCK:
        STATE["requests"] += 1
        if STATE["script"]:
            return STATE["script"].pop(0)
        if STATE["rate"] > 0 and STATE["rng"].random() < STATE["rate"]:
            return STATE["rng"].choice(STATE["faults"])
        return None


def count(name, op):
    with STATE_LOCK:
        STATE["counts"][name] = STATE["counts"].get(name, 0) + 1
        per_op = STATE["by_op"].setdefault(op, {})
        per_op[name] = per_op.get(name, 0) + 1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY, Nagle's
    # algorithm and the client's delayed ACK hold every answer back ~40 ms
    disable_nagle_algorithm = True
    upstream = None
    latency = 0.0
    slow = 0.0
    ops = ("BatchWriteItem", "UpdateItem", "TransactWriteItems", "AssumeRole")
    huge_mb = 300
    null_ops = ()

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, status, body, ctype="application/x-amz-json-1.0", close=False):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def forward(self, body, headers):
        # one keep-alive upstream connection per client connection: a new one per request
        # would leave a TIME_WAIT socket on an ephemeral port for every request
        for _ in range(2):
            conn = getattr(self, "upstream_conn", None)
            fresh = conn is None
            if fresh:
                conn = self.upstream_conn = http.client.HTTPConnection(*self.upstream, timeout=60)
            try:
                conn.request("POST", self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                self.upstream_conn = None
                if fresh:
                    raise
                continue  # the upstream closed an idle connection: once more on a new one
            if resp.will_close:
                conn.close()
                self.upstream_conn = None
            with STATE_LOCK:
                STATE["forwarded"] += 1
            return resp.status, data, resp.getheader("Content-Type", "application/x-amz-json-1.0")

    def finish(self):
        try:
            super().finish()
        finally:
            if getattr(self, "upstream_conn", None) is not None:
                self.upstream_conn.close()
                self.upstream_conn = None

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        if self.path == "/__proxy/tokens":
            with STATE_LOCK:
                tokens = list(STATE["tokens"])
            self.reply(200, json.dumps(tokens), "application/json")
        elif self.path in ("/__proxy/stats", "/__proxy/stats?detail=1"):
            with STATE_LOCK:
                stats = {"requests": STATE["requests"], "forwarded": STATE["forwarded"],
                         "faults": STATE["counts"], "script_left": len(STATE["script"])}
                if self.path.endswith("detail=1"):
                    stats["by_op"] = STATE["by_op"]
            self.reply(200, json.dumps(stats, sort_keys=True), "application/json")
        else:
            self.reply(200, "faultproxy\n", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.startswith("/__proxy/"):
            return self.control(body)
        if self.latency:
            time.sleep(self.latency)
        op = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        if not op and b"Action=AssumeRole" in body:
            op = "AssumeRole"
        if op == "TransactWriteItems":
            try:
                token = json.loads(body).get("ClientRequestToken")
            except ValueError:
                token = None
            with STATE_LOCK:
                STATE["tokens"].append(token)
        if op in self.null_ops:
            return self.reply(200, '{"UnprocessedItems":{}}' if op == "BatchWriteItem" else "{}")
        fault = next_fault() if op in self.ops else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        if fault == "unprocessed" and op != "BatchWriteItem":
            fault = "applied500"
        if fault:
            count(fault, op)
        if fault in ERRORS:
            status, typ, msg = ERRORS[fault]
            return self.reply(status, json.dumps({"__type": typ, "message": msg}))
        if fault == "error503":
            return self.reply(503, "Service Unavailable", "text/plain")
        if fault == "html502":
            return self.reply(502, "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway"
                                   "</h1></body></html>", "text/html")
        if fault == "page400":
            return self.reply(400, '<html><body>{"message": "PROXY-SECRET-PAGE"} PROXY-SECRET-PAGE'
                                   '</body></html>', "text/html")
        if fault == "xml403":
            return self.reply(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Injected denial"
                                   "</Message></Error></ErrorResponse>", "text/xml")
        if fault in ("canceled", "canceled_all", "conflict"):
            n = len(json.loads(body).get("TransactItems", []))
            reasons = [{"Code": "None"} for _ in range(n)]
            failed = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
            if fault == "canceled_all":
                reasons = [failed for _ in range(n)]
            elif n and fault == "canceled":
                reasons[-1] = failed
            elif n:
                reasons[0] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
            return self.reply(400, json.dumps({
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
                           % ", ".join(r["Code"] for r in reasons),
                "CancellationReasons": reasons}))
        if fault == "txconflict":
            return self.reply(400, json.dumps({
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
                "message": "Transaction is ongoing for the item"}))
        if fault == "reset_before":
            return self.drop()
        if fault == "slow":
            time.sleep(self.slow)
        if fault == "stall":
            time.sleep(self.slow)
            return self.drop()
        if fault == "unprocessed":
            return self.partial(body, headers)
        if fault in ("huge", "huge400"):
            return self.huge(fault == "huge400")
        if fault == "trickle":
            return self.trickle()
        if fault in ("duplicate", "shrink"):
            table, items = next(iter(json.loads(body)["RequestItems"].items()))
            if fault == "duplicate":
                k = 2
            else:
                with STATE_LOCK:
                    k = 1 + STATE["script"].count("shrink")
            return self.reply(200, json.dumps({"UnprocessedItems": {table: [items[0]] * k}}))
        status, data, ctype = self.forward(body, headers)
        if fault == "reset_after":
            return self.drop()
        if fault == "applied500" and status == 200:
            status, typ, msg = ERRORS["error500"]
            return self.reply(status, json.dumps({"__type": typ, "message": msg}))
        if fault == "slow_after":
            time.sleep(self.slow)
        if fault == "phantom" and status == 200:
            table = next(iter(json.loads(body)["RequestItems"]))
            return self.reply(200, json.dumps({"UnprocessedItems": {table: [
                {"PutRequest": {"Item": {"id": {"N": "999999"}, "v": {"S": "phantom"}}}}]}}))
        if fault == "other_table" and status == 200:
            return self.reply(200, json.dumps({"UnprocessedItems": {"victim": [
                {"DeleteRequest": {"Key": {"id": {"N": "1"}}}}]}}))
        if fault == "bigheaders" and status == 200:
            self.send_response(status)
            for i in range(200):
                self.send_header("X-Padding-%d" % i, "p" * 1000)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return self.wfile.flush()
        if fault == "cut":
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            return self.drop()
        self.reply(status, data, ctype)

    def huge(self, with_length):
        # a valid JSON document: an old client that buffers it all also parses it
        size = self.huge_mb * 1024 * 1024
        head = b'{"UnprocessedItems":{},"padding":"'
        tail = b'"}'
        chunk = b"x" * 65536
        try:
            if with_length:
                self.send_response(400)
                self.send_header("Content-Length", str(size))
            else:
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.end_headers()
            pad = size - len(head) - len(tail)
            pieces = [head] + [chunk] * (pad // len(chunk)) + [chunk[:pad % len(chunk)], tail]
            for piece in (p for p in pieces if p):  # one 64 kB object over and over: nothing accumulates
                self.wfile.write(piece if with_length else b"%x\r\n%s\r\n" % (len(piece), piece))
            if not with_length:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass  # the client gave up: what the test wants
        self.close_connection = True

    def trickle(self):
        data = b"{}" + b" " * 998
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.flush()
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(0.4)
        except OSError:
            pass
        self.close_connection = True

    def partial(self, body, headers):
        request = json.loads(body)
        sent, kept = {}, {}
        for table, items in request["RequestItems"].items():
            half = len(items) // 2
            if half:
                sent[table] = items[:half]
            kept[table] = items[half:]
        self.forward_split(sent, kept, headers)

    def forward_split(self, sent, kept, headers):
        """Forward the write requests of sent ({table: [request]}), answer kept as UnprocessedItems."""
        if sent:
            raw = json.dumps({"RequestItems": sent}).encode()
            headers = dict(headers)
            headers["Content-Length"] = str(len(raw))
            # the upstream checks signatures of what it gets only in auth mode: use dynalite/moto without auth
            status, data, ctype = self.forward(raw, headers)
            if status != 200:
                return self.reply(status, data, ctype)
        self.reply(200, json.dumps({"UnprocessedItems": kept}))

    def control(self, body):
        cmd = self.path[len("/__proxy/"):]
        with STATE_LOCK:
            if cmd == "script":
                STATE["script"] = list(json.loads(body or b"[]"))
            elif cmd == "random":
                spec = json.loads(body)
                STATE["rate"] = float(spec.get("rate", 0))
                STATE["faults"] = list(spec.get("faults", []))
                STATE["rng"] = random.Random(spec.get("seed", 0))
            elif cmd == "reset":
                STATE.update(script=[], rate=0.0, faults=[], counts={}, by_op={}, requests=0, forwarded=0,
                             tokens=[])
            else:
                return self.reply(404, "unknown control command\n", "text/plain")
        self.reply(200, "ok\n", "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--slow-ms", type=float, default=3000)
    ap.add_argument("--huge-mb", type=int, default=300)
    ap.add_argument("--ops", default="BatchWriteItem,UpdateItem,TransactWriteItems,AssumeRole",
                    help="comma-separated operations that faults apply to")
    ap.add_argument("--null-ops", default="", help="comma-separated operations answered at once, not forwarded")
    args = ap.parse_args()
    Handler.null_ops = tuple(o for o in args.null_ops.split(",") if o)
    Handler.ops = tuple(o for o in args.ops.split(",") if o)
    Handler.upstream = ("127.0.0.1", args.upstream_port)
    Handler.latency = args.latency_ms / 1000.0
    Handler.slow = args.slow_ms / 1000.0
    Handler.huge_mb = args.huge_mb
    Server(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
