"""The client developer's day one, in Python: a client generated from the live document by
openapi-python-client (with no operation left out), run against `binhdang serve --demo`.

    BINHDANG_URL=http://127.0.0.1:8080 PYTHONPATH=generated python3 flow.py
"""

import os
import sys
import uuid

from binhdang_api_client import AuthenticatedClient, Client
from binhdang_api_client.api.auth import login
from binhdang_api_client.api.sync import list_changes
from binhdang_api_client.api.trainings import create_training, export_trainings, list_trainings, update_training
from binhdang_api_client.models import (
    Audience,
    CountsInput,
    ExportFormat,
    LoginRequest,
    NewTraining,
    PageTraining,
    Problem,
    StaleTraining,
    TokenResponse,
    Topic,
    Training,
    TrainingChange,
    TrainingPatch,
)
from binhdang_api_client.types import File, UNSET

BASE = os.environ.get("BINHDANG_URL", "http://127.0.0.1:8080")


def check(ok: bool, what: str) -> None:
    if not ok:
        sys.exit(f"failed: {what}")
    print(f"ok: {what}")


# 1. Sign in as a ward officer of the demo data.
anonymous = Client(base_url=BASE, timeout=30.0)
tokens = login.sync(client=anonymous, body=LoginRequest(username="halong.officer", password="binhdang-demo"))
# 200 is the tokens; 202 (SecondStep) would ask for a second factor (the demo users have none).
check(isinstance(tokens, TokenResponse), "signed in as halong.officer")
api = AuthenticatedClient(base_url=BASE, token=tokens.access_token, timeout=30.0)

# 2. Create a training with a client-chosen id and an Idempotency-Key, then retry it.
training_id = uuid.uuid4()
key = f"py-flow-{training_id}"
body = NewTraining(
    id=training_id,
    title="Tập huấn bình đẳng giới (Python client)",
    topics=[Topic.GENDER_EQUALITY_LAW],
    audiences=[Audience.OFFICIALS],
    starts_on=__import__("datetime").date(2020, 11, 25),
    ends_on=__import__("datetime").date(2020, 11, 25),
    participants=CountsInput(female=20, male=7, other=0),
)
first = create_training.sync_detailed(client=api, body=body, idempotency_key=key)
check(first.status_code == 201 and isinstance(first.parsed, Training), "created with the client's id")
created = first.parsed
check(created.id == training_id and created.participants.total == 27, "typed fields, total present")
again = create_training.sync(client=api, body=body, idempotency_key=key)
check(isinstance(again, Training) and again.id == training_id and again.version == created.version,
      "the retry replays, doubling nothing")

# 3. List and page through trainings.
cursor, seen, pages = UNSET, 0, 0
while pages < 100:
    page = list_trainings.sync(client=api, limit=1, cursor=cursor)
    check(isinstance(page, PageTraining), f"page {pages + 1} of trainings") if pages == 0 else None
    assert isinstance(page, PageTraining)
    seen += len(page.data)
    pages += 1
    if not page.next_cursor:
        break
    cursor = page.next_cursor
check(seen >= 2 and pages >= 2, f"paged through {seen} trainings in {pages} pages")

# 4. Follow the change feed from the start to the end, reading typed fields.
since, changes, mine = UNSET, 0, None
for _ in range(1000):
    feed = list_changes.sync(client=api, since=since, limit=100)
    assert feed is not None and not isinstance(feed, Problem), feed
    for item in feed.data:
        changes += 1
        if isinstance(item, TrainingChange) and isinstance(item.data, Training) and item.data.id == training_id:
            mine = item.data
    since = feed.next_cursor
    if not feed.has_more:
        break
check(mine is not None and mine.title == body.title, f"followed {changes} changes, found the new training typed")

# 5. A stale If-Match: the 412's `current` is the training as it is now, typed.
stale = update_training.sync(id=training_id, client=api, body=TrainingPatch(title="Sửa từ một bản cũ"), if_match='"0"')
check(isinstance(stale, StaleTraining), "a stale If-Match is a StaleTraining problem")
check(stale.current.version == created.version and stale.current.id == training_id, "the 412 carries current.version")

# 6. An XLSX export, as bytes.
xlsx = export_trainings.sync(client=api, format_=ExportFormat.XLSX)
check(isinstance(xlsx, File), "the export is a file")
data = xlsx.payload.read()
check(len(data) > 100 and data[:2] == b"PK", f"the export is an XLSX file ({len(data)} bytes)")
print("python client: all steps passed")
