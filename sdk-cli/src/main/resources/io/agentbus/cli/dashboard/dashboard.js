// The AgentBus dashboard: renders the snapshots the server sends (/events, one a second).
"use strict";
const COLORS = ["#3182ce", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#718096",
  "#b7791f", "#e53e3e", "#2c5282", "#276749"];
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function age(ms) {
  if (ms === null || ms === undefined) return "never";
  return ms < 10000 ? (ms / 1000).toFixed(1) + " s ago" : Math.round(ms / 1000) + " s ago";
}

function rows(tbody, items, render) {
  tbody.replaceChildren(...items.map(render));
}

function renderAgents(s) {
  rows($("agents").tBodies[0], s.agents, (a) => el("tr", {"data-agent": a.agent},
    el("td", {class: "agent"}, a.agent),
    el("td", {class: "state"}, el("span", {class: "badge " + a.state}, a.state)),
    el("td", {class: "age"}, age(a.heartbeat_age_ms)),
    el("td", {}, a.status || "-"),
    el("td", {}, (a.teams || []).join(", ") || "-"),
    el("td", {}, a.version || "-")));
}

function renderGraph(s) {
  const g = $("graph");
  const names = new Set(s.agents.map((a) => a.agent));
  for (const e of s.edges) { names.add(e.from); names.add(e.to); }
  const list = [...names].sort();
  const pos = {};
  const cx = 260, cy = 200, r = 150;
  list.forEach((n, i) => {
    const t = (2 * Math.PI * i) / Math.max(1, list.length) - Math.PI / 2;
    pos[n] = [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
  const defs = svg("defs", {});
  const marker = svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 18, refY: 5,
    markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse"});
  marker.append(svg("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#90cdf4"}));
  defs.append(marker);
  const parts = [defs];
  for (const e of s.edges) {
    const [x1, y1] = pos[e.from], [x2, y2] = pos[e.to];
    const line = svg("line", {x1, y1, x2, y2, "stroke-width": 1 + Math.log2(1 + e.count),
      "marker-end": "url(#arrow)"});
    line.append(svg("title", {}, e.from + " → " + e.to + ": " + e.count + " messages"));
    parts.push(line);
  }
  for (const n of list) {
    const [x, y] = pos[n];
    const pseudo = n === "*" || n.includes(":");
    parts.push(svg("circle", {cx: x, cy: y, r: 7, class: pseudo ? "pseudo" : "agent"}));
    parts.push(svg("text", {x: x + 10, y: y + 4}, n === "*" ? "broadcast" : n));
  }
  g.replaceChildren(...parts);
}

function renderRates(s) {
  const types = Object.keys(s.rates);
  rows($("rates").tBodies[0], types, (t) => el("tr", {"data-type": t},
    el("td", {}, el("span", {style: "color:" + COLORS[types.indexOf(t) % COLORS.length]}, "■ "), t),
    el("td", {class: "num rate"}, s.rates[t].toFixed(2)),
    el("td", {class: "num total"}, s.totals[t])));
  const chart = $("chart");
  const w = 520, h = 160, pad = 20;
  let max = 1;
  for (const t of types) for (const v of s.series[t]) max = Math.max(max, v);
  const parts = [svg("text", {x: 2, y: 12}, (max / s.bucket_seconds).toFixed(1) + "/s")];
  types.forEach((t, i) => {
    const pts = s.series[t].map((v, j) => {
      const x = pad + (j * (w - 2 * pad)) / (s.series[t].length - 1);
      const y = h - pad - (v / max) * (h - 2 * pad);
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    parts.push(svg("polyline", {points: pts.join(" "), fill: "none",
      stroke: COLORS[i % COLORS.length], "stroke-width": 2}));
  });
  chart.replaceChildren(...parts);
}

function renderLatency(s) {
  const l = s.latency_ms;
  const cells = l.samples === 0 ? [el("tr", {}, el("td", {}, "no request seen yet"))]
    : ["p50", "p90", "p99"].map((p) => el("tr", {}, el("td", {}, p),
      el("td", {class: "num"}, l[p].toFixed(2) + " ms")))
      .concat([el("tr", {}, el("td", {}, "samples"), el("td", {class: "num"}, l.samples))]);
  $("latency").tBodies[0].replaceChildren(...cells);
}

function renderRecent(s) {
  $("recent").replaceChildren(...s.recent.map((m) => el("li", {},
    m.received.substring(11, 23) + " " + m.kind + " " + m.from_agent + " → "
    + (m.to_agent || (m.kind === "broadcast" ? "*" : m.subject)) + " " + m.message_type
    + " " + JSON.stringify(m.content))));
}

function renderDeadLetters(s) {
  $("dl-stream").textContent = s.dead_letter_stream ? "(" + s.dead_letter_stream + ")"
    : "(no dead-letter stream kept)";
  rows($("deadletters").tBodies[0], s.dead_letters, (d) => {
    const button = el("button", {"data-seq": d.seq}, "replay");
    button.onclick = () => replay(d.seq);
    return el("tr", {"data-seq": d.seq}, el("td", {class: "num"}, d.seq),
      el("td", {}, d.time), el("td", {}, d.original_subject || "-"),
      el("td", {class: "error"}, d.error || "-"), el("td", {}, button));
  });
}

function renderQueues(s) {
  rows($("queues").tBodies[0], s.queues, (q) => el("tr", {"data-queue": q.queue},
    el("td", {}, q.queue), el("td", {class: "num depth"}, q.depth),
    el("td", {class: "num"}, q.pending_acks ?? "-"), el("td", {class: "num"}, q.redelivered ?? "-"),
    el("td", {class: "num"}, q.dead_lettered)));
}

async function replay(seq) {
  const r = await fetch("api/dlq/replay?seq=" + seq, {method: "POST"});
  const o = await r.json();
  $("replay-result").textContent = "#" + seq + ": " + (o.outcome || o.error)
    + (o.removed ? " (removed from dead letters)" : "");
}

function render(s) {
  $("namespace").textContent = "namespace " + s.namespace;
  $("totals").textContent = s.messages + " messages seen";
  renderAgents(s);
  renderGraph(s);
  renderRates(s);
  renderLatency(s);
  renderRecent(s);
  renderDeadLetters(s);
  renderQueues(s);
}

const events = new EventSource("events");
events.addEventListener("state", (e) => {
  $("connection").textContent = "live";
  $("connection").className = "badge alive";
  render(JSON.parse(e.data));
});
events.onerror = () => {
  $("connection").textContent = "disconnected, retrying";
  $("connection").className = "badge dead";
};
