#!/usr/bin/env python3
"""An internal HTTP service that is not DynamoDB: what a hostile endpoint
option would point the database server at (issue 12, item 4; the security
regress test).  Every request, any method, gets HTTP 400 and, by path:
  /         a text page holding a secret
  /json     a JSON document with the secret in a "message" field
  /typed    JSON with a "__type" that is not of AWS's form, and the secret
  /xml      XML that is not an <ErrorResponse>, with <Code> and <Message>
  /doc      a real DynamoDB error document (its message may be shown)
Usage: secretpage.py --port N
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "INTERNAL-SECRET-PAGE: db password hunter2"
BODIES = {
    "/json": ("application/json", json.dumps({"message": SECRET})),
    "/typed": ("application/json", json.dumps({"__type": "INTERNAL SECRET", "message": SECRET})),
    "/xml": ("text/xml", "<Page><Code>Secret</Code><Message>%s</Message></Page>" % SECRET),
    "/doc": ("application/x-amz-json-1.0", json.dumps({
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found"})),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        if length:
            self.rfile.read(length)
        ctype, body = BODIES.get(self.path, ("text/plain", SECRET + "\n"))
        data = body.encode()
        self.send_response(400)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
