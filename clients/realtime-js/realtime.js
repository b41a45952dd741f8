// realtime.js: the browser (and Node 18+) client of a realtime server's event stream.
// No dependencies. See README.md for the API and docs/PROTOCOL.md for the wire format.
//
// It reads the stream with fetch() and parses Server-Sent Events itself, rather than using
// EventSource, so that it can send an Authorization header, choose its own resume positions for
// each channel (last_ack_<channel>), back off with a limit that really stops it, and notice a dead
// connection by the silence between heartbeats.

const MAX_CHANNELS = 100; // the server's limit per stream
const STABLE_MS = 1000; // a connection up this long was a success, even if it delivered nothing
const RECONNECT_SPREAD_MS = 250; // clients asked to reconnect spread over this long
const MAX_REQUEST_TARGET = 65536 - "GET  HTTP/1.1".length; // the server reads request lines to 64 KiB
const LONGEST_ID = "18446744073709551615-18446744073709551615";
const MAX_TIMER_MS = 2147483647; // setTimeout's limit: longer fires at once
const ID = /^\d{1,20}-\d{1,20}$/; // <ms>-<seq>

const DEFAULTS = {
  url: "/api/realtime",
  maxAttempts: 10,
  backoff: { initialMs: 1000, maxMs: 30000 },
  heartbeatTimeoutMs: 45000, // until a connection's server says its heartbeat: then three times that
};

/** An error of the stream or of an API call: `status` is the HTTP status when there was one. */
export class RealtimeError extends Error {
  constructor(message, { status, willRetry = false, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RealtimeError";
    this.status = status;
    this.willRetry = willRetry;
  }
}

/**
 * Opens a stream of `options.channels` and keeps it open: it reconnects after drops, resuming
 * each channel after the last message it delivered, until close() or a failure it cannot retry.
 */
export function connect(options = {}) {
  return new Connection(options);
}

class Connection {
  #o;
  #channels;
  #positions = new Map(); // channel -> id of the last message delivered (or the stream's start)
  #status = "connecting"; // announced to onStatus in the first task, once `rt` is assigned
  #failures = 0; // consecutive failed attempts since the last successful connection
  #abort = null; // the AbortController of the current request
  #timer = null; // the pending reconnect
  #watchdog = null;
  #restartQueued = false;
  #generation = 0; // frames of an older request are ignored

  constructor(options) {
    const backoff = { ...DEFAULTS.backoff, ...defined(options.backoff) };
    this.#o = { ...DEFAULTS, ...defined(options), backoff };
    try {
      new URL(this.#o.url, globalThis.location?.href); // a URL that cannot work is no retry matter
    } catch {
      throw new TypeError(
        `url ${JSON.stringify(this.#o.url)} is not a URL` +
          (globalThis.location ? "" : ": outside a browser give it whole, like http://host:8080/api/realtime"),
      );
    }
    const { initialMs, maxMs } = backoff;
    if (!(Number.isFinite(initialMs) && initialMs > 0 && Number.isFinite(maxMs) && maxMs >= initialMs && maxMs <= MAX_TIMER_MS)) {
      throw new RangeError(
        `backoff ${JSON.stringify(backoff)} needs 0 < initialMs <= maxMs <= ${MAX_TIMER_MS}, in milliseconds`,
      );
    }
    const watchdog = this.#o.heartbeatTimeoutMs;
    if (!(Number.isFinite(watchdog) && watchdog >= 0 && watchdog <= MAX_TIMER_MS)) {
      throw new RangeError(
        `heartbeatTimeoutMs ${watchdog} is not a number of milliseconds from 0 (off) to ${MAX_TIMER_MS}`,
      );
    }
    this.#watchdogMs = watchdog;
    this.#watchdogGiven = options.heartbeatTimeoutMs !== undefined;
    this.#channels = unique(options.channels && options.channels.length ? options.channels : ["default"]);
    this.#channels.forEach(checkChannel);
    if (this.#channels.length > MAX_CHANNELS) {
      throw new RangeError(`${this.#channels.length} channels: one stream takes at most ${MAX_CHANNELS}`);
    }
    this.#checkResumeUrl(this.#channels);
    for (const [channel, id] of Object.entries(options.positions || {})) {
      if (this.#channels.includes(channel)) this.#positions.set(channel, id);
    }
    const latest = this.#o.history?.latest;
    if (latest !== undefined && !(Number.isInteger(latest) && latest >= 0 && latest <= 1000)) {
      throw new RangeError(`history.latest ${latest} is not a whole number from 0 to 1000`);
    }
    if (!(this.#o.maxAttempts >= 1)) throw new RangeError(`maxAttempts ${this.#o.maxAttempts} is under 1`);
    // A browser that comes back online retries at once, even after it gave up.
    if (typeof globalThis.addEventListener === "function") {
      this.#online = () => {
        if (this.#status === "error" || this.#status === "reconnecting") this.reconnect();
      };
      globalThis.addEventListener("online", this.#online);
    }
    queueMicrotask(() => {
      if (this.#status !== "connecting" || this.#abort) return; // closed, or already restarted
      call(this.#o.onStatus, "connecting");
      this.#open(); // does nothing if onStatus closed it
    });
  }

  #online = null;
  #watchdogMs; // the silence after which the connection is dead; 0: never
  #watchdogGiven; // set by the caller: the server's heartbeatMs does not change it

  /** connecting | connected | reconnecting | error | closed */
  get status() {
    return this.#status;
  }

  /** The channels of the stream, in order. */
  get channels() {
    return [...this.#channels];
  }

  /** Each channel's position: the id after which it resumes. Pass as `positions` to resume later. */
  get positions() {
    return Object.fromEntries(this.#positions);
  }

  /** Adds a channel; the others resume where they were, so they lose nothing. */
  addChannel(channel) {
    channel = checkChannel(String(channel));
    if (this.#status === "closed" || this.#channels.includes(channel)) return;
    if (this.#channels.length >= MAX_CHANNELS) {
      throw new RangeError(`one stream takes at most ${MAX_CHANNELS} channels`);
    }
    this.#checkResumeUrl([...this.#channels, channel]);
    this.#channels.push(channel);
    this.#restartSoon();
  }

  /** Removes a channel (and forgets its position); the others lose nothing. Removing the last one closes. */
  removeChannel(channel) {
    channel = String(channel);
    if (this.#status === "closed" || !this.#channels.includes(channel)) return;
    this.#channels = this.#channels.filter((c) => c !== channel);
    this.#positions.delete(channel);
    this.#restartSoon(); // closes if no channel is left by then
  }

  /** Connects again now, resetting the attempt count; also leaves the `error` status. */
  reconnect() {
    if (this.#status === "closed") return;
    this.#failures = 0;
    this.#stop();
    if (!this.#announce("reconnecting")) return; // the status callback restarted or closed it
    this.#open();
  }

  /** Ends the stream for good. */
  close() {
    if (this.#status === "closed") return;
    this.#stop();
    if (this.#online) globalThis.removeEventListener("online", this.#online);
    this.#emitStatus("closed");
  }

  #stop() {
    this.#generation++;
    clearTimeout(this.#timer);
    clearTimeout(this.#watchdog);
    this.#timer = this.#watchdog = null;
    if (this.#abort) this.#abort.abort();
    this.#abort = null;
  }

  // Several channel changes in one task make one reconnect.
  #restartSoon() {
    if (this.#restartQueued) return;
    this.#restartQueued = true;
    queueMicrotask(() => {
      this.#restartQueued = false;
      if (this.#status === "closed") return;
      if (this.#channels.length === 0) return this.close();
      if (this.#status === "error") this.#failures = 0; // an edit is a new start
      this.#stop();
      if (this.#status !== "connecting" && !this.#announce("reconnecting")) return;
      this.#open();
    });
  }

  // Announces a status; false when the status callback restarted or closed the client meanwhile
  // (then the caller must not go on: the restart has opened its own request already).
  #announce(status) {
    const generation = this.#generation;
    this.#emitStatus(status);
    return generation === this.#generation && this.#status !== "closed";
  }

  async #open() {
    if (this.#status === "closed") return; // a callback closed it
    const generation = ++this.#generation;
    this.#abort?.abort(); // never two requests at once, whoever opened the other one
    const abort = new AbortController();
    this.#abort = abort;
    const current = () => generation === this.#generation;
    // Each connection learns the server's heartbeat from its own connected frames; until then
    // (the token, the request, a server that never answers) the default guards it, even after an
    // earlier server said it sends no heartbeat.
    if (!this.#watchdogGiven) this.#watchdogMs = this.#o.heartbeatTimeoutMs;
    this.#kickWatchdog(generation);
    // channels: what this request asked for (a bare id line is the position of its only channel;
    // addChannel may change this.#channels meanwhile).
    const connection = { connected: false, since: 0, delivered: false, channels: [...this.#channels] };
    try {
      const headers = { Accept: "text/event-stream" };
      // A token function that never settles must not hold the client: the watchdog aborts it.
      const token =
        typeof this.#o.token === "function" ? await untilAborted(this.#o.token(), abort.signal) : this.#o.token;
      if (!current()) return;
      if (token) headers.Authorization = `Bearer ${token}`;
      const response = await fetch(this.#streamUrl(), { headers, signal: abort.signal, cache: "no-store" });
      if (!current()) return;
      if (response.status !== 200) {
        const message = await errorMessage(response);
        if (!current()) return;
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        return this.#failed(new RealtimeError(message, { status: response.status }), retryable, false);
      }
      const outcome = await this.#read(response.body, generation, connection, () => {
        connection.connected = true;
        connection.since = Date.now();
        this.#emitStatus("connected");
      });
      if (!current()) return;
      if (outcome === "reconnect") return this.#reconnectAsked(connection);
      const why = outcome === "error" ? this.#lastServerError : "the server ended the stream";
      this.#failed(new RealtimeError(why), true, connection);
    } catch (e) {
      if (!current()) return;
      const detail = e?.cause?.message || e?.cause?.code;
      const why =
        e instanceof RealtimeError
          ? e
          : new RealtimeError(`connection failed: ${e?.message || e}${detail ? ` (${detail})` : ""}`, { cause: e });
      this.#failed(why, true, connection);
    }
  }

  // A connection that delivered something, or stayed up a while, was a success: the attempt count
  // starts over after it. One that only said "connected" and ended is a failed attempt, so a
  // server that accepts and drops at once cannot keep the client in a loop.
  #succeeded(connection) {
    return connection.connected && (connection.delivered || Date.now() - connection.since >= STABLE_MS);
  }

  // The server asked for a new connection (its maximum duration, a shutdown): soon, not all
  // clients of a draining server at the same instant, and counted if this one gave nothing.
  #reconnectAsked(connection) {
    this.#stop();
    if (this.#succeeded(connection)) this.#failures = 0;
    else if (++this.#failures >= this.#o.maxAttempts) {
      return this.#giveUp(new RealtimeError(`gave up after ${this.#failures} connections that the server ended at once`));
    }
    if (!this.#announce("reconnecting")) return;
    const generation = this.#generation;
    const delay = Math.random() * Math.min(this.#o.backoff.initialMs, RECONNECT_SPREAD_MS);
    this.#timer = setTimeout(() => {
      if (generation === this.#generation) this.#open();
    }, delay);
  }

  #lastServerError = "";

  // A resume names each channel twice, percent-encoded (channel= and last_ack_<channel>=): a set of
  // channels whose first URL fits the server's request line could, after a drop, no longer fit,
  // and the refusal (400) would stop the client. So the longest URL they can need must fit now.
  #checkResumeUrl(channels) {
    const url = new URL(this.#o.url, globalThis.location?.href ?? "http://localhost/");
    for (const channel of channels) {
      url.searchParams.append("channel", channel);
      url.searchParams.set(`last_ack_${channel}`, LONGEST_ID);
    }
    if (this.#o.events?.length) url.searchParams.set("events", this.#o.events.join(","));
    const length = url.pathname.length + url.search.length;
    if (length > MAX_REQUEST_TARGET) {
      throw new RangeError(
        `${channels.length} channels need a resume URL of ${length} bytes, over the ${MAX_REQUEST_TARGET} ` +
          "the server reads: use fewer or shorter channel names",
      );
    }
  }

  #streamUrl() {
    const url = new URL(this.#o.url, globalThis.location?.href);
    let fresh = false;
    for (const channel of this.#channels) {
      url.searchParams.append("channel", channel);
      const position = this.#positions.get(channel);
      if (position) url.searchParams.set(`last_ack_${channel}`, position);
      else fresh = true;
    }
    if (this.#o.events?.length) url.searchParams.set("events", this.#o.events.join(","));
    // history= applies to the channels without a position only: on the first connection, and
    // to a channel added later; never again after a drop.
    if (fresh && this.#o.history?.latest) url.searchParams.set("history", String(this.#o.history.latest));
    return url;
  }

  // A connection that will not give a byte for heartbeatTimeoutMs is dead (a sleeping laptop, a
  // proxy that dropped it in silence). Unless the option was given, the server's connected frames
  // set it: three times their heartbeatMs (0: the server sends none, so silence proves nothing).
  #kickWatchdog(generation) {
    clearTimeout(this.#watchdog);
    const ms = this.#watchdogMs;
    // A timer over 2^31-1 ms fires at once in browsers and Node: a watchdog that long is none.
    if (!ms || ms > MAX_TIMER_MS) return;
    this.#watchdog = setTimeout(() => {
      if (generation !== this.#generation) return;
      this.#abort?.abort(new RealtimeError(`no data for ${ms} ms: the connection is dead`));
    }, ms);
  }

  /** Reads frames until the stream ends; resolves to "end", "reconnect" or "error". */
  async #read(body, generation, connection, onConnected) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let frame = { id: null, data: [] };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (generation !== this.#generation) return "end";
        if (done) return "end";
        this.#kickWatchdog(generation);
        buffer += decoder.decode(value, { stream: true });
        if (buffer.includes("\r")) {
          // Lines may end in "\r\n" or "\r" too (this server writes "\n"); a "\r" at the very
          // end may be half of a "\r\n", so it waits for the next chunk.
          const tail = buffer.endsWith("\r") ? "\r" : "";
          buffer = buffer.slice(0, buffer.length - tail.length).replace(/\r\n?/g, "\n") + tail;
        }
        let start = 0;
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n", start)) {
          const line = buffer.slice(start, nl);
          start = nl + 1;
          if (line === "") {
            if (frame.data.length) {
              const outcome = this.#dispatch(frame.id, frame.data.join("\n"), connection, onConnected);
              if (outcome) return outcome;
              if (generation !== this.#generation) return "end";
            }
            frame = { id: null, data: [] };
          } else if (line[0] !== ":") {
            // ": ping" comments only keep the watchdog quiet
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? "" : line.slice(colon + 1);
            if (value[0] === " ") value = value.slice(1);
            if (field === "data") frame.data.push(value);
            else if (field === "id") frame.id = value;
          }
        }
        buffer = buffer.slice(start);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  // connection.delivered: the server sent something after connecting (an event, a ping, a gap).
  #dispatch(id, data, connection, onConnected) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return null; // not ours: ignore
    }
    if (message === null || typeof message !== "object") return null;
    switch (message.type) {
      case "connected":
        if (!this.#watchdogGiven && Number.isFinite(message.heartbeatMs) && message.heartbeatMs >= 0) {
          this.#watchdogMs = 3 * message.heartbeatMs;
          this.#kickWatchdog(this.#generation);
        }
        // The server's starting positions hold even when behind ours (its log was reset, say):
        // later events are new ones, not ones delivered already.
        this.#remember(id, connection, message.channel, true);
        // Only the last connected frame carries an id: every channel's starting position.
        if (id !== null) onConnected();
        return null;
      // Control frames may carry an id line too: the server moved positions past entries it did
      // not send (filtered out by events=, or skipped by a gap); a resume starts from there.
      case "reconnect":
        this.#remember(id, connection);
        return "reconnect";
      case "error":
        this.#remember(id, connection);
        this.#lastServerError = `the server ended the stream: ${message.error}`;
        return "error";
      case "gap":
        connection.delivered = true;
        this.#remember(id, connection);
        if (!this.#channels.includes(message.channel)) return null;
        // The server goes on from resumedFrom: so does the position, or a drop right now would
        // report the same gap twice.
        if (message.resumedFrom) this.#positions.set(message.channel, predecessor(message.resumedFrom));
        call(this.#o.onGap, message);
        return null;
      case undefined:
        break;
      default:
        connection.delivered = true;
        this.#remember(id, connection);
        return null; // ping and future control frames
    }
    connection.delivered = true;
    const { channel } = message;
    if (typeof message.id !== "string" || typeof channel !== "string" || !this.#channels.includes(channel)) {
      return null;
    }
    const last = this.#positions.get(channel);
    if (last && compareIds(message.id, last) <= 0) return null; // delivered already
    this.#remember(id, connection, channel);
    this.#positions.set(channel, message.id);
    call(this.#o.onData, { id: message.id, event: message.event, data: message.data, channel });
    return null;
  }

  // An id line is one position (a stream that asked for one channel: that request's channel) or
  // channel=position pairs. Positions only move forward, but for a connected frame's (starting).
  #remember(id, connection, channel, starting = false) {
    if (!id) return;
    if (!id.includes("=")) {
      const only = channel ?? (connection.channels.length === 1 ? connection.channels[0] : null);
      this.#advance(only, id, starting);
      return;
    }
    for (const pair of id.split("&")) {
      const eq = pair.indexOf("=");
      let name;
      try {
        name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, " "));
      } catch {
        continue; // not a pair this server wrote
      }
      this.#advance(name, pair.slice(eq + 1), starting);
    }
  }

  #advance(channel, position, starting) {
    if (!channel || !this.#channels.includes(channel) || !ID.test(position)) return;
    const known = this.#positions.get(channel);
    if (starting || !known || compareIds(position, known) > 0) this.#positions.set(channel, position);
  }

  #failed(error, retryable, connection) {
    this.#stop();
    if (!retryable) return this.#giveUp(error);
    // A drop after a connection that worked is no failed attempt: the count starts over, and
    // maxAttempts: N allows N failed attempts after it.
    if (this.#succeeded(connection)) this.#failures = 0;
    else this.#failures++;
    if (this.#failures >= this.#o.maxAttempts) {
      return this.#giveUp(
        new RealtimeError(`gave up after ${this.#failures} failed attempts: ${error.message}`, {
          status: error.status,
          cause: error,
        }),
      );
    }
    error.willRetry = true;
    const generation = this.#generation;
    call(this.#o.onError, error);
    if (generation !== this.#generation || this.#status === "closed") return; // the handler acted
    const { initialMs, maxMs } = this.#o.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, this.#failures - 1)); // initialMs first
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2; // growing, with jitter
    this.#emitStatus("reconnecting");
    if (generation !== this.#generation || this.#status === "closed") return;
    this.#timer = setTimeout(() => {
      if (generation === this.#generation) this.#open();
    }, delay);
  }

  // onError first, while willRetry: false is true; a handler that calls reconnect() or close()
  // decides what comes next, and the client does not claim `error` over it.
  #giveUp(error) {
    const generation = this.#generation;
    call(this.#o.onError, error);
    if (generation !== this.#generation || this.#status === "closed") return;
    this.#emitStatus("error");
  }

  #emitStatus(status) {
    if (this.#status === status || this.#status === "closed") return; // closed is final
    this.#status = status;
    call(this.#o.onStatus, status);
  }
}

/**
 * Emits one event: POST {url}/channels/{channel}/events. Resolves to the message id; rejects with
 * a RealtimeError carrying the server's status and message.
 */
export async function emit({ url = DEFAULTS.url, token, channel = "default", event, data }) {
  // A channel named "." or ".." cannot be a path segment (URLs fold it, even percent-encoded):
  // it goes by the multi-channel route, which names channels in the body.
  const dots = onlyDots(channel);
  const response = await fetch(apiUrl(url, dots ? "/events" : `/channels/${encodeURIComponent(channel)}/events`), {
    method: "POST",
    headers: jsonHeaders(await tokenOf(token)),
    body: JSON.stringify(dots ? { channels: [channel], event, data } : { event, data }),
  });
  if (response.status !== 201) throw new RealtimeError(await errorMessage(response), { status: response.status });
  const answer = await response.json();
  return dots ? answer.ids[channel] : answer.id;
}

function onlyDots(channel) {
  return /^\.+$/.test(channel) && channel.length <= 2;
}

/**
 * Reads a channel's history: GET {url}/channels/{channel}/history. `latest: true` gives the newest
 * `limit` messages (still oldest first). `after` and `before` are message ids (exclusive): the last
 * id of a page gives the next page, the first id (with `latest`) the page before.
 */
export async function history({ url = DEFAULTS.url, token, channel = "default", limit, latest, start, end, after, before } = {}) {
  if (onlyDots(channel)) {
    throw new RangeError(`channel "${channel}" cannot be a URL path segment: read its history with a stream's history option`);
  }
  const target = apiUrl(url, `/channels/${encodeURIComponent(channel)}/history`);
  for (const [k, v] of Object.entries({ limit, latest, start, end, after, before })) {
    if (v !== undefined && v !== null) target.searchParams.set(k, String(v));
  }
  const response = await fetch(target, { headers: jsonHeaders(await tokenOf(token)) });
  if (response.status !== 200) throw new RealtimeError(await errorMessage(response), { status: response.status });
  return response.json();
}

function apiUrl(base, path) {
  const url = new URL(base, globalThis.location?.href);
  url.pathname = url.pathname.replace(/\/$/, "") + path;
  return url;
}

function jsonHeaders(token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

async function tokenOf(token) {
  return typeof token === "function" ? token() : token;
}

async function errorMessage(response) {
  const text = await response.text().catch(() => "");
  try {
    const json = JSON.parse(text);
    if (json && typeof json.error === "string") return json.error;
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
}

// Ids are <ms>-<seq>, two unsigned integers without leading zeros: compare them as numbers.
function compareIds(a, b) {
  const [am, as] = a.split("-");
  const [bm, bs] = b.split("-");
  return compareDigits(am, bm) || compareDigits(as ?? "0", bs ?? "0");
}

function compareDigits(a, b) {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// The greatest id before `id` (the server's EntryId.predecessor).
function predecessor(id) {
  const [ms, seq] = id.split("-").map(BigInt);
  return seq > 0n ? `${ms}-${seq - 1n}` : `${ms - 1n}-18446744073709551615`;
}

// Options given as undefined keep their defaults.
function defined(object) {
  return Object.fromEntries(Object.entries(object || {}).filter(([, v]) => v !== undefined));
}

function checkChannel(channel) {
  if (typeof channel !== "string" || channel.length === 0 || new TextEncoder().encode(channel).length > 256) {
    throw new RangeError(`channel ${JSON.stringify(channel)} must be 1 to 256 bytes of UTF-8`);
  }
  // A lone surrogate has no UTF-8: the URL would carry U+FFFD, a channel no frame would match.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(channel)) {
    throw new RangeError(`channel ${JSON.stringify(channel)} has a lone surrogate: it must be well-formed text`);
  }
  return channel;
}

// Rejects when the signal aborts first.
function untilAborted(promise, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve(promise).then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function unique(list) {
  return [...new Set(list.map(String))];
}

// A handler that throws must not break the stream: report it as an uncaught error, go on.
function call(handler, value) {
  if (typeof handler !== "function") return;
  try {
    handler(value);
  } catch (e) {
    if (typeof globalThis.reportError === "function") globalThis.reportError(e);
    else console.error(e);
  }
}
