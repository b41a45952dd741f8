// Drives the original @upstash/realtime 1.1.0 against a local redis-server, for
// UpstashInteropTest (dev.realtime.redis). @upstash/redis normally speaks the Upstash REST API over
// HTTP; here its transport is replaced by a `request` hook (new Redis({ request })) on ioredis, as
// read from @upstash/redis 1.39.0's dist/ (Command.exec, Pipeline.exec, SubscribeCommand,
// Subscriber.handleMessage and HttpClient.request):
//
//   req.path  []                     one command: req.body = ["XADD", "ch", "*", "data", ...]
//                                    (strings, numbers, booleans); answer { result } or { error }
//             ["pipeline"]           req.body = list of commands; answer a list of { result } /
//             ["multi-exec"]         { error }, one per command, in order
//             ["subscribe", ch]      Pub/Sub: answer { result: 1 } once subscribed (HttpClient
//                                    answers once the SSE response starts); then for each SSE line
//                                    call req.onMessage("subscribe,<ch>,<count>") and
//                                    req.onMessage("message,<ch>,<payload>"); req.signal (an
//                                    AbortSignal, or a function giving one) ends it.
//
// Results are what the REST API returns without base64 encoding: strings, integers as numbers,
// nil as null, arrays nested as Redis sends them. ioredis' `call` gives exactly that.
//
// Usage: node driver.mjs <redis-port> <command> ...
//   emit <channel> <event> <json-data> [<event> <json-data> ...]
//       emits each (data given as JSON text), in order, one awaited after the other
//   history <channel> [limit]
//       prints each stored message as one JSON line
//   subscribe <channel> <count> [--history] [--events a,b] [--timeout-ms N]
//       prints {"kind":"ready"} once subscribed, then each received message as one JSON line,
//       and exits 0 after <count> messages (exit 3 on timeout, after printing what it had)
//   bench <channel> <concurrency> <seconds> [<payload-bytes> [<warmup-seconds>]]
//       closed loop, as `realtime bench emit --no-subscriber`: <concurrency> emitters, each awaiting
//       its emit before the next, for a warm-up then <seconds>; prints
//       {"kind":"bench","emits_per_sec":...,"emit_p50_ms":...,"emit_p99_ms":...}, deletes the stream
//
// Every line printed on stdout is one JSON object with a "kind"; diagnostics go to stderr.

import { Realtime } from "@upstash/realtime";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import * as z from "zod";

// The schema, as the original expects it: nested objects whose leaves are zod schemas; an event's
// name is the path to its leaf ("value.text"). emit validates data against it; subscribe lists
// the event names it wants.
export const schema = {
  value: {
    text: z.string(),
    numericText: z.string(),
    number: z.number(),
    big: z.number(),
    nested: z.object({
      user: z.object({ name: z.string(), tags: z.array(z.string()) }),
      count: z.number(),
      ok: z.boolean(),
      ratio: z.number(),
      none: z.null(),
    }),
    any: z.unknown(),
  },
};

function eventNames(node, prefix = "") {
  const names = [];
  for (const [key, value] of Object.entries(node)) {
    if (value && (value._zod || value._def)) names.push(prefix + key);
    else if (value && typeof value === "object") names.push(...eventNames(value, `${prefix}${key}.`));
  }
  return names;
}

function ioredis(port) {
  return new IORedis({
    host: "127.0.0.1",
    port,
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null, // fail, do not retry forever, when redis-server is not there
    enableOfflineQueue: true,
  });
}

/** A Requester for @upstash/redis on top of ioredis. close() ends every connection it opened. */
function requester(port) {
  const commands = ioredis(port);
  const subscribers = new Set();
  const asArgs = (command) => command.map((a) => (typeof a === "string" ? a : String(a)));
  const errorText = (e) => (e && e.message) || String(e);

  async function single(command) {
    const [name, ...args] = asArgs(command);
    try {
      return { result: await commands.call(name, ...args) };
    } catch (e) {
      return { error: errorText(e) };
    }
  }

  async function batch(list, transaction) {
    const p = transaction ? commands.multi() : commands.pipeline();
    for (const command of list) {
      const [name, ...args] = asArgs(command);
      p.call(name, ...args);
    }
    let replies;
    try {
      replies = await p.exec();
    } catch (e) {
      // EXECABORT and the like: the transaction ran nothing; every command failed.
      return list.map(() => ({ error: errorText(e) }));
    }
    if (replies === null) return list.map(() => ({ error: "transaction aborted" }));
    return replies.map(([err, result]) => (err ? { error: errorText(err) } : { result }));
  }

  async function subscribe(kind, channel, req) {
    const signal = typeof req.signal === "function" ? req.signal() : req.signal;
    const conn = ioredis(port);
    subscribers.add(conn);
    const end = () => {
      subscribers.delete(conn);
      conn.disconnect();
    };
    if (signal) {
      if (signal.aborted) {
        end();
        return { result: 1 };
      }
      signal.addEventListener("abort", end, { once: true });
    }
    if (kind === "psubscribe") {
      conn.on("pmessage", (pattern, ch, message) =>
        req.onMessage?.(`pmessage,${pattern},${ch},${message}`),
      );
      const count = await conn.psubscribe(channel);
      req.onMessage?.(`psubscribe,${channel},${count}`);
    } else {
      conn.on("message", (ch, message) => req.onMessage?.(`message,${ch},${message}`));
      const count = await conn.subscribe(channel);
      req.onMessage?.(`subscribe,${channel},${count}`);
    }
    return { result: 1 };
  }

  return {
    async request(req) {
      const path = req.path ?? [];
      if (path.length === 0) return single(req.body);
      switch (path[0]) {
        case "pipeline":
          return batch(req.body, false);
        case "multi-exec":
          return batch(req.body, true);
        case "subscribe":
        case "psubscribe":
          return subscribe(path[0], path[1], req);
        default:
          return { error: `the test's request hook does not handle path /${path.join("/")}` };
      }
    },
    close() {
      for (const conn of subscribers) conn.disconnect();
      subscribers.clear();
      commands.disconnect();
    },
  };
}

function print(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

/** A message as one line; `type` is typeof data, so strings and numbers cannot be confused. */
function describe(kind, m) {
  return {
    kind,
    id: m.id,
    event: m.event,
    channel: m.channel,
    type: m.data === null ? "null" : Array.isArray(m.data) ? "array" : typeof m.data,
    data: m.data,
  };
}

function exit(code, transport) {
  transport.close();
  // stdout is a pipe: exit once what was written has been flushed.
  process.stdout.write("", () => process.exit(code));
}

async function main() {
  const [portText, command, ...args] = process.argv.slice(2);
  const port = Number.parseInt(portText, 10);
  if (!Number.isInteger(port) || !command) {
    console.error("usage: node driver.mjs <redis-port> emit|history|subscribe ...");
    process.exit(64);
  }
  const transport = requester(port);
  const redis = new Redis(transport);
  const realtime = new Realtime({ schema, redis });

  if (command === "emit") {
    const [channel, ...pairs] = args;
    if (!channel || pairs.length === 0 || pairs.length % 2 !== 0) {
      throw new Error("emit <channel> <event> <json-data> [<event> <json-data> ...]");
    }
    for (let i = 0; i < pairs.length; i += 2) {
      const event = pairs[i];
      const data = JSON.parse(pairs[i + 1]);
      await realtime.channel(channel).emit(event, data); // returns nothing in 1.1.0
      print({ kind: "emitted", event, channel, type: typeof data, data });
    }
    exit(0, transport);
  } else if (command === "history") {
    const [channel, limit] = args;
    const messages = await realtime
      .channel(channel)
      .history(limit ? { limit: Number.parseInt(limit, 10) } : undefined);
    for (const m of messages) print(describe("history", m));
    print({ kind: "done", count: messages.length });
    exit(0, transport);
  } else if (command === "subscribe") {
    const [channel, countText, ...options] = args;
    const count = Number.parseInt(countText, 10);
    let history = false;
    let events = eventNames(schema);
    let timeoutMs = 20000;
    for (let i = 0; i < options.length; i++) {
      if (options[i] === "--history") history = true;
      else if (options[i] === "--events") events = options[++i].split(",");
      else if (options[i] === "--timeout-ms") timeoutMs = Number.parseInt(options[++i], 10);
      else throw new Error(`unknown option ${options[i]}`);
    }
    let received = 0;
    let finished = false;
    const finish = (code, extra) => {
      if (finished) return;
      finished = true;
      if (extra) print(extra);
      exit(code, transport); // the original's 60 s ping timer would keep the process alive
    };
    const timer = setTimeout(() => finish(3, { kind: "timeout", received }), timeoutMs);
    await realtime.channel(channel).subscribe({
      events,
      ...(history ? { history: true } : {}),
      onData: (m) => {
        if (finished) return;
        received++;
        print({ ...describe("message", m), cursor: m.cursor });
        if (received >= count) {
          clearTimeout(timer);
          finish(0);
        }
      },
    });
    if (!finished) print({ kind: "ready" });
    if (count === 0) finish(0);
  } else if (command === "bench") {
    const [channel, concurrencyText, secondsText, payloadText, warmupText] = args;
    const concurrency = Number.parseInt(concurrencyText, 10);
    const seconds = Number(secondsText);
    const payloadBytes = Number.parseInt(payloadText ?? "100", 10);
    const warmup = Number(warmupText ?? "5");
    // Data of exactly payloadBytes bytes of JSON: a string of payloadBytes - 2 characters.
    const data = "x".repeat(Math.max(0, payloadBytes - 2));
    const ch = realtime.channel(channel);
    const latencies = [];
    const start = performance.now();
    const measureFrom = start + warmup * 1000;
    const end = measureFrom + seconds * 1000;
    async function emitter() {
      for (;;) {
        const t0 = performance.now();
        if (t0 >= end) return;
        await ch.emit("value.text", data);
        if (t0 >= measureFrom) latencies.push(performance.now() - t0);
      }
    }
    await Promise.all(Array.from({ length: concurrency }, emitter));
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    await redis.del(channel);
    print({
      kind: "bench",
      implementation: "@upstash/realtime 1.1.0",
      concurrency,
      seconds,
      payload_bytes: payloadBytes,
      emits: latencies.length,
      emits_per_sec: Math.round(latencies.length / seconds),
      emit_p50_ms: Number(at(0.5).toFixed(3)),
      emit_p99_ms: Number(at(0.99).toFixed(3)),
    });
    exit(0, transport);
  } else {
    throw new Error(`unknown command ${command}`);
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  print({ kind: "error", message: (e && e.message) || String(e) });
  process.stdout.write("", () => process.exit(1));
});
