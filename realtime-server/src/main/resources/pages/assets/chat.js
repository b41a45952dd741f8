// The chat page: each room is a channel. Joining a room subscribes with the room's latest 50
// messages, then live; sending POSTs a chat.message that every open window receives, this one
// included (a message is shown when the stream delivers it, never before, so each window shows
// the room's one order).
//
// Messages typed while the server is unreachable wait in an outbox, in order, and are sent once
// the stream is connected again. A message whose request failed on the network *after* reaching
// the server may then be sent twice: HTTP emits carry no idempotency key. A refused message (4xx)
// is marked as failed and not retried.

import { connect, emit } from "/realtime.js";
import { API, token, param, setUpNav, showStatus, showError, h, clock, idTime } from "./page.js";

const DEFAULT_ROOMS = ["general", "random", "support"];
const HISTORY = 50;

const $ = (id) => document.getElementById(id);
const messages = $("messages");
const outboxList = $("outbox");
const feed = $("feed");

let room = cleanRoom(param("room")) || "general";
let rt = null;
const outbox = []; // {room, data, el}, sent one at a time, in order
let pumping = false;
const pendingById = new Map(); // id of an emit that succeeded -> its outbox element
const seen = new Set(); // ids shown, so a pending element whose message arrived first goes away
let onConnected = []; // resolvers waiting for the stream to be connected again

function cleanRoom(name) {
  const trimmed = (name || "").trim().replace(/\s+/g, "-").toLowerCase();
  // By code point, not UTF-16 unit: a cut inside an emoji leaves a lone surrogate, which
  // encodeURIComponent refuses.
  return Array.from(trimmed).slice(0, 64).join("") || null;
}

function myName() {
  return $("name").value.trim() || "guest";
}

function rooms() {
  const saved = JSON.parse(localStorage.getItem("realtime.rooms") || "[]");
  return [...new Set([...DEFAULT_ROOMS, ...saved, room])];
}

function renderRooms() {
  const list = $("rooms");
  list.replaceChildren(
    ...rooms().map((r) =>
      h(
        "li",
        {},
        h(
          "a",
          {
            href: `?room=${encodeURIComponent(r)}`,
            "aria-current": r === room ? "true" : "false",
            dataset: { room: r },
            onclick: (e) => {
              e.preventDefault();
              switchRoom(r);
            },
          },
          `# ${r}`,
        ),
      ),
    ),
  );
}

function colorOf(name) {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.codePointAt(0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 55% 45%)`;
}

function messageElement({ id, user, text, time }, extra = {}) {
  const name = String(user ?? "someone");
  const avatar = h("span", { class: "avatar", "aria-hidden": "true" }, Array.from(name)[0] ?? "");
  avatar.style.background = colorOf(name);
  return h(
    "li",
    { class: `msg${name === myName() ? " mine" : ""}`, dataset: id ? { id } : {}, ...extra },
    avatar,
    h("div", { class: "meta" }, h("span", { class: "user" }, name), h("time", {}, clock(time))),
    h("div", { class: "text" }, String(text ?? "")),
  );
}

function nearBottom() {
  return feed.scrollHeight - feed.scrollTop - feed.clientHeight < 80;
}

function show(message) {
  if (message.channel !== room || message.event !== "chat.message") return;
  const stick = nearBottom();
  const data = message.data || {};
  messages.append(messageElement({ id: message.id, user: data.user, text: data.text, time: idTime(message.id) }));
  seen.add(message.id);
  const pending = pendingById.get(message.id);
  if (pending) {
    pending.remove();
    pendingById.delete(message.id);
  }
  updateCount();
  if (stick) feed.scrollTop = feed.scrollHeight;
}

function updateCount() {
  const n = messages.querySelectorAll("li.msg").length; // gap notices are not messages
  $("room-count").textContent = n === 1 ? "1 message" : `${n} messages`;
  $("empty").hidden = n > 0 || outbox.length > 0;
}

function switchRoom(next) {
  next = cleanRoom(next);
  if (!next || next === room) return;
  const previous = room;
  room = next;
  const saved = new Set(JSON.parse(localStorage.getItem("realtime.rooms") || "[]"));
  if (!DEFAULT_ROOMS.includes(room)) saved.add(room);
  localStorage.setItem("realtime.rooms", JSON.stringify([...saved]));
  const url = new URL(location.href);
  url.searchParams.set("room", room);
  history.replaceState(null, "", url);
  messages.replaceChildren();
  // Messages of the old room still waiting to be sent stay in the outbox (they go to their own
  // room), but only the room on screen shows its own; one already sent is shown by its room.
  for (const item of outbox) item.el.hidden = item.room !== room;
  for (const [id, el] of pendingById) {
    el.remove();
    pendingById.delete(id);
  }
  renderHeader();
  renderRooms();
  // One stream for the room on screen: the new room has no position yet, so it starts with its
  // latest 50 messages; the old one is dropped.
  rt.addChannel(room);
  rt.removeChannel(previous);
}

function renderHeader() {
  $("room-title").textContent = `# ${room}`;
  $("text").placeholder = `Message #${room}`;
  document.title = `#${room} · Chat · realtime`;
  updateCount();
}

// ---- sending -------------------------------------------------------------------------------

function send(text) {
  const data = { user: myName(), text };
  const el = messageElement({ user: data.user, text, time: Date.now() }, { class: "msg pending" });
  el.querySelector(".meta").append(h("span", { class: "state" }, outbox.length ? "queued" : "sending…"));
  outboxList.append(el);
  outbox.push({ room, data, el });
  feed.scrollTop = feed.scrollHeight;
  pump();
}

async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    while (outbox.length) {
      const item = outbox[0];
      try {
        const id = await emit({ url: API, token, channel: item.room, event: "chat.message", data: item.data });
        outbox.shift();
        if (seen.has(id) || item.room !== room) item.el.remove();
        else pendingById.set(id, item.el);
      } catch (e) {
        if (e.status && e.status < 500 && e.status !== 429) {
          outbox.shift(); // refused: retrying would not help
          item.el.classList.add("failed");
          item.el.querySelector(".state").textContent = `not sent: ${e.message}`;
          continue;
        }
        item.el.querySelector(".state").textContent = "waiting for the server…";
        await connectedAgain(5000);
        item.el.querySelector(".state").textContent = "sending…";
      }
    }
  } finally {
    pumping = false;
    updateCount();
  }
}

/** Resolves when the stream is connected again, or after `ms` at the latest. */
function connectedAgain(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    onConnected.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// ---- start ---------------------------------------------------------------------------------

function start() {
  setUpNav();
  const name = $("name");
  name.value = localStorage.getItem("realtime.name") || `guest-${Math.random().toString(36).slice(2, 6)}`;
  name.addEventListener("change", () => localStorage.setItem("realtime.name", name.value.trim()));
  localStorage.setItem("realtime.name", name.value);
  renderHeader();
  renderRooms();
  $("history-note").hidden = false;

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    send(text);
  });
  $("join").addEventListener("submit", (e) => {
    e.preventDefault();
    switchRoom($("join-room").value);
    $("join-room").value = "";
  });

  rt = connect({
    url: API,
    token,
    channels: [room],
    events: ["chat.message"],
    history: { latest: HISTORY },
    maxAttempts: Infinity, // a chat tab keeps trying, every 5 s at most
    backoff: { initialMs: 250, maxMs: 5000 },
    onData: show,
    onStatus(status) {
      showStatus(status);
      $("send").title = status === "connected" ? "" : "Messages are kept and sent when the server is back";
      if (status === "connected") {
        showError(null);
        const waiting = onConnected;
        onConnected = [];
        waiting.forEach((resolve) => resolve());
      }
    },
    onGap({ channel }) {
      if (channel === room) messages.append(h("li", { class: "history-note" }, "Some older messages are no longer kept."));
    },
    onError(error) {
      if (!error.willRetry) showError(`Cannot connect: ${error.message}`);
    },
  });
  $("text").focus();
}

start();
