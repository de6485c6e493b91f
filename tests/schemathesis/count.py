"""What schemathesis ran, from its NDJSON event reports (one per role; the OpenAPI document
first): at least 3000 cases in all and at least 20 for every documented operation that takes
input (over all roles; the probes of undocumented methods, which schemathesis adds, are not
operations), at least 5 for one that takes none (no parameter, no body: schemathesis has only a
few distinct cases of it to make, and how many it repeats within the time varies from machine to
machine: 19 of them on CI once, 13 on a loaded run), and the
session held (no more than a tenth of the answers were 401: a run whose token stopped working
tests nothing)."""
import collections
import json
import sys

MIN_TOTAL, MIN_PER_OPERATION, MIN_WITHOUT_INPUT, MAX_UNAUTHORIZED = 3000, 20, 5, 0.10

document = json.load(open(sys.argv[1]))
operations, without_input = set(), set()
for path, item in document["paths"].items():
    for method, operation in item.items():
        if method not in ("get", "post", "put", "patch", "delete"):
            continue
        operations.add(f"{method.upper()} {path}")
        if not (operation.get("parameters") or item.get("parameters") or operation.get("requestBody")):
            without_input.add(f"{method.upper()} {path}")
per_op = collections.Counter()
for path in sys.argv[2:]:
    statuses = collections.Counter()
    for line in open(path):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        for case in (recorder.get("cases") or {}).values():
            value = case["value"]
            operation = f'{value["method"].upper()} {value["path"]}'
            if operation in operations:
                per_op[operation] += 1
        for interaction in (recorder.get("interactions") or {}).values():
            response = interaction.get("response") or {}
            statuses[response.get("status_code")] += 1
    answered = sum(statuses.values())
    share = statuses[401] / answered if answered else 1.0
    print(f"{path}: {answered} answers, {share:.1%} of them 401")
    if share > MAX_UNAUTHORIZED:
        sys.exit(f"{path}: {share:.0%} of the answers were 401: the run's session did not hold")
total = sum(per_op.values())
excluded = {"POST /api/v1/auth/logout", "POST /api/v1/auth/password"}
few = {
    op: per_op[op]
    for op in sorted(operations - excluded)
    if per_op[op] < (MIN_WITHOUT_INPUT if op in without_input else MIN_PER_OPERATION)
}
print(f"schemathesis: {total} cases over {len(per_op)} operations; fewest: "
      + ", ".join(f"{op} {n}" for op, n in sorted(per_op.items(), key=lambda kv: kv[1])[:3]))
if total < MIN_TOTAL or few:
    sys.exit(f"too few cases: {total} in all (at least {MIN_TOTAL}); under their minimum: {few}")
