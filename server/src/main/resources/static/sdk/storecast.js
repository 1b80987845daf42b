/**
 * Storecast real-time client (ES module, no dependencies; browsers and Node ≥ 20).
 *
 * It follows docs/protocol.md "Never lose, never duplicate", like the Java SDK: messages reach
 * `onMessage` exactly once and in seq order per conversation (one's own acknowledged sends
 * included), and after a dropped connection it reconnects, syncs what it missed and resends every
 * unanswered request (sends are idempotent on their clientMsgId, so none is stored twice).
 *
 * @example
 * import { StorecastClient } from "/sdk/storecast.js";
 * const client = await StorecastClient.connect({
 *   url: "wss://chat.example.com/ws", token: () => fetchToken(),
 *   follow: { [conversationId]: lastSeenSeq },
 *   listener: { onMessage: (m) => render(m) },
 * });
 * await client.sendText(conversationId, "你好");
 */

const SESSION_ENDED = 4002;
const CONNECT_TIMEOUT_MS = 30_000;
const RETRY_AFTER_MS = 1_000;

/** An `error` frame from the server (stable `code`, maybe the offending `field`), or a lost or closed client. */
export class StorecastError extends Error {
  constructor(code, message, field = null, frame = null) {
    super(`${code}: ${message}`);
    this.name = "StorecastError";
    /** @type {string} */ this.code = code;
    /** @type {string|null} */ this.field = field;
    /** The error frame as received, if any. */ this.frame = frame;
  }
}

/**
 * Per conversation, hands messages on exactly once and in seq order: drops what it has seen,
 * holds what arrives early, and reports a gap so the client can fill it with a sync.
 */
class SequenceTracker {
  #last = new Map();
  #early = new Map(); // conversation → Map(seq → message)

  start(conversation, seq) {
    if (!this.#last.has(conversation)) this.#last.set(conversation, seq);
  }

  /** Gives up a cursor the server refused, so the next sync's summary restarts it. */
  forget(conversation) {
    this.#last.delete(conversation);
    this.#early.delete(conversation);
  }

  last(conversation) {
    return this.#last.get(conversation) ?? -1;
  }

  cursors() {
    return Object.fromEntries(this.#last);
  }

  /** @returns {{deliver: object[], gap: boolean}} */
  accept(message) {
    const conversation = message.conversationId;
    const seq = message.seq;
    const seen = this.#last.get(conversation);
    if (seen === undefined) {
      // a conversation not followed yet starts here
      this.#last.set(conversation, seq);
      return { deliver: [message], gap: false };
    }
    if (seq <= seen) return { deliver: [], gap: false };
    let waiting = this.#early.get(conversation);
    if (seq > seen + 1) {
      if (!waiting) this.#early.set(conversation, (waiting = new Map()));
      waiting.set(seq, message);
      return { deliver: [], gap: true };
    }
    const deliver = [message];
    let next = seq;
    while (waiting?.has(next + 1)) {
      deliver.push(waiting.get(++next));
      waiting.delete(next);
    }
    if (waiting) for (const held of waiting.keys()) if (held <= next) waiting.delete(held);
    this.#last.set(conversation, next);
    return { deliver, gap: waiting !== undefined && waiting.size > 0 };
  }
}

/** A token bucket a little below the server's limit, so a burst of requests is paced, never refused. */
class Pacer {
  constructor(framesPerSecond = 20, burst = 40) {
    this.rate = Math.max(1, framesPerSecond * 0.9) / 1000; // per ms
    this.capacity = Math.max(1, burst - 4);
    this.tokens = this.capacity;
    this.last = Date.now();
  }

  /** Takes a token if there is one and returns 0; otherwise how many ms until there is. */
  take() {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.rate);
  }
}

function newClientMsgId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  // randomUUID needs a secure context in browsers; getRandomValues does not
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A real-time Storecast client. Create it with {@link StorecastClient.connect}. */
export class StorecastClient {
  #url; #token; #listener; #reconnect; #WebSocket;
  #tracker = new SequenceTracker();
  #ids = 0;
  /** Unanswered requests in the order made: a Map keeps that order for the resend. */
  #pending = new Map();
  #syncing = new Set();
  #timers = new Set();
  /** The latest connection attempt; everything tied to one socket lives on it and dies with it. */
  #conn = null;
  #closed = false;
  #attempts = 0;
  #participant = null;
  #firstReady;

  /**
   * Connects and resolves once connected and caught up (synced until `more` is false).
   * @param {object} options
   * @param {string} options.url gateway URL, e.g. `ws://127.0.0.1:8081/ws`
   * @param {string|(() => string|Promise<string>)} options.token access token, or a function asked on every (re)connect so it can refresh it
   * @param {Object<string, number>} [options.follow] conversationId → last seq already seen: everything after it is delivered
   * @param {{onMessage?: Function, onEvent?: Function, onConnected?: Function, onDisconnected?: Function}} [options.listener]
   * @param {boolean} [options.reconnect] reconnect after a drop (never after close code 4002)
   * @param {typeof WebSocket} [options.WebSocketImpl] a WebSocket class, for Node without a global one
   * @returns {Promise<StorecastClient>}
   */
  static async connect({ url, token, follow = {}, listener = {}, reconnect = true, WebSocketImpl = globalThis.WebSocket }) {
    if (typeof WebSocketImpl !== "function") {
      throw new TypeError("No WebSocket implementation: pass WebSocketImpl (Node 20 needs --experimental-websocket)");
    }
    new URL(url); // fail now on a bad URL rather than retrying it forever
    const client = new StorecastClient(url, token, follow, listener, reconnect, WebSocketImpl);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new StorecastError("timeout", `not connected within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    });
    client.#open();
    try {
      await Promise.race([client.#firstReady.promise, timeout]);
      return client;
    } catch (e) {
      client.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** @private use {@link StorecastClient.connect} */
  constructor(url, token, follow, listener, reconnect, WebSocketImpl) {
    this.#url = url;
    this.#token = token;
    this.#listener = listener;
    this.#reconnect = reconnect;
    this.#WebSocket = WebSocketImpl;
    for (const [conversation, seq] of Object.entries(follow)) this.#tracker.start(conversation, seq);
    this.#firstReady = {};
    this.#firstReady.promise = new Promise((resolve, reject) => Object.assign(this.#firstReady, { resolve, reject }));
    this.#firstReady.promise.catch(() => {}); // connect() reports it; never an unhandled rejection
  }

  /** Who this client speaks as (`staff:<uuid>` or `customer:<uuid>`), from the server's hello. */
  get participant() {
    return this.#participant;
  }

  /** Sends a text message; resolves with the ack (`seq`, `messageId`, `duplicate`, ...). */
  sendText(conversationId, text) {
    return this.send(conversationId, newClientMsgId(), "TEXT", { text });
  }

  /**
   * Sends any message kind with your own clientMsgId: reuse it to retry safely.
   * @returns {Promise<object>} the ack
   */
  async send(conversationId, clientMsgId, kind, body, requiresAck = false) {
    const ack = await this.request({ type: "send", conversationId, clientMsgId, kind, body, requiresAck });
    // one's own message joins the ordered stream too, so the listener sees the whole conversation
    this.#arrived({
      conversationId, seq: ack.seq, id: ack.messageId, sender: this.#participant, clientMsgId, kind,
      body: ack.body ?? body, requiresAck, createdAt: ack.createdAt, recalled: false,
    });
    return ack;
  }

  /** Moves this participant's read cursor forward (it never moves back). */
  markRead(conversationId, seq) {
    return this.request({ type: "read", conversationId, seq });
  }

  /**
   * Sends any request frame (a copy with its `id` set) and resolves with the `ack`, or rejects
   * with a {@link StorecastError} carrying `code` and `field`. Unanswered requests are resent
   * after a reconnect, so only send requests that are safe to repeat.
   * @param {object} frame e.g. `{type: "history", conversationId, before: 17}`
   * @returns {Promise<object>}
   */
  request(frame) {
    if (this.#closed) return Promise.reject(new StorecastError("closed", "the client is closed"));
    const sent = { ...frame, id: String(++this.#ids) };
    return new Promise((resolve, reject) => {
      this.#pending.set(sent.id, { frame: sent, resolve, reject, resend: true });
      // before the catch-up sync is done it only waits: the resend after the sync writes it
      if (this.#conn?.ready) this.#write(this.#conn, sent);
    });
  }

  /** The last seq delivered per conversation: keep it to `follow` from there next time. */
  cursors() {
    return this.#tracker.cursors();
  }

  /** Closes the connection for good (without calling onDisconnected); unanswered requests reject with code `closed`. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = null;
    if (conn) {
      conn.ws?.close(1000, "bye");
      this.#stop(conn);
    }
    this.#shutdown(new StorecastError("closed", "the client is closed"));
  }

  /** Drops the socket as a network failure would, without closing the client (for tests of recovery). */
  _dropForTest() {
    const conn = this.#conn;
    if (!conn?.ws) return;
    // stopping detaches the handlers and closes the socket: report the loss here, as the network would
    this.#lost(conn, 1006, "connection dropped");
  }

  // --- connection ---------------------------------------------------------------------------

  async #open() {
    const conn = { ws: null, pacer: null, outbox: [], pinger: null, pump: null, failing: null, ready: false };
    this.#conn = conn;
    let ws;
    try {
      const token = typeof this.#token === "function" ? await this.#token() : this.#token;
      if (conn !== this.#conn) return; // closed while asking for the token
      ws = new this.#WebSocket(this.#url + (this.#url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token));
    } catch (e) {
      this.#lost(conn, 1006, `connect failed: ${e?.message ?? e}`);
      return;
    }
    conn.ws = ws;
    ws.onmessage = (event) => this.#received(conn, event.data);
    // an error is followed by a close that carries the code, except in Node 20's WebSocket when
    // the handshake is refused (e.g. 401): then the error is all there is
    ws.onerror = () => {
      conn.failing ??= setTimeout(() => this.#lost(conn, 1006, "connection failed"), 1000);
    };
    ws.onclose = (event) => this.#lost(conn, event.code, event.reason || "connection closed");
  }

  /** Handles the loss of one connection once; a late close of an old socket changes nothing. */
  #lost(conn, code, reason) {
    if (conn !== this.#conn) return;
    this.#conn = null;
    this.#stop(conn);
    // the catch-up sync belonged to this connection; the next one makes its own
    for (const [id, p] of this.#pending) {
      if (!p.resend) {
        this.#pending.delete(id);
        p.reject(new StorecastError("disconnected", reason));
      }
    }
    this.#emit("onDisconnected", code, reason);
    if (this.#closed) return;
    if (!this.#reconnect || code === SESSION_ENDED) {
      // 4002: the session ended, so retrying with this token is pointless; get a new one
      this.#closed = true;
      this.#shutdown(new StorecastError("disconnected", reason));
      return;
    }
    const delay = Math.min(5000, 100 * 2 ** Math.min(this.#attempts++, 6));
    this.#later(() => this.#open(), delay + Math.random() * (delay / 2));
  }

  #stop(conn) {
    clearInterval(conn.pinger);
    clearTimeout(conn.pump);
    clearTimeout(conn.failing);
    conn.outbox.length = 0; // unanswered requests are resent from #pending after the reconnect
    if (conn.ws) {
      conn.ws.onmessage = conn.ws.onclose = conn.ws.onerror = null;
      if (conn.ws.readyState < 2) conn.ws.close(); // a socket Node left half-open must not linger
    }
  }

  #shutdown(error) {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
    this.#firstReady.reject(error);
  }

  #hello(conn, hello) {
    this.#participant = hello.participant;
    this.#attempts = 0;
    conn.pacer = new Pacer(hello.framesPerSecond ?? 20, hello.frameBurst ?? 40);
    const pingMs = Math.max(1, hello.pingIntervalSeconds ?? 25) * 1000;
    conn.pinger = setInterval(() => this.#write(conn, { type: "ping", id: "ping" }), pingMs);
    this.#catchUp(conn);
  }

  /** Catches up first, then resends what was not answered, then goes live. */
  async #catchUp(conn) {
    try {
      for (;;) {
        let ack;
        try {
          ack = await this.#exchange(conn, { type: "sync", cursors: this.#tracker.cursors() });
        } catch (e) {
          const stale = e.code === "seq-out-of-range" && e.field?.startsWith("cursors.");
          if (!stale) throw e;
          // a cursor beyond the conversation's end: restart it from the summary's lastSeq
          this.#tracker.forget(e.field.slice("cursors.".length));
          continue;
        }
        if (conn !== this.#conn) return;
        for (const message of ack.messages ?? []) this.#arrived(message);
        for (const c of ack.conversations ?? []) this.#tracker.start(c.id, c.lastSeq);
        if (!ack.more) break;
      }
    } catch (e) {
      // like the Java SDK, a failed sync does not keep the client offline; gaps still trigger syncs
    }
    if (conn !== this.#conn) return;
    conn.ready = true;
    for (const p of this.#pending.values()) if (p.resend) this.#write(conn, p.frame);
    this.#firstReady.resolve();
    this.#emit("onConnected");
  }

  /** A request of one connection only: lost with it rather than resent. */
  #exchange(conn, frame) {
    if (conn !== this.#conn) return Promise.reject(new StorecastError("disconnected", "connection lost"));
    const sent = { ...frame, id: String(++this.#ids) };
    return new Promise((resolve, reject) => {
      this.#pending.set(sent.id, { frame: sent, resolve, reject, resend: false });
      this.#write(conn, sent);
    });
  }

  #syncConversation(conversation) {
    if (this.#syncing.has(conversation)) return;
    this.#syncing.add(conversation);
    this.request({ type: "sync", cursors: { [conversation]: this.#tracker.last(conversation) } }).then(
      (ack) => {
        this.#syncing.delete(conversation);
        for (const message of ack.messages ?? []) this.#arrived(message);
        if (ack.more) this.#syncConversation(conversation);
      },
      () => this.#syncing.delete(conversation),
    );
  }

  #arrived(message) {
    const { deliver, gap } = this.#tracker.accept(message);
    for (const m of deliver) this.#emit("onMessage", m);
    if (gap) this.#syncConversation(message.conversationId);
  }

  // --- frames -------------------------------------------------------------------------------

  #received(conn, data) {
    if (conn !== this.#conn || typeof data !== "string") return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    switch (frame?.type) {
      case "hello": return this.#hello(conn, frame);
      case "message": return this.#arrived(frame.message);
      case "ack": case "pong": return this.#answered(conn, frame);
      case "error": return frame.id == null ? this.#emit("onEvent", frame) : this.#answered(conn, frame);
      default: return this.#emit("onEvent", frame);
    }
  }

  #answered(conn, frame) {
    const p = this.#pending.get(frame.id);
    if (!p) return;
    if (frame.type === "error" && (frame.code === "rate-limited" || frame.code === "overloaded")) {
      // refused for pace, not for content: the same request goes again a moment later
      this.#later(() => {
        if (this.#pending.get(frame.id) === p && conn === this.#conn) this.#write(conn, p.frame);
      }, RETRY_AFTER_MS);
      return;
    }
    this.#pending.delete(frame.id);
    if (frame.type === "error") {
      p.reject(new StorecastError(frame.code, frame.message ?? "", frame.field ?? null, frame));
    } else {
      p.resolve(frame);
    }
  }

  /** Queues a frame on one connection and writes it as fast as the pacer allows. */
  #write(conn, frame) {
    conn.outbox.push(JSON.stringify(frame));
    this.#pump(conn);
  }

  #pump(conn) {
    if (conn.pump !== null) return; // already waiting for a token
    while (conn.outbox.length > 0 && conn === this.#conn && conn.ws?.readyState === 1) {
      const wait = conn.pacer.take();
      if (wait > 0) {
        conn.pump = setTimeout(() => {
          conn.pump = null;
          this.#pump(conn);
        }, wait);
        return;
      }
      conn.ws.send(conn.outbox.shift());
    }
  }

  #later(fn, ms) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #emit(name, ...args) {
    try {
      this.#listener[name]?.(...args);
    } catch (e) {
      // a listener's failure must not stop the client
      console.error(`storecast: listener ${name} threw`, e);
    }
  }
}
