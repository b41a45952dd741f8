// Compiled (not run) by `npm test` (tsc --strict): the declarations in realtime.d.ts accept the
// documented usage and refuse mistakes (each @ts-expect-error line must be an error).
import { connect, emit, history, RealtimeError, type Connection, type Gap, type Status } from "./realtime.js";

type Events = {
  "chat.message": { user: string; text: string };
  "user.joined": { user: string };
};

const rt: Connection = connect<Events>({
  url: "/api/realtime",
  channels: ["room-123"],
  events: ["chat.message"],
  token: async () => "a token",
  history: { latest: 50 },
  maxAttempts: Infinity,
  backoff: { initialMs: 500 },
  heartbeatTimeoutMs: 45_000,
  onData(m) {
    if (m.event === "chat.message") {
      const text: string = m.data.text;
      console.log(m.id, m.channel, text);
    } else {
      const user: string = m.data.user;
      console.log(user);
    }
  },
  onStatus(status: Status) {
    console.log(status);
  },
  onGap(gap: Gap) {
    const from: string | null = gap.resumedFrom;
    console.log(gap.channel, gap.afterId, from);
  },
  onError(error: RealtimeError) {
    console.log(error.status, error.willRetry);
  },
});
rt.addChannel("room-124");
rt.removeChannel("room-123");
const where: Record<string, string> = rt.positions;
connect({ channels: rt.channels, positions: where });
rt.reconnect();
rt.close();

async function api(): Promise<void> {
  const id: string = await emit({ channel: "room-123", event: "chat.message", data: { text: "hi" } });
  const messages = await history<Events>({ channel: "room-123", limit: 50, latest: true });
  for (const m of messages) if (m.event === "user.joined") console.log(id, m.data.user);
}
void api;

// @ts-expect-error an unknown event name in the filter of a typed connection
connect<Events>({ events: ["chat.mesage"] });
// @ts-expect-error data of the wrong type
connect<Events>({ onData: (m) => (m.event === "chat.message" ? m.data.missing : null) });
// @ts-expect-error not a status
const wrong: Status = "open";
void wrong;
// @ts-expect-error emit needs an event
void emit({ data: 1 });
// @ts-expect-error history.latest is a number
connect({ history: { latest: "50" } });

// An interface as the event map, and readonly arrays of channels and events.
interface EventsAsInterface {
  "job.progress": { percent: number };
}
const channelList: readonly string[] = ["jobs-1"];
const eventList = ["job.progress"] as const;
connect<EventsAsInterface>({
  channels: channelList,
  events: eventList,
  onData(m) {
    const percent: number = m.data.percent;
    console.log(percent);
  },
});
