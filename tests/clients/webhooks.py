"""A partner's webhook receiver, verified with the Standard Webhooks libraries (PyPI's
`standardwebhooks`, and npm's through tests/clients/typescript/verify-webhook.mjs), as the
README's lines do, against events the live demo server sent (it runs with WEBHOOK_ALLOW_HTTP
and WEBHOOK_ALLOW_PRIVATE_ADDRESSES, so a receiver on 127.0.0.1 is allowed).

    BINHDANG_URL=http://127.0.0.1:8080 python3 tests/clients/webhooks.py
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BASE = os.environ.get("BINHDANG_URL", "http://127.0.0.1:8080")
API = BASE + "/api/v1"
received = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, token=None, body=None):
    req = urllib.request.Request(API + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read() or b"null")


def check(ok, what):
    if not ok:
        sys.exit("failed: " + what)
    print("ok: " + what)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=server.serve_forever, daemon=True).start()
receiver = "http://127.0.0.1:%d/hook" % server.server_address[1]

login = lambda u: call("POST", "/auth/login", body={"username": u, "password": "binhdang-demo"})["access_token"]
admin, officer = login("admin"), login("halong.officer")
client = next(c for c in call("GET", "/clients", admin)["data"] if c["client_id"] == "demo-ngo")
hook = call("POST", "/webhook-endpoints", admin, {"client_id": client["id"], "url": receiver, "event_types": ["outreach.created"]})
secret = hook["secret"]
check(secret.startswith("whsec_"), "the endpoint's secret is a Standard Webhooks secret")
event = call("POST", "/outreach", officer, {
    "kind": "street_event", "title": "Mít tinh hưởng ứng Tháng hành động", "starts_on": "2026-11-20",
    "ends_on": "2026-11-20", "participants": {"female": 30, "male": 20, "other": 0}, "is_public": True,
})
deadline = time.time() + 60
while time.time() < deadline and not received:
    time.sleep(0.2)
check(bool(received), "the demo server delivered the event")
headers, body = received[0]

# The README's Python lines.
verified = Webhook(secret).verify(body, headers)
check(verified["type"] == "outreach.created" and verified["data"]["id"] == event["id"], "standardwebhooks (PyPI) verified it")
try:
    Webhook(secret).verify(body.replace(b"outreach", b"outreacx"), headers)
    check(False, "an altered body is refused")
except WebhookVerificationError:
    check(True, "an altered body is refused")

# The README's TypeScript lines, with npm's library.
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"secret": secret, "body": body.decode(), "headers": headers}, f)
here = os.path.dirname(os.path.abspath(__file__))
subprocess.run(["node", os.path.join(here, "typescript", "verify-webhook.mjs"), f.name], check=True, timeout=60)
os.unlink(f.name)
deliveries = call("GET", "/webhook-endpoints/%s/deliveries" % hook["id"], admin)["data"]
check(any(d["status"] == "delivered" and d["last_status_code"] == 204 for d in deliveries), "the delivery shows 204")
