"""How many cases schemathesis ran, per operation, from its NDJSON event reports: at least 3000 in
all and at least 20 for every operation tested (over both roles), or the check fails."""
import collections
import json
import sys

MIN_TOTAL, MIN_PER_OPERATION = 3000, 20

per_op = collections.Counter()
for path in sys.argv[1:]:
    for line in open(path):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        for case in finished["recorder"]["cases"].values():
            value = case["value"]
            per_op[f'{value["method"].upper()} {value["path"]}'] += 1
total = sum(per_op.values())
few = {op: n for op, n in per_op.items() if n < MIN_PER_OPERATION}
print(f"schemathesis: {total} cases over {len(per_op)} operations; fewest: "
      + ", ".join(f"{op} {n}" for op, n in sorted(per_op.items(), key=lambda kv: kv[1])[:3]))
if total < MIN_TOTAL or few:
    sys.exit(f"too few cases: {total} in all (at least {MIN_TOTAL}); under {MIN_PER_OPERATION}: {few}")
