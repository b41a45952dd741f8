// Drives the browser client (clients/realtime-js/realtime.js) in Node for RealtimeJsTest: reads
// one JSON command per line on stdin, prints one JSON line per callback on stdout.
//
//   node client-driver.mjs <path of realtime.js>
//   {"op":"connect","options":{...}}     connect(options) with every callback recorded
//   {"op":"addChannel","channel":"b"}    also removeChannel, close, reconnect
//   {"op":"replaceChannel","from":"a","to":"b"}   removeChannel then addChannel in one task
//   {"op":"emit","args":{...}}           emit(args): {"type":"emitted","id"} or an emitError
//   {"op":"history","args":{...}}        history(args): {"type":"history","messages"} or a historyError
//   {"op":"state"}                       {"type":"state","status","channels","positions"}
//
// Output: {"type":"status","status"}, {"type":"data","id","event","data","channel"},
// {"type":"gap",...the frame}, {"type":"error","message","status","willRetry"}, and
// {"type":"ack","op"} once a command has run; each with "t" (ms).
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const client = await import(pathToFileURL(process.argv[2]).href);
let rt = null;

function out(line) {
  process.stdout.write(JSON.stringify({ ...line, t: Date.now() }) + "\n");
}

const commands = {
  // options.closeOnStatus / closeOnError: the callback itself calls close();
  // options.reconnectOnStatus: the callback calls reconnect() (once);
  // options.tokenNeverSettles: a token function whose promise never settles.
  connect({ options }) {
    const { closeOnStatus, closeOnError, reconnectOnStatus, tokenNeverSettles, ...rest } = options;
    let reconnected = false;
    rt = client.connect({
      ...rest,
      maxAttempts: rest.maxAttempts ?? Infinity,
      ...(tokenNeverSettles ? { token: () => new Promise(() => {}) } : {}),
      onData: (m) => out({ type: "data", ...m }),
      onStatus: (status) => {
        out({ type: "status", status });
        if (status === closeOnStatus) rt.close();
        if (status === reconnectOnStatus && !reconnected) {
          reconnected = true;
          rt.reconnect();
        }
      },
      onGap: (gap) => out({ ...gap, type: "gap" }),
      onError: (e) => {
        out({ type: "error", message: e.message, status: e.status ?? null, willRetry: e.willRetry });
        if (closeOnError) rt.close();
      },
    });
  },
  // Both edits in one task, the natural order for switching rooms.
  replaceChannel: ({ from, to }) => {
    rt.removeChannel(from);
    rt.addChannel(to);
  },
  addChannel: ({ channel }) => rt.addChannel(channel),
  removeChannel: ({ channel }) => rt.removeChannel(channel),
  close: () => rt.close(),
  reconnect: () => rt.reconnect(),
  state: () => out({ type: "state", status: rt.status, channels: rt.channels, positions: rt.positions }),
  async emit({ args }) {
    try {
      out({ type: "emitted", id: await client.emit(args) });
    } catch (e) {
      out({ type: "emitError", message: e.message, status: e.status ?? null });
    }
  },
  async history({ args }) {
    try {
      out({ type: "history", messages: await client.history(args) });
    } catch (e) {
      out({ type: "historyError", message: e.message, status: e.status ?? null });
    }
  },
};

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  try {
    await commands[command.op](command);
    out({ type: "ack", op: command.op });
  } catch (e) {
    out({ type: "driverError", message: String(e?.stack || e) });
  }
}
rt?.close();
process.exit(0);
