"""sms-provider.py: a stand-in for a Twilio-style SMS provider's HTTP API,
for sms-http.sh.  It is not a real provider: it answers as the test needs,
chosen by the last three digits of the number, and records every request
(one JSON object a line) for the test to read.

    ...400, ...410  400, an invalid number (always)
    ...401          401, credentials refused (always)
    ...503          503 the first time, then accepted
    ...999          no answer for 30 s the first time, then accepted
    anything else   201 with {"sid": "SM<n>"}

While a file LOG.fault holds an HTTP status (503, say), every request is
answered with it: a provider that is unwell for a while.

Usage: sms-provider.py PORT LOG USER:PASSWORD TOKEN
"""
import base64
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG, PAIR, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lock = threading.Lock()
seen = {}
count = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("utf-8")
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            fields = json.loads(raw)
        else:
            fields = {k: v[0] for k, v in
                      urllib.parse.parse_qs(raw, keep_blank_values=True)
                      .items()}
        auth = self.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(PAIR.encode()).decode()
        authed = auth in (basic, "Bearer " + TOKEN)
        to = fields.get("To", fields.get("to", ""))
        with lock:
            count[0] += 1
            k = count[0]
            first = to not in seen
            seen[to] = seen.get(to, 0) + 1
            with open(LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": self.path, "type": ctype,
                                    "auth": auth, "fields": fields,
                                    "n": k}) + "\n")
        tail = to[-3:]
        try:
            with open(LOG + ".fault", encoding="utf-8") as f:
                fault = int(f.read().strip() or 0)
        except (FileNotFoundError, ValueError):
            fault = 0
        if fault:
            return self.reply(fault, {"message": "Service Unavailable"})
        if tail == "401" or not authed:
            return self.reply(401, {"message": "Authenticate"})
        if tail in ("400", "410"):
            return self.reply(400, {"code": 21211,
                                    "message": "The 'To' number is not a "
                                    "valid phone number."})
        if tail == "503" and first:
            return self.reply(503, {"message": "Service Unavailable"})
        if tail == "666" and first:
            # Not HTTP at all: a gateway that answers nonsense.
            self.wfile.write(b"garbage, not a reply\r\n\r\n")
            self.close_connection = True
            return
        if tail == "999" and first:
            time.sleep(30)
            return self.reply(201, {"sid": "SMlate"})
        self.reply(201, {"sid": "SM%d" % k, "status": "queued"})


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
