// The job progress page: POST /demo/jobs starts a job on the server and answers its channel; the
// page adds that channel to its one stream (with history, so the events emitted before it
// listened arrive too) and drives the job's progress bar from job.started, job.progress and
// job.completed. A finished job's channel is removed from the stream; the other jobs' channels
// resume where they were, losing nothing.

import { connect } from "/realtime.js";
import { API, token, param, setUpNav, showStatus, showError, api, h, clock, idTime } from "./page.js";

const $ = (id) => document.getElementById(id);
const jobs = new Map(); // channel -> {el, bar, percent, badge, events}
let rt = null;

function jobCard(job, channel) {
  const bar = h("div", { class: "bar" });
  const progress = h(
    "div",
    { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0", "aria-label": `Job ${job}` },
    bar,
  );
  const percent = h("span", { class: "percent" }, "0%");
  const badge = h("span", { class: "badge" }, "queued");
  const events = h("ol", { class: "events" });
  const el = h(
    "article",
    { class: "card job", dataset: { job, channel, state: "queued" } },
    h("header", {}, h("h3", {}, job), badge, percent),
    progress,
    events,
  );
  return { el, bar, progress, percent, badge, events };
}

function onData({ id, event, data, channel }) {
  const job = jobs.get(channel);
  if (!job) return;
  const value = Math.max(0, Math.min(100, Number(data?.progress ?? 0)));
  job.bar.style.width = `${value}%`;
  job.progress.setAttribute("aria-valuenow", String(value));
  job.percent.textContent = `${value}%`;
  const state = event === "job.completed" ? "completed" : "running";
  job.el.dataset.state = state;
  job.badge.textContent = state;
  job.events.prepend(
    h("li", { dataset: { id } }, h("time", {}, clock(idTime(id))), " ", h("span", { class: "event" }, event), " ", h("code", {}, JSON.stringify(data))),
  );
  if (state === "completed") rt.removeChannel(channel);
}

async function startJob(steps) {
  // ?stepMs= sets the job's pace (400 ms a step by default), for demos and tests.
  const stepMs = param("stepMs") === null ? undefined : Number(param("stepMs"));
  const { job, channel } = await api("/demo/jobs", { method: "POST", body: { steps, stepMs } });
  const card = jobCard(job, channel);
  jobs.set(channel, card);
  $("no-jobs").hidden = true;
  $("jobs").prepend(card.el);
  // A client that gave up (status error) is restarted by addChannel with every job it had; only a
  // closed one (or none yet) is replaced, with every job of the page.
  if (!rt || rt.status === "closed") {
    rt = connect({
      url: API,
      token,
      channels: [...jobs.keys()],
      events: ["job.started", "job.progress", "job.completed"],
      history: { latest: 1000 }, // a new job channel replays everything it has
      backoff: { initialMs: 250, maxMs: 5000 },
      onData,
      onStatus: (status) => (status === "closed" ? showStatus("idle", "Idle") : showStatus(status)),
      onError: (error) => {
        if (!error.willRetry) showError(`Stream failed: ${error.message}`);
      },
    });
  } else {
    rt.addChannel(channel);
  }
}

function start() {
  setUpNav();
  $("start-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = $("start");
    button.disabled = true;
    try {
      showError(null);
      await startJob(Number($("steps").value));
    } catch (error) {
      showError(`Could not start a job: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
  if (param("start") === "1") $("start").click();
}

start();
