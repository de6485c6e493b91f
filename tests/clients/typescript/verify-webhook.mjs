// Verifies a webhook the demo server sent with the Standard Webhooks library from npm, as the
// README's TypeScript lines do: node verify-webhook.mjs FILE, FILE holding {secret, body, headers}.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const { secret, body, headers } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const event = new Webhook(secret).verify(body, headers);
if (event.type !== "outreach.created") throw new Error(`unexpected event ${JSON.stringify(event)}`);
let refused = false;
try {
  new Webhook(secret).verify(body.replace("outreach", "outreacx"), headers);
} catch {
  refused = true;
}
if (!refused) throw new Error("an altered body verified");
console.log(`ok: standardwebhooks (npm) verified ${headers["webhook-id"]} and refused an altered body`);
