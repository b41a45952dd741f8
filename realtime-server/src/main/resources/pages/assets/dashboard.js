// The dashboard: polls GET /stats every second (cumulative counters; rates are computed here from
// two samples), draws the last minute of emits/s and deliveries/s on canvases, lists the watched
// channels, and tails any channel with the realtime client.

import { connect } from "/realtime.js";
import { API, token, setUpNav, showStatus, showError, api, h, clock, idTime } from "./page.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const WINDOW = 60; // samples shown in the charts
const emitRates = [];
const deliveryRates = [];
let previous = null;
let tail = null;

const number = new Intl.NumberFormat();

function bytes(n) {
  if (!(n >= 0)) return "n/a";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function rate(n) {
  return n >= 100 ? number.format(Math.round(n)) : n.toFixed(1);
}

function set(stat, text) {
  const tile = document.querySelector(`[data-stat="${stat}"] .value`);
  if (tile) tile.textContent = text;
}

function setSub(stat, text) {
  const el = document.querySelector(`[data-stat-sub="${stat}"]`);
  if (el) el.textContent = text;
}

function render(stats) {
  set("streams", number.format(stats.streams));
  set("connections", number.format(stats.connections));
  set("channelCount", number.format(stats.channelCount));
  setSub("subscriptions", number.format(stats.subscriptions));
  setSub("emits", number.format(stats.emits));
  setSub("deliveries", number.format(stats.deliveries));
  set("slowConsumersDropped", number.format(stats.slowConsumersDropped));
  document.querySelector('[data-stat="slowConsumersDropped"]').classList.toggle("alert", stats.slowConsumersDropped > 0);
  set("rejectedRequests", number.format(stats.rejectedRequests));
  set("heap", bytes(stats.memory.heapUsedBytes));
  setSub("heapMax", bytes(stats.memory.heapMaxBytes));
  set("rss", bytes(stats.memory.rssBytes));
  setSub("threads", number.format(stats.threads));
  set("uptime", duration(stats.uptimeMs));

  if (previous && stats.time > previous.time && stats.uptimeMs > previous.uptimeMs) {
    const seconds = (stats.time - previous.time) / 1000;
    push(emitRates, Math.max(0, stats.emits - previous.emits) / seconds);
    push(deliveryRates, Math.max(0, stats.deliveries - previous.deliveries) / seconds);
  }
  previous = stats;
  const emitNow = emitRates.at(-1) ?? 0;
  const deliveryNow = deliveryRates.at(-1) ?? 0;
  set("emitRate", rate(emitNow));
  set("deliveryRate", rate(deliveryNow));
  $("emit-now").textContent = `${rate(emitNow)}/s`;
  $("delivery-now").textContent = `${rate(deliveryNow)}/s`;
  draw($("emit-chart"), emitRates, "#3b5bdb");
  draw($("delivery-chart"), deliveryRates, "#16a34a");
  renderChannels(stats);
}

function push(series, value) {
  series.push(value);
  if (series.length > WINDOW) series.shift();
}

// Rows are kept and updated in place (not rebuilt every second), so a click on a row's button
// never lands on a row that was just replaced.
const rows = new Map(); // channel -> {tr, count}

function renderChannels(stats) {
  const tbody = $("channels");
  const listed = new Set();
  for (const { channel, subscribers } of stats.channels) {
    listed.add(channel);
    let row = rows.get(channel);
    if (!row) {
      const count = h("td", { class: "num" });
      const tr = h(
        "tr",
        { dataset: { channel } },
        h("td", { class: "channel" }, channel),
        count,
        h("td", { class: "act" }, h("button", { class: "secondary", type: "button", onclick: () => startTail(channel) }, "Tail")),
      );
      row = { tr, count };
      rows.set(channel, row);
    }
    row.count.textContent = number.format(subscribers);
    tbody.append(row.tr); // in the order listed: most watched first
  }
  for (const [channel, row] of rows) {
    if (listed.has(channel)) continue;
    row.tr.remove();
    rows.delete(channel);
  }
  $("no-channels").hidden = rows.size > 0;
  $("channel-note").textContent =
    stats.channelCount > stats.channels.length ? `(top ${stats.channels.length} of ${number.format(stats.channelCount)})` : "";
}

/** A filled line chart of `values` (one per second, newest at the right). */
function draw(canvas, values, color) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const style = getComputedStyle(document.body);
  const muted = style.getPropertyValue("--muted").trim() || "#667085";
  const line = style.getPropertyValue("--line").trim() || "#e3e6eb";
  const left = 44;
  const bottom = height - 18;
  const top = 8;
  const max = niceMax(Math.max(1, ...values));
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = muted;
  g.strokeStyle = line;
  g.lineWidth = 1;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const y = Math.round(bottom - ((bottom - top) * i) / 4) + 0.5;
    g.beginPath();
    g.moveTo(left, y);
    g.lineTo(width, y);
    g.stroke();
    const tick = (max * i) / 4;
    g.fillText(max >= 10 ? number.format(Math.round(tick)) : tick.toFixed(1), left - 6, y);
  }
  g.textAlign = "left";
  g.textBaseline = "alphabetic";
  g.fillText("60 s ago", left, height - 4);
  g.textAlign = "right";
  g.fillText("now", width, height - 4);
  if (values.length < 2) return;
  const step = (width - left) / (WINDOW - 1);
  const x0 = width - (values.length - 1) * step;
  const y = (v) => bottom - ((bottom - top) * v) / max;
  g.beginPath();
  values.forEach((v, i) => (i === 0 ? g.moveTo(x0, y(v)) : g.lineTo(x0 + i * step, y(v))));
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.lineJoin = "round";
  g.stroke();
  g.lineTo(width, bottom);
  g.lineTo(x0, bottom);
  g.closePath();
  g.globalAlpha = 0.12;
  g.fillStyle = color;
  g.fill();
  g.globalAlpha = 1;
}

function niceMax(n) {
  const power = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= n) return m * power;
  return 10 * power;
}

async function poll() {
  try {
    const stats = await api("/stats");
    showStatus("connected", "Live");
    showError(null);
    render(stats);
  } catch (error) {
    showStatus(error.status ? "error" : "reconnecting", error.status ? "Refused" : "Server unreachable");
    if (error.status) showError(`GET /stats: ${error.message}`);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// ---- tail ----------------------------------------------------------------------------------

function startTail(channel) {
  stopTail();
  $("tail-channel").value = channel;
  $("tail").replaceChildren();
  $("tail-button").textContent = "Stop";
  const status = $("tail-status");
  try {
    tail = startTailClient(channel, status);
  } catch (error) {
    // A name the client refuses (over 256 bytes, say): say why, and offer to try another.
    $("tail").prepend(h("li", { class: "gap" }, error.message));
    stopTail();
  }
}

function startTailClient(channel, status) {
  return connect({
    url: API,
    token,
    channels: [channel],
    history: { latest: 20 },
    backoff: { initialMs: 250, maxMs: 5000 },
    onData({ id, event, data }) {
      const list = $("tail");
      list.prepend(
        h("li", { dataset: { id } }, h("time", {}, clock(idTime(id))), " ", h("span", { class: "event" }, event), " ", h("code", {}, JSON.stringify(data))),
      );
      while (list.children.length > 200) list.lastChild.remove();
    },
    onGap({ afterId }) {
      $("tail").prepend(h("li", { class: "gap" }, `gap: messages after ${afterId} are no longer kept`));
    },
    onStatus(s) {
      status.dataset.status = s;
      status.textContent = { connected: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…", error: "Failed", closed: "Stopped" }[s];
    },
    onError(error) {
      if (!error.willRetry) $("tail").prepend(h("li", { class: "gap" }, error.message));
    },
  });
}

function stopTail() {
  if (tail) tail.close();
  tail = null;
  $("tail-button").textContent = "Tail";
}

function start() {
  setUpNav();
  $("tail-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (tail && tail.status !== "closed" && tail.status !== "error") stopTail();
    else if ($("tail-channel").value.trim()) startTail($("tail-channel").value.trim());
  });
  poll();
}

start();
