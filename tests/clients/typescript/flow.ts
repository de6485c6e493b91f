// The client developer's day one, in TypeScript: types generated from the live document by
// openapi-typescript, calls through openapi-fetch, compiled with `tsc --strict`, no casts.
// Run: BINHDANG_URL=http://127.0.0.1:8080 node dist/flow.js (against `binhdang serve --demo`).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.d.ts";

type Training = components["schemas"]["Training"];
type ChangeItem = components["schemas"]["ChangeItem"];

const baseUrl = process.env.BINHDANG_URL ?? "http://127.0.0.1:8080";
const api = createClient<paths>({ baseUrl });

function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`failed: ${what}`);
  }
  console.log(`ok: ${what}`);
}

// 1. Sign in as a ward officer of the demo data.
const login = await api.POST("/api/v1/auth/login", {
  body: { username: "halong.officer", password: "binhdang-demo" },
});
if (!login.data) throw new Error(`login: ${login.response.status}`);
// 200 is the tokens; 202 would ask for a second factor (the demo users have none).
if (!("access_token" in login.data)) throw new Error("login: a second step was asked for");
const token: string = login.data.access_token;
const auth = { Authorization: `Bearer ${token}` };
check(login.data.token_type === "Bearer", "signed in as halong.officer");

// 2. Create a training with a client-chosen id and an Idempotency-Key, then retry it.
const id = crypto.randomUUID();
const key = `ts-flow-${id}`;
const body: components["schemas"]["NewTraining"] = {
  id,
  title: "Tập huấn bình đẳng giới (TypeScript client)",
  topics: ["gender_equality_law"],
  audiences: ["officials"],
  starts_on: "2020-11-24",
  ends_on: "2020-11-24",
  participants: { female: 12, male: 5, other: 0 },
};
const created = await api.POST("/api/v1/trainings", {
  params: { header: { "Idempotency-Key": key } },
  headers: auth,
  body,
});
if (!created.data) throw new Error(`create: ${created.response.status}`);
const first: Training = created.data;
check(created.response.status === 201 && first.id === id, "created with the client's id");
const retried = await api.POST("/api/v1/trainings", {
  params: { header: { "Idempotency-Key": key } },
  headers: auth,
  body,
});
check(retried.data?.id === id && retried.data.version === first.version, "the retry replays, doubling nothing");
check(first.participants.total === 17, "participants.total is typed and present");

// 3. List and page through trainings.
async function trainingsPage(cursor: string | undefined): Promise<components["schemas"]["Page_Training"]> {
  const page = await api.GET("/api/v1/trainings", {
    params: { query: { limit: 1, cursor } },
    headers: auth,
  });
  if (!page.data) throw new Error(`list: ${page.response.status}`);
  return page.data;
}
let cursor: string | undefined = undefined;
let seen = 0;
let pages = 0;
do {
  const page = await trainingsPage(cursor);
  for (const t of page.data) {
    seen += t.title.length > 0 ? 1 : 0;
  }
  cursor = page.next_cursor ?? undefined;
  pages += 1;
} while (cursor && pages < 100);
check(seen >= 2 && pages >= 2, `paged through ${seen} trainings in ${pages} pages`);

// 4. Follow the change feed from the start to the end, reading typed fields.
async function changesAfter(since: string | undefined): Promise<components["schemas"]["ChangesPage"]> {
  const feed = await api.GET("/api/v1/changes", {
    params: { query: { since, limit: 100 } },
    headers: auth,
  });
  if (!feed.data) throw new Error(`changes: ${feed.response.status}`);
  return feed.data;
}
let since: string | undefined = undefined;
let changes = 0;
let mine: Training | null = null;
for (let round = 0; round < 1000; round++) {
  const feed = await changesAfter(since);
  const items: ChangeItem[] = feed.data;
  for (const item of items) {
    changes += 1;
    if (item.type === "training" && item.data && item.data.id === id) {
      mine = item.data; // typed as Training by the discriminator
    }
  }
  since = feed.next_cursor;
  if (!feed.has_more) break;
}
check(changes > 0 && mine !== null && mine.title === body.title, `followed ${changes} changes, found the new training typed`);

// 5. A stale If-Match: the 412's `current` is the training as it is now, typed.
const stale = await api.PATCH("/api/v1/trainings/{id}", {
  params: { path: { id }, header: { "If-Match": '"0"' } },
  headers: auth,
  body: { title: "Sửa từ một bản cũ" },
});
check(stale.response.status === 412, "a stale If-Match is 412");
if (!stale.error || stale.response.status !== 412) throw new Error("no 412 problem");
const current = "current" in stale.error ? stale.error.current : undefined;
check(current?.version === first.version && current.id === id, "the 412 carries current.version");

// 6. An XLSX export, as bytes.
const xlsx = await api.GET("/api/v1/trainings/export", {
  params: { query: { format: "xlsx" } },
  headers: auth,
  parseAs: "arrayBuffer",
});
if (!xlsx.data) throw new Error(`export: ${xlsx.response.status}`);
const bytes = new Uint8Array(xlsx.data);
check(bytes.length > 100 && bytes[0] === 0x50 && bytes[1] === 0x4b, `the export is an XLSX file (${bytes.length} bytes)`);
console.log("typescript client: all steps passed");
