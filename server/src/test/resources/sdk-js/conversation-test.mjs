// End-to-end check of the JavaScript SDK against a running gateway; run by JavaScriptSdkIntegrationTest.
//
//   node --experimental-websocket conversation-test.mjs <ws-url> <token-a> <token-b> <conversation-id>
//
// The SDK is imported from $STORECAST_SDK, else from storecast.mjs next to this script (the Java
// test copies it there: Node would read a .js file outside an ESM package as CommonJS).
// Exits 0 when every check passed, 1 otherwise; diagnostics go to stderr.

import { pathToFileURL } from "node:url";

const [url, tokenA, tokenB, conversation] = process.argv.slice(2);
if (!conversation) {
  console.error("usage: conversation-test.mjs <ws-url> <token-a> <token-b> <conversation-id>");
  process.exit(2);
}
const sdk = process.env.STORECAST_SDK ? pathToFileURL(process.env.STORECAST_SDK) : new URL("./storecast.mjs", import.meta.url);
const { StorecastClient } = await import(sdk);

const PER_SENDER = 20;
const WebSocketImpl = globalThis.WebSocket;
let passed = 0;
let failed = 0;

function check(name, ok, details = "") {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.error(`FAIL ${name}${details ? `\n     ${details}` : ""}`);
  }
}

/** Expects the promise to reject with one of these codes; returns the error. */
async function rejects(name, promise, codes) {
  try {
    const value = await promise;
    check(name, false, `resolved with ${JSON.stringify(value)}`);
  } catch (e) {
    check(name, codes.includes(e.code), `rejected with code=${e.code} field=${e.field} (${e.message}), expected ${codes.join(" or ")}`);
    return e;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, ms) {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(25);
  return condition();
}

/** Records what a client hears. */
function recorder() {
  const r = { messages: [], events: [], connects: 0, disconnects: [] };
  r.listener = {
    onMessage: (m) => r.messages.push(m),
    onEvent: (f) => r.events.push(f),
    onConnected: () => r.connects++,
    onDisconnected: (code, reason) => r.disconnects.push(`${code} ${reason}`),
  };
  r.seqs = () => r.messages.filter((m) => m.conversationId === conversation).map((m) => m.seq);
  return r;
}

// a safety net: the Java side kills us after 60 s, but a clear message is better
setTimeout(() => {
  console.error("FAIL the script did not finish within 50 s");
  console.error(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 50_000).unref();

const ra = recorder();
const rb = recorder();
const clients = [];
try {
  if (typeof WebSocketImpl !== "function") throw new Error("no global WebSocket: run node with --experimental-websocket");
  const a = await StorecastClient.connect({ url, token: tokenA, follow: { [conversation]: 0 }, listener: ra.listener, WebSocketImpl });
  clients.push(a);
  // a token function, as a browser app refreshing its token would pass
  const b = await StorecastClient.connect({ url, token: async () => tokenB, follow: { [conversation]: 0 }, listener: rb.listener, WebSocketImpl });
  clients.push(b);
  check("both clients connected and know who they are",
    /^(staff|customer):/.test(a.participant ?? "") && /^(staff|customer):/.test(b.participant ?? "") && a.participant !== b.participant,
    `a=${a.participant} b=${b.participant}`);

  // both sides talk at once; b's socket drops twice with requests in flight, the second time
  // once it is back from the first
  const acks = [];
  let drops = 0;
  for (let i = 0; i < PER_SENDER; i++) {
    acks.push(a.sendText(conversation, `a${i}`), b.sendText(conversation, `b${i}`));
    if ((i === 6 && drops === 0) || (i >= 12 && drops === 1 && rb.connects === 2)) {
      b._dropForTest();
      drops++;
    }
    await sleep(20);
  }
  const settled = await Promise.allSettled(acks);
  const refused = settled.filter((s) => s.status === "rejected");
  check(`all ${2 * PER_SENDER} sends acknowledged`, refused.length === 0, refused.map((s) => s.reason?.message).join("; "));
  const ackSeqs = settled.filter((s) => s.status === "fulfilled").map((s) => s.value.seq).sort((x, y) => x - y);
  const all = Array.from({ length: 2 * PER_SENDER }, (_, i) => i + 1);
  check("the acks hold seq 1..40 once each", JSON.stringify(ackSeqs) === JSON.stringify(all), `acks: ${ackSeqs}`);

  await until(() => ra.seqs().length >= all.length && rb.seqs().length >= all.length, 15_000);
  await sleep(300); // a duplicate would come late, if at all
  for (const [name, r] of [["a", ra], ["b", rb]]) {
    check(`${name} heard seq 1..40 exactly once, in order`, JSON.stringify(r.seqs()) === JSON.stringify(all), `heard: ${r.seqs()}`);
    const texts = r.messages.map((m) => m.body?.text).sort();
    const expected = [...Array.from({ length: PER_SENDER }, (_, i) => `a${i}`), ...Array.from({ length: PER_SENDER }, (_, i) => `b${i}`)].sort();
    check(`${name} heard every text once`, JSON.stringify(texts) === JSON.stringify(expected), `texts: ${texts}`);
  }
  await until(() => rb.connects === drops + 1, 5_000);
  check("b was dropped twice mid-way and came back", drops === 2 && rb.disconnects.length === 2 && rb.connects === 3, `drops=${drops} disconnects=${JSON.stringify(rb.disconnects)} connects=${rb.connects}`);
  check("a stayed connected", ra.disconnects.length === 0, `disconnects=${JSON.stringify(ra.disconnects)}`);
  check("own messages carry their sender", ra.messages.filter((m) => m.body?.text?.startsWith("a")).every((m) => m.sender === a.participant));
  check("cursors() tells the last seq delivered", a.cursors()[conversation] === 40 && b.cursors()[conversation] === 40, JSON.stringify([a.cursors(), b.cursors()]));

  // a read receipt is pushed to the other side as an event; a's cursor must really move, so it
  // reads a message b sent after everything a sent (sending marks one's own message read)
  const fromB = await b.sendText(conversation, "最后一条");
  await until(() => ra.seqs().at(-1) === fromB.seq, 5_000);
  await a.markRead(conversation, fromB.seq);
  check("a read receipt reaches the other side",
    await until(() => rb.events.some((e) => e.type === "read" && e.seq === fromB.seq && e.participant === a.participant), 5_000),
    `b's events: ${JSON.stringify(rb.events)}`);

  // errors reject with the server's code and field, and the connection lives on
  await rejects("a send to an unknown conversation is refused", a.sendText(crypto.randomUUID(), "有人吗?"), ["not-found", "not-a-member"]);
  const long = await rejects("a text over 4,000 characters is refused", a.sendText(conversation, "字".repeat(4001)), ["text-too-long"]);
  check("the error names the field", typeof long?.field === "string" && long.field.length > 0, `field=${long?.field}`);
  await rejects("a read beyond the last seq is refused", a.markRead(conversation, 999), ["seq-out-of-range"]);
  await rejects("an unknown request type is refused", a.request({ type: "teleport" }), ["unknown-frame-type"]);
  const history = await a.request({ type: "history", conversationId: conversation, before: 41, limit: 5 });
  check("a generic request resolves with its ack", history.type === "ack" && history.messages?.[0]?.seq === 40, JSON.stringify(history).slice(0, 300));
  const more = await a.sendText(conversation, "还在");
  check("the connection lived through the errors", more.seq === 42, JSON.stringify(more));
  check("b hears it too", await until(() => rb.seqs().at(-1) === 42, 5_000), `b heard: ${rb.seqs().slice(-3)}`);

  // retrying a send with the same clientMsgId stores nothing new
  const first = await a.send(conversation, "js-retry-1", "TEXT", { text: "同一条" });
  const again = await a.send(conversation, "js-retry-1", "TEXT", { text: "同一条" });
  check("a resend is answered with the original", again.duplicate === true && again.seq === first.seq, JSON.stringify([first, again]));

  a.close();
  await rejects("a closed client refuses requests", a.sendText(conversation, "晚了"), ["closed"]);

  // a refused handshake fails connect() when not reconnecting, rather than hanging
  await rejects("a bad token fails connect() without reconnect",
    StorecastClient.connect({ url, token: "not-a-token", reconnect: false, WebSocketImpl }), ["disconnected"]);
} catch (e) {
  check("no unexpected exception", false, e?.stack ?? String(e));
} finally {
  for (const c of clients) c.close();
}

console.log(`${passed} passed, ${failed} failed`);
if (failed > 0) console.error(`${failed} of ${passed + failed} checks failed`);
process.exit(failed > 0 ? 1 : 0);
