#!/usr/bin/env python3
"""A stand-in for the machine's credential endpoints (Python standard library only):
the ECS/EKS container credentials endpoint and EC2 instance metadata (IMDSv2),
on 127.0.0.1, handing out the credentials it was started with.

  GET  /ecs                                        needs "Authorization: <--ecs-token>"
  PUT  /latest/api/token                           needs X-aws-ec2-metadata-token-ttl-seconds
  GET  /latest/meta-data/iam/security-credentials/          needs the session token
  GET  /latest/meta-data/iam/security-credentials/<role>    the same
Every answer's Expiration is now + expires_in seconds (default 3600).
Control: POST /__config {"expires_in": 60};  GET /__stats -> hits per path.
"""
import argparse
import datetime
import http.server
import json
import socketserver
import threading

LOCK = threading.Lock()
HITS = {}
CONFIG = {"expires_in": 3600}
ROLE = "ddb-instance-role"
IMDS_TOKEN = "imds-session-token-1"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    creds = None
    ecs_token = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def hit(self, name):
        with LOCK:
            HITS[name] = HITS.get(name, 0) + 1

    def document(self, **extra):
        with LOCK:
            expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=CONFIG["expires_in"])
        doc = {"AccessKeyId": self.creds["id"], "SecretAccessKey": self.creds["secret"],
               "Token": self.creds["token"], "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}
        doc.update(extra)
        return json.dumps(doc)

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.hit("imds_token")
            return self.reply(200, IMDS_TOKEN, "text/plain")
        self.reply(400, "bad token request", "text/plain")

    def do_GET(self):
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == "/__stats":
            with LOCK:
                return self.reply(200, json.dumps(HITS, sort_keys=True))
        if self.path == "/ecs":
            if self.headers.get("Authorization") != self.ecs_token:
                self.hit("ecs_denied")
                return self.reply(403, '{"message": "bad authorization"}')
            self.hit("ecs")
            return self.reply(200, self.document())
        if self.path.startswith(base):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                self.hit("imds_denied")
                return self.reply(401, "", "text/plain")
            if self.path == base:
                self.hit("imds_role")
                return self.reply(200, ROLE + "\n", "text/plain")
            if self.path == base + ROLE:
                self.hit("imds_creds")
                return self.reply(200, self.document(Code="Success", Type="AWS-HMAC"))
        self.reply(404, "not found", "text/plain")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/__config":
            with LOCK:
                CONFIG.update(json.loads(body))
            return self.reply(200, "{}")
        self.reply(404, "not found", "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--creds", required=True, help="JSON file: {id, secret, token}")
    ap.add_argument("--ecs-token", required=True)
    args = ap.parse_args()
    with open(args.creds) as f:
        Handler.creds = json.load(f)
    Handler.ecs_token = args.ecs_token
    Server(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
