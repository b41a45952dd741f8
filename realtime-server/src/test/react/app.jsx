// A React app written as the @upstash/realtime 1.1.0 documentation shows (client-side usage:
// RealtimeProvider around the app, a hook from createRealtime(), useRealtime with channels,
// events and onData), pointed at this project's server. Nothing of the client is changed.
//
// Query parameters: api (the server's stream URL, default /api/realtime), channels (comma-separated),
// alerts (a channel whose "notice.alert" events a second, filtered hook shows).
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { RealtimeProvider, createRealtime } from "@upstash/realtime/client";

const { useRealtime } = createRealtime();

const params = new URLSearchParams(location.search);
const api = params.get("api") ?? "/api/realtime";
const channels = (params.get("channels") ?? "default").split(",");
const alerts = params.get("alerts");

function Received({ title, id, items }) {
  return (
    <section>
      <h2>
        {title} <small>({items.length})</small>
      </h2>
      <ol id={id}>
        {items.map((m, i) => (
          <li
            key={i}
            className="event"
            data-json={JSON.stringify({ channel: m.channel, event: m.event, data: m.data })}
          >
            <b>{m.channel}</b> {m.event} <code>{JSON.stringify(m.data)}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Feed() {
  const [received, setReceived] = useState([]);
  const { status } = useRealtime({
    channels,
    onData({ event, data, channel }) {
      setReceived((r) => [...r, { event, data, channel }]);
    },
  });
  return (
    <>
      <p>
        Status: <span id="status" className="status" data-status={status}>{status}</span>{" "}
        on <code>{channels.join(", ")}</code> via <code>{api}</code>
      </p>
      <Received title="Every event" id="events" items={received} />
    </>
  );
}

function Alerts({ channel }) {
  const [received, setReceived] = useState([]);
  useRealtime({
    channels: [channel],
    events: ["notice.alert"],
    onData({ event, data, channel }) {
      setReceived((r) => [...r, { event, data, channel }]);
    },
  });
  return <Received title={`notice.alert on ${channel}`} id="alerts" items={received} />;
}

function App() {
  return (
    <RealtimeProvider api={{ url: api, withCredentials: false }}>
      <h1>@upstash/realtime 1.1.0 React client, unchanged, against the Java server</h1>
      <div className="feeds">
        <div style={{ flex: 2 }}>
          <Feed />
        </div>
        {alerts ? <Alerts channel={alerts} /> : null}
      </div>
    </RealtimeProvider>
  );
}

createRoot(document.getElementById("root")).render(<App />);
