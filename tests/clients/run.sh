#!/usr/bin/env bash
# The contract checked with other people's tools, against one live demo server (the debug
# binary the tests built, on an embedded database in a temporary directory):
#   1. the served document is valid OpenAPI 3.1 (openapi-spec-validator)
#   2. a TypeScript client (openapi-typescript + openapi-fetch), compiled with tsc --strict, runs
#      the client developer's flow
#   3. a Python client (openapi-python-client, no operation left out) runs the same flow
#   4. a partner's webhook receiver verifies what the server sent with the Standard Webhooks
#      libraries of PyPI and npm
#   5. Swagger UI in headless Chromium: authorize, execute a list, see the 200
# Each step runs under a timeout. Needs: node/npm (tests/clients/typescript installed with npm ci),
# openapi-python-client, openapi-spec-validator, selenium, chromium and chromium-driver.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BINHDANG_BIN:-target/debug/binhdang}
data=$(mktemp -d)
chmod 755 "$data"   # the embedded cluster runs as the postgres user when we are root
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BINHDANG_URL="http://127.0.0.1:$port"
log="$data/serve.log"
# Webhooks may go to this machine's own receiver (tests/clients/webhooks.py).
BINHDANG_DATA_DIR="$data" RUST_LOG=warn WEBHOOK_ALLOW_HTTP=1 WEBHOOK_ALLOW_PRIVATE_ADDRESSES=1 WEBHOOK_POLL_MILLISECONDS=200 \
  "$bin" serve --demo --port "$port" >"$log" 2>&1 &
server=$!
cleanup() {
  kill -INT "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
fetch() {  # fetch URL [FILE]: the body to FILE (or nowhere); fails unless 2xx
  python3 - "$@" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as res:
    body = res.read()
if len(sys.argv) > 2:
    open(sys.argv[2], "wb").write(body)
PY
}
for _ in $(seq 1 120); do
  if fetch "$BINHDANG_URL/health/ready" 2>/dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$log"; echo "the demo server did not start" >&2; exit 1; fi
  sleep 0.5
done
fetch "$BINHDANG_URL/health/ready" || { cat "$log"; echo "the demo server is not ready" >&2; exit 1; }
echo "demo server on $BINHDANG_URL"

echo "-- the served document is valid OpenAPI 3.1"
fetch "$BINHDANG_URL/api/openapi.json" "$data/openapi.json"
timeout 120 python3 -c "
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))
print('served document: valid')" "$data/openapi.json"

echo "-- TypeScript: openapi-typescript + openapi-fetch, tsc --strict"
(
  cd tests/clients/typescript
  rm -rf generated dist
  timeout 120 npx --no-install openapi-typescript "$BINHDANG_URL/api/openapi.json" -o generated/schema.d.ts
  timeout 180 npx --no-install tsc -p tsconfig.json
  timeout 120 node dist/flow.js
)

echo "-- Python: openapi-python-client"
(
  cd tests/clients/python
  rm -rf generated
  out=$(timeout 180 python3 -m openapi_python_client generate --url "$BINHDANG_URL/api/openapi.json" \
    --output-path generated --overwrite --config config.yml 2>&1) || { echo "$out"; exit 1; }
  echo "$out"
  if grep -qiE "warning|will not be generated|error" <<<"$out"; then
    echo "openapi-python-client left something out" >&2
    exit 1
  fi
  PYTHONPATH=generated timeout 120 python3 flow.py
)

echo "-- Webhooks verified with the Standard Webhooks libraries (PyPI and npm)"
timeout 120 python3 tests/clients/webhooks.py

echo "-- Swagger UI in headless Chromium"
timeout 180 python3 tests/swagger_ui/check.py
