// What every demo page shares: the token given in the page's URL, the API's address, the navigation
// bar's status, and a safe way to build DOM (text is always set as text, never as HTML).

const params = new URLSearchParams(location.search);

/**
 * The page's token: given once in its URL, as #token=... (never sent to any server) or ?token=...,
 * then kept in this tab's sessionStorage and taken out of the address bar, so it is not in links
 * copied or bookmarked from the page afterwards, and the other pages of the tab find it there.
 * The browser has recorded the URL it was loaded with in its history by then (no script can undo
 * that): give pages short-lived tokens. Passed to connect() and to every API call; undefined
 * without one.
 */
export const token = takeToken();

function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get("token") || params.get("token");
  if (given) {
    sessionStorage.setItem("realtime.token", given);
    const url = new URL(location.href);
    url.searchParams.delete("token");
    fragment.delete("token");
    url.hash = fragment.toString();
    history.replaceState(null, "", url);
  }
  return sessionStorage.getItem("realtime.token") || undefined;
}

/** The server's API, on this page's own origin. */
export const API = "/api/realtime";

/** A query parameter of the page's URL. */
export function param(name) {
  return params.get(name);
}

/** Marks the current page in the navigation bar. */
export function setUpNav() {
  for (const a of document.querySelectorAll("a[data-nav]")) {
    if (new URL(a.href).pathname === location.pathname) a.setAttribute("aria-current", "page");
  }
}

const STATUS_TEXT = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  error: "Disconnected",
  closed: "Closed",
};

/** Shows a connection status in the top bar's pill. */
export function showStatus(status, text) {
  const pill = document.getElementById("status");
  if (!pill) return;
  pill.dataset.status = status;
  pill.textContent = text || STATUS_TEXT[status] || status;
}

/** Shows (or hides, with null) the page's error banner. */
export function showError(message) {
  const banner = document.getElementById("banner");
  if (!banner) return;
  banner.hidden = !message;
  banner.textContent = message || "";
}

/** fetch() with the page's token, answering the JSON body or throwing the server's error. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const error = new Error(json?.error || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return json;
}

/** Creates an element: h("li", { class: "msg", dataset: { id } }, "text", child...). */
export function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A clock time, like 14:03:07. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}

/** The time of a message id (<ms>-<seq>). */
export function idTime(id) {
  return Number(String(id).split("-")[0]);
}
