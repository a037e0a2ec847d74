// The explorer's page: controls <-> URL, requests to the JSON API, Plotly drawings.
//
// State lives in the URL: the controls, the view, and every run with the full request it was computed from
// (problem, optimizer and its hyperparameters, gradient mode, batch size, seed, steps, start), so a link
// reproduces the same numbers. A view drawn for other settings than the current ones says so (stale) or is
// redrawn; a cap is never applied silently (the control shows the value that will run). While the server
// computes, the plot waiting for it says so, and says when the server is compiling a program for it (the first
// use of an activation, optimizer or shape); while the server warms up, a banner says how far it got.
"use strict";

const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const BASIN_COLORS = { global_min: "#0072B2", dead: "#D55E00", stationary: "#CC79A7", moving: "#E69F00", diverged: "#000000", escaping: "#56B4E9" };
const $ = (id) => document.getElementById(id);
const state = { view: "landscape", runs: [], surface: null, config: null, phase: null, drawn: {}, server: null,
                pending: new Set(), polling: false, spurious: {} };
const SHOW_AFTER_MS = 200;  // a request answered faster than this never shows its progress overlay
const NARROW = () => window.matchMedia("(max-width: 860px)").matches;
const plotConfig = () => ({ displaylogo: false, responsive: true, displayModeBar: NARROW() ? false : "hover" });
// short titles at the left: the mode bar (top right, desktop only) never covers them; long text goes in captions
const title = (text) => ({ text, x: 0, xref: "paper", xanchor: "left", font: { size: 13 } });
const fmt = (v, p = 4) => (v === null || v === undefined ? "–" : Number(v).toPrecision(p));
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ------------------------------------------------------------------ API
async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch(path, opts);
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || `HTTP ${r.status}`);
  return data;
}

function status(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = kind || "";
}

// ------------------------------------------------------- progress states
function overlay(box) {
  let o = box.querySelector(":scope > .overlay");
  if (!o) {
    o = document.createElement("div");
    o.className = "overlay";
    o.hidden = true;
    o.innerHTML = '<div class="msg"><span class="spinner"></span><span class="text"></span><span class="compiling"></span></div>';
    box.appendChild(o);
  }
  return o;
}

function compilingText() {
  const c = state.server && state.server.programs.compiling;
  if (!c || !c.length) return "";
  return `compiling ${c.map((p) => p.what).join("; ")}: the first request of this kind compiles its program (once per server), the next ones take milliseconds`;
}

function renderPending() {
  const now = performance.now();
  const shown = new Map();
  for (const job of state.pending) {
    if (now - job.t0 < SHOW_AFTER_MS) continue;
    for (const b of job.boxes) shown.set(b, job);
  }
  for (const o of document.querySelectorAll(".overlay")) {
    const job = shown.get(o.parentElement);
    o.hidden = !job;
    if (!job) continue;
    o.querySelector(".text").textContent = `${job.label} ${((now - job.t0) / 1000).toFixed(1)} s`;
    o.querySelector(".compiling").textContent = compilingText();
  }
  if (state.pending.size) {
    const job = [...state.pending][state.pending.size - 1];
    const c = compilingText();
    status(`${job.label}${c && now - job.t0 > SHOW_AFTER_MS ? " (" + c.split(":")[0] + ")" : ""}`, "busy");
  }
}

async function busy(label, fn, plots = []) {
  const job = { label, t0: performance.now(), boxes: plots.map((id) => $(id).closest(".plot-box")) };
  for (const b of job.boxes) overlay(b);
  state.pending.add(job);
  document.body.dataset.pending = String(state.pending.size);
  renderPending();
  poll();
  try {
    return await fn();
  } catch (e) {
    job.error = e.message;
    return null;
  } finally {
    state.pending.delete(job);
    document.body.dataset.pending = String(state.pending.size);
    renderPending();
    if (job.error) status(job.error, "error");
    else if (!state.pending.size && $("status").className === "busy") status("");
  }
}

function renderWarm(s) {
  const w = s.warmup, el = $("warm");
  document.body.dataset.warm = w.finished ? "done" : "warming";
  if (w.finished || !w.total) { el.hidden = true; return; }
  el.hidden = false;
  $("warm-text").textContent = `Warming up: compiling the programs of every activation, optimizer and view in the background (${w.done} of ${w.total} ready${w.current ? "; now " + w.current : ""}). The page works meanwhile; a request may wait for its program.`;
  $("warm-bar").value = w.total ? w.done / w.total : 1;
}

async function poll() {
  // /api/status while the server warms up or a request waits: the banner and the progress overlays follow it
  if (state.polling) return;
  state.polling = true;
  const tick = setInterval(renderPending, 250);
  try {
    for (;;) {
      const warming = !state.server || !state.server.warmup.finished;
      if (!warming && !state.pending.size) break;
      try {
        state.server = await api("/api/status");
        renderWarm(state.server);
        renderPending();
      } catch (e) { /* the next look will tell */ }
      await sleep(state.pending.size ? 400 : 1000);
    }
  } finally {
    clearInterval(tick);
    state.polling = false;
  }
}

// -------------------------------------------------------------- settings
function num(id) { return Number($(id).value); }
const SMOOTH = (act) => !["relu", "leaky_relu"].includes(act);

function problem() {
  const p = { activation: $("activation").value, inputs: $("inputs").value };
  if (p.activation === "leaky_relu") p.slope = num("slope");
  if (p.inputs === "uniform") { p.lo = num("lo"); p.hi = num("hi"); }
  return p;
}

function optimizerBody() {
  const name = $("optimizer").value;
  const hyper = {};
  for (const h of state.config.hyper[name]) hyper[h] = num(h === "learning_rate" ? "lr" : h);
  return { optimizer: name, hyper };
}

function runBody(w, b) {
  const body = { problem: problem(), ...optimizerBody(), start: { w, b }, gradient: $("gradient").value, steps: Number($("steps").value) };
  if (body.gradient === "minibatch") { body.batch_size = num("batch"); body.seed = num("seed"); }
  return body;
}

function describeRun(body) {
  const h = Object.entries(body.hyper).map(([k, v]) => `${k === "learning_rate" ? "η" : k}=${v}`).join(" ");
  const g = body.gradient === "minibatch" ? `minibatch ${body.batch_size}, seed ${body.seed}` : "exact gradients";
  const act = body.problem.activation + (body.problem.slope !== undefined ? `(${body.problem.slope})` : "");
  return `${act}, ${body.optimizer} ${h}, ${g}`;
}

// ------------------------------------------------------------------- URL
const FIELDS = ["activation", "slope", "inputs", "lo", "hi", "optimizer", "lr", "momentum", "b1", "b2", "eps", "gradient",
                "batch", "seed", "steps", "basins-n", "ow-w0", "ow-lr", "ow-steps", "ow-batch", "ow-seed", "ph-method",
                "nw-samples", "nw-scheme", "nw-depth", "nw-width", "nw-nets", "nw-k", "nw-starts"];
const CHECKS = ["nw-depths", "nw-widths", "nw-slopes"];  // groups of check boxes: comma-separated values
const FLAGS = ["nw-bias", "nw-prove"];
const ALIASES = { w0: "ow-w0", method: "ph-method" };  // older link names

function checked(id) { return [...$(id).querySelectorAll("input:checked")].map((i) => Number(i.value)); }
function setChecked(id, values) { for (const i of $(id).querySelectorAll("input")) i.checked = values.includes(Number(i.value)); }

function writeURL() {
  const q = new URLSearchParams();
  q.set("view", state.view);
  for (const f of FIELDS) q.set(f, $(f).value);
  for (const f of CHECKS) q.set(f, checked(f).join(","));
  for (const f of FLAGS) q.set(f, $(f).checked ? "1" : "0");
  if (state.runs.length) q.set("runs", JSON.stringify(state.runs.map((r) => r.body)));
  history.replaceState(null, "", "?" + q.toString());
}

function readURL() {
  const q = new URLSearchParams(location.search);
  const set = (id, v) => { const el = $(id), old = el.value; el.value = v; if (el.value === "") el.value = old; };
  for (const f of FIELDS) if (q.has(f)) set(f, q.get(f));
  for (const [a, f] of Object.entries(ALIASES)) if (q.has(a) && !q.has(f)) set(f, q.get(a));
  for (const f of FLAGS) if (q.has(f)) $(f).checked = q.get(f) === "1";
  for (const f of CHECKS) {
    const v = (q.get(f) || "").split(",").filter(Boolean).map(Number);
    if (v.length) setChecked(f, v);
  }
  let runs = [];
  try { runs = JSON.parse(q.get("runs") || "[]"); } catch (e) { status("the link's runs could not be read", "error"); }
  if (!Array.isArray(runs)) runs = [];
  runs = runs.filter((r) => r && typeof r === "object" && r.start && typeof r.start === "object");
  // a plain list of starts (w:b pairs) runs with the settings of the link
  const starts = (q.get("starts") || "").split(",").filter(Boolean).map((s) => s.split(":").map(Number))
    .filter((p) => p.length === 2 && p.every(Number.isFinite));
  return { view: q.get("view") || "landscape", runs, starts, hyperGiven: ["lr", "momentum", "b1", "b2", "eps"].filter((h) => q.has(h)) };
}

function setOptimizerDefaults(keep) {
  const d = state.config.defaults[$("optimizer").value];
  for (const [h, v] of Object.entries(d)) {
    const id = h === "learning_rate" ? "lr" : h;
    if (!keep.includes(id)) $(id).value = v;
  }
}

function capSteps() {
  // minibatch runs have their own cap: the options above it are disabled and a larger choice is moved down, said aloud
  const cap = $("gradient").value === "minibatch" ? state.config.caps.minibatch_steps : state.config.caps.steps;
  const sel = $("steps");
  for (const o of sel.options) o.disabled = Number(o.value) > cap;
  if (Number(sel.value) > cap) { sel.value = String(cap); status(`minibatch runs take at most ${cap} steps: steps set to ${cap}`); }
  const ncap = SMOOTH($("activation").value) ? state.config.caps.basins_smooth_n : state.config.caps.basins_n;
  const bn = $("basins-n");
  for (const o of bn.options) o.disabled = Number(o.value) > ncap;
  if (Number(bn.value) > ncap) { bn.value = String(ncap); status(`basin maps of this activation take at most ${ncap} starts per axis`); }
  $("basins-steps-note").textContent = Number(sel.value) > state.config.caps.basins_steps
    ? `(basin maps run at most ${state.config.caps.basins_steps} steps: this one runs ${state.config.caps.basins_steps})` : "";
  $("nw-prove").disabled = num("nw-k") > state.config.networks.prove_max_k;
  if ($("nw-prove").disabled) $("nw-prove").checked = false;
}

function syncControls() {
  $("slope-row").style.display = $("activation").value === "leaky_relu" ? "" : "none";
  for (const el of document.querySelectorAll(".uniform-row")) el.style.display = $("inputs").value === "uniform" ? "" : "none";
  for (const el of document.querySelectorAll(".mb-row")) el.style.display = $("gradient").value === "minibatch" ? "" : "none";
  const hp = state.config.hyper[$("optimizer").value];
  for (const h of ["momentum", "b1", "b2", "eps"]) for (const el of document.querySelectorAll(".hp-" + h)) el.style.display = hp.includes(h) ? "" : "none";
  capSteps();
}

// ------------------------------------------------------------- landscape
const T = (m) => m[0].map((_, j) => m.map((row) => row[j]));  // rows of the server's grid are w; Plotly's are y = b

async function drawLandscape() {
  const p = problem();
  const d = await busy("computing the exact loss over (w, b)...", () => api("/api/landscape", { problem: p, n: 121 }), ["landscape"]);
  if (!d) return;
  state.surface = d;
  const defs = d.definitions;
  const z = d.loss.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v - d.min_loss, 1e-6)))));
  const line = (mask, color, width, dash, name) => ({ type: "contour", x: d.w, y: d.b, z: T(mask), showscale: false,
    contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" }, line: { color, width, dash }, hoverinfo: "skip", name, showlegend: true });
  const traces = [
    { type: "contour", x: d.w, y: d.b, z: T(z), colorscale: "Viridis", contours: { coloring: "heatmap" }, ncontours: 24,
      colorbar: { thickness: 12 }, hovertemplate: "w %{x:.3f}<br>b %{y:.3f}<br>log10(L-min) %{z:.3f}<extra></extra>", name: "loss", showlegend: false },
    line(d.near_flat, "#E69F00", 1.5, "dot", "near-flat"),
  ];
  if (d.log10_active) {
    const edge = Math.log10(defs.classify.tol_active);
    traces.push({ type: "contour", x: d.w, y: d.b, z: T(d.log10_active), showscale: false,
      contours: { start: edge, end: edge, size: 1, coloring: "none" }, line: { color: "#D55E00", width: 1.5, dash: "dash" },
      hoverinfo: "skip", name: "labelled dead", showlegend: true });
  }
  const outline = deadSetOutline(d);
  if (outline) traces.push(outline);
  const input = p.inputs === "gaussian" ? "Gaussian inputs" : `inputs uniform on [${p.lo}, ${p.hi}]`;
  $("landscape-caption").textContent = `Exact loss of the ${p.activation}${p.slope !== undefined ? " " + p.slope : ""} student, ${input}: ` +
    `colour is log10(L − min L). Near-flat (dotted): |∇L| < ${defs.near_flat.eps} and L > min + ${defs.near_flat.delta}, the dead set included. ` +
    (d.log10_active ? `Labelled dead (dashed): active on less than ${100 * defs.classify.tol_active}% of the inputs. Dead set (thick): the unit is off on every input.` : "");
  const narrow = NARROW();
  const layout = { title: title("exact loss: log10(L − min L)"), margin: { l: 45, r: 8, t: 30, b: 40 },
    xaxis: { title: { text: "w" }, range: [d.w[0], d.w[d.w.length - 1]], fixedrange: narrow },
    yaxis: { title: { text: "b" }, range: [d.b[0], d.b[d.b.length - 1]], fixedrange: narrow },
    legend: { x: 0, y: -0.12, orientation: "h", font: { size: 11 } }, showlegend: true, dragmode: narrow ? false : "zoom" };
  await Plotly.react("landscape", traces, layout, plotConfig());
  const gd = $("landscape");
  if (!gd.dataset.clicks) {  // a click or a tap anywhere on the loss starts a run there (a drag zooms instead)
    gd.dataset.clicks = "1";
    let down = null;
    gd.addEventListener("pointerdown", (ev) => { down = { x: ev.clientX, y: ev.clientY }; }, true);
    // Plotly covers the page while a button is down: the release is seen on the window
    window.addEventListener("pointerup", (ev) => {
      if (!down || Math.hypot(ev.clientX - down.x, ev.clientY - down.y) > 6) return;
      down = null;
      const pt = dataCoords(gd, ev);
      if (pt) startRun(pt[0], pt[1]);
    }, true);
  }
  for (const r of state.runs) await drawRun(r, false, false);
  gd.dataset.deadSetCells = String(d.dead_set.flat().reduce((a, v) => a + v, 0));
}

const round = (v) => Math.round(v * 1e4) / 1e4;

function plotArea(gd) {
  // the plot area is the rectangle Plotly covers with its drag layer; its axes' ranges are the layout's (set above)
  const r = gd.querySelector(".nsewdrag").getBoundingClientRect();
  const [x0, x1] = gd.layout.xaxis.range, [y0, y1] = gd.layout.yaxis.range;
  return { r, x0, x1, y0, y1 };
}

function dataCoords(gd, ev) {
  const { r, x0, x1, y0, y1 } = plotArea(gd);
  const fx = (ev.clientX - r.left) / r.width, fy = (ev.clientY - r.top) / r.height;
  if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) return null;
  return [round(x0 + fx * (x1 - x0)), round(y1 - fy * (y1 - y0))];
}

// page coordinates of a data point of the landscape (for the tests and for keyboard users' tools)
window.landscapePixel = (w, b) => {
  const { r, x0, x1, y0, y1 } = plotArea($("landscape"));
  return [r.left + ((w - x0) / (x1 - x0)) * r.width, r.top + ((y1 - b) / (y1 - y0)) * r.height];
};

function deadSetOutline(d) {
  // the exact dead set from the server's mask: a line where it is a half-line, a filled region where it has area
  const cells = [];
  d.dead_set.forEach((row, i) => row.forEach((v, j) => { if (v) cells.push([d.w[i], d.b[j]]); }));
  if (!cells.length) return null;
  const ws = [...new Set(cells.map((c) => c[0]))];
  const name = "dead set";
  if (ws.length === 1) {
    const bs = cells.map((c) => c[1]);
    return { x: [ws[0], ws[0]], y: [Math.min(...bs), Math.max(...bs)], mode: "lines", line: { color: "#D55E00", width: 4 }, name, hoverinfo: "skip" };
  }
  return { type: "contour", x: d.w, y: d.b, z: T(d.dead_set), showscale: false, contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
    line: { color: "#D55E00", width: 3 }, hoverinfo: "skip", name, showlegend: true };
}

async function fetchRun(body) {
  const slow = body.gradient === "minibatch" || SMOOTH(body.problem && body.problem.activation);
  const label = `training from (${body.start.w}, ${body.start.b})${slow ? ": minibatch or smooth activation, a few seconds" : ""}...`;
  return busy(label, () => api("/api/train", body), ["landscape"]);
}

function addRun(body, d) {
  const run = { body, data: d, color: COLORS[state.runs.length % COLORS.length], label: describeRun(body) };
  state.runs.push(run);
  addRunItem(run);
  return run;
}

async function startRun(w, b, given) {
  document.body.dataset.idle = "0";
  $("w0").value = w; $("b0").value = b;
  const body = given || runBody(w, b);
  const d = await fetchRun(body);
  if (d) {
    await drawRun(addRun(body, d), true);
    writeURL();
  }
  document.body.dataset.idle = "1";
}

function addRunItem(run) {
  const li = document.createElement("li");
  li.className = "run" + (run.data.diverged ? " diverged" : "");
  const d = run.data, s = run.body.start;
  li.dataset.startW = String(s.w);
  li.dataset.startB = String(s.b);
  li.dataset.finalW = d.final_repr.w;  // the server's float64 values, digit for digit
  li.dataset.finalB = d.final_repr.b;
  li.dataset.endState = d.end_state;
  li.dataset.diverged = String(d.diverged);
  li.dataset.settings = JSON.stringify(d.settings);
  li.style.color = run.color;
  const end = d.diverged
    ? `diverged at step ${d.diverged_at} (its update overflowed; frozen at its last finite values)`
    : `w = ${Number(d.final.w).toPrecision(8)}, b = ${Number(d.final.b).toPrecision(8)}: ${d.end_state.replace("_", " ")}`;
  li.textContent = `${run.label}, ${d.settings.steps} steps from (${s.w}, ${s.b}) → ${end}`;
  $("runs").appendChild(li);
}

const FAR = 1e6;  // recorded values beyond this are not drawn (a diverging run): the drawing keeps finite coordinates

function shown(d) {
  // the recorded points up to the first non-finite or far one: a diverging run is cut where it leaves for good
  let m = 0;
  while (m < d.w.length && d.w[m] !== null && d.b[m] !== null && Math.abs(d.w[m]) < FAR && Math.abs(d.b[m]) < FAR) m += 1;
  return m;
}

function lastInside(d, m, gd) {
  const [x0, x1] = gd.layout.xaxis.range, [y0, y1] = gd.layout.yaxis.range;
  for (let i = m - 1; i >= 0; i -= 1) if (d.w[i] >= x0 && d.w[i] <= x1 && d.b[i] >= y0 && d.b[i] <= y1) return i;
  return -1;
}

async function drawRun(run, animate, series = true) {
  const d = run.data, gd = $("landscape");
  const n = shown(d);
  const trace = { type: "scatter", mode: "lines+markers", x: [], y: [], line: { color: run.color, width: 2 }, marker: { size: 3 }, name: run.label, showlegend: false, hoverinfo: "skip" };
  await Plotly.addTraces("landscape", trace);
  const idx = gd.data.length - 1;
  const frames = animate ? 40 : 1;
  for (let f = 1; f <= frames; f += 1) {
    const m = Math.max(1, Math.round((n * f) / frames));
    await Plotly.restyle("landscape", { x: [d.w.slice(0, m)], y: [d.b.slice(0, m)] }, [idx]);
    if (f < frames) await new Promise((done) => requestAnimationFrame(done));
  }
  if (d.diverged) {  // where it was last seen inside the picture, and the step at which it overflowed
    const i = lastInside(d, n, gd);
    if (i >= 0) {
      await Plotly.addTraces("landscape", { type: "scatter", mode: "markers+text", x: [d.w[i]], y: [d.b[i]], text: [`diverged (step ${d.diverged_at})`],
        textposition: "top center", textfont: { color: run.color, size: 11 }, marker: { symbol: "x", size: 11, color: run.color },
        showlegend: false, hoverinfo: "skip" });
    }
  }
  if (series) await drawSeries();
}

function far(v) { return v === null || Math.abs(v) >= FAR ? null : v; }

async function drawSeries() {
  const loss = [], par = [];
  state.runs.forEach((r) => {
    const d = r.data;
    loss.push({ x: d.steps, y: d.loss.map((v) => (v === null ? null : Math.max(v, 1e-16))), mode: "lines", line: { color: r.color }, name: r.label });
    par.push({ x: d.steps, y: d.w.map(far), mode: "lines", line: { color: r.color }, name: "w" });
    par.push({ x: d.steps, y: d.b.map(far), mode: "lines", line: { color: r.color, dash: "dot" }, name: "b" });
    if (d.diverged) {
      par.push({ x: [d.diverged_at, d.diverged_at], y: [0, 0], mode: "markers", marker: { symbol: "x", size: 10, color: r.color },
        name: `diverged at step ${d.diverged_at}`, hovertemplate: "diverged at step %{x}<extra></extra>" });
    }
  });
  const m = { l: 50, r: 8, t: 26, b: 36 };
  const narrow = NARROW();
  await Plotly.react("loss-plot", loss, { title: title("exact loss against step"), yaxis: { type: "log", fixedrange: narrow },
    xaxis: { fixedrange: narrow }, margin: m, showlegend: false }, plotConfig());
  await Plotly.react("param-plot", par, { title: title("w (solid), b (dotted) against step"), margin: m, showlegend: false,
    xaxis: { fixedrange: narrow }, yaxis: { fixedrange: narrow } }, plotConfig());
}

function clearRuns() {
  state.runs = [];
  $("runs").innerHTML = "";
  drawLandscape();
  drawSeries();
  writeURL();
}

// ---------------------------------------------------------------- basins
function basinsBody() {
  return { problem: problem(), ...optimizerBody(), n: Number($("basins-n").value),
           steps: Math.min(Number($("steps").value), state.config.caps.basins_steps) };
}

async function drawBasins() {
  const body = basinsBody();
  const d = await busy(`training ${body.n}×${body.n} starts...`, () => api("/api/basins", body), ["basins-plot"]);
  if (!d) return;
  state.drawn.basins = JSON.stringify(body);
  const names = d.names;
  const cs = [];
  names.forEach((nm, i) => { cs.push([i / names.length, BASIN_COLORS[nm]]); cs.push([(i + 1) / names.length, BASIN_COLORS[nm]]); });
  const traces = [{ type: "heatmap", x: d.w, y: d.b, z: T(d.labels), zmin: -0.5, zmax: names.length - 0.5, colorscale: cs, showscale: false,
    hovertemplate: "w %{x:.3f}<br>b %{y:.3f}<extra></extra>" }];
  if (state.surface) {
    const z = state.surface.loss.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v - state.surface.min_loss, 1e-6)))));
    traces.push({ type: "contour", x: state.surface.w, y: state.surface.b, z: T(z), contours: { coloring: "lines" }, line: { color: "white", width: 0.8 }, showscale: false, hoverinfo: "skip", ncontours: 18 });
  }
  $("basins-caption").textContent = `End states after ${d.settings.steps} steps: ${describeRun({ ...body, gradient: "population" })}.`;
  await Plotly.react("basins-plot", traces, { title: title("end state of every start"),
    xaxis: { title: { text: "w₀" }, fixedrange: NARROW() }, yaxis: { title: { text: "b₀" }, fixedrange: NARROW() }, margin: { l: 45, r: 8, t: 30, b: 40 } }, plotConfig());
  $("basins-fractions").innerHTML = names.map((nm) => `<span style="color:${BASIN_COLORS[nm]}">■</span> ${nm.replace("_", " ")}: ${(100 * d.fractions[nm]).toFixed(1)}%`).join(" &nbsp; ");
  $("basins-fractions").dataset.fractions = JSON.stringify(d.fractions);
  markStale();
}

// ------------------------------------------------------------ one weight
function oneWeightBody() {
  return { w0: num("ow-w0"), learning_rate: num("ow-lr"), steps: Number($("ow-steps").value), batch_size: Number($("ow-batch").value), seed: num("ow-seed") };
}

async function drawOneWeight() {
  const body = oneWeightBody();
  const d = await busy("running the original experiment...", () => api("/api/one_weight", body), ["ow-plot"]);
  if (!d) return;
  state.drawn.oneweight = JSON.stringify(body);
  state.oneweight = d;
  $("ow-caption").textContent = `w₀ = ${body.w0}, SGD with η = ${body.learning_rate}, batch ${body.batch_size}, seed ${body.seed}: the exact loss and w against step.`;
  await Plotly.react("ow-plot", [
    { x: d.steps, y: d.loss, mode: "lines", name: "exact loss", line: { color: "#000" } },
    { x: d.steps, y: d.w, mode: "lines", name: "w", yaxis: "y2", line: { color: "#0072B2" } },
  ], { title: title("loss and w against step"), margin: { l: 50, r: 45, t: 30, b: 36 }, yaxis: { title: { text: "loss" } },
       yaxis2: { title: { text: "w" }, overlaying: "y", side: "right" }, legend: { x: 0.6, y: 0.95 } }, plotConfig());
  const s = $("ow-slider");
  s.max = d.steps.length - 1;
  s.value = d.steps.length - 1;
  drawStudent();
  markStale();
}

function drawStudent() {
  const d = state.oneweight;
  if (!d) return;
  const i = Number($("ow-slider").value);
  const w = d.w[i];
  const xs = Array.from({ length: 121 }, (_, k) => -3 + k * 0.05);
  $("ow-step").textContent = `step ${d.steps[i]}: w = ${Number(w).toPrecision(6)}`;
  Plotly.react("ow-fn", [
    { x: xs, y: xs.map((x) => Math.max(x, 0)), mode: "lines", name: "target relu(x)", line: { color: "#000", dash: "dash" } },
    { x: xs, y: xs.map((x) => Math.max(w * x, 0)), mode: "lines", name: "student relu(w x)", line: { color: "#0072B2", width: 3 } },
  ], { title: title("the student's function"), margin: { l: 40, r: 8, t: 30, b: 36 }, yaxis: { range: [-0.5, 3.2] }, legend: { x: 0, y: 1 } }, plotConfig());
}

// ----------------------------------------------------------------- phase
function phaseBody() { return { method: $("ph-method").value, n: 48, steps: state.config.steps.includes(2000) ? 2000 : state.config.steps[0] }; }

async function drawPhase() {
  const body = phaseBody();
  const d = await busy("simulating the phase diagram...", () => api("/api/phase", body), ["phase-plot"]);
  if (!d) return;
  state.phase = { body, data: d };
  state.drawn.phase = JSON.stringify(body);
  renderPhase();
}

function renderPhase() {
  // the marker is the optimizer of the controls, redrawn whenever they change (no new request)
  if (!state.phase) return;
  const { body, data: d } = state.phase;
  const z = d.first_crossing.map((row) => row.map((v) => (v > 0 ? Math.log10(v) : null)));
  const traces = [{ type: "heatmap", x: d.betas, y: d.lrs, z, colorscale: "Cividis", colorbar: { thickness: 12, title: { text: "log10 step" } },
    hovertemplate: "momentum %{x:.3f}<br>η %{y:.4g}<extra></extra>" }];
  if (d.boundary_infinite) traces.push({ x: d.betas, y: d.boundary_infinite, mode: "lines", name: "analytic boundary", line: { color: "#D55E00", width: 2 } });
  if (d.boundary_finite) traces.push({ x: d.betas, y: d.boundary_finite, mode: "lines", name: `analytic, ${body.steps} steps`, line: { color: "#D55E00", dash: "dot" } });
  const opt = $("optimizer").value;
  const applies = state.config.phase_methods.includes(opt);
  const note = $("ph-note");
  if (!applies) {
    note.textContent = `The marker is not drawn: ${opt} is not a linear map of (w, velocity) left of the kink, so this diagram (for ${body.method}) and its boundary do not apply to it.`;
  } else if (opt !== body.method) {
    note.textContent = `The diagram is for ${body.method}; your optimizer is ${opt}: choose the method ${opt} to see where it lies.`;
  } else {
    note.textContent = "";
    const mom = state.config.hyper[opt].includes("momentum") ? num("momentum") : 0;
    traces.push({ x: [mom], y: [num("lr")], mode: "markers", name: `your ${opt}`,
      marker: { size: 14, symbol: "x", color: "#fff", line: { color: "#000", width: 2 } } });
  }
  $("phase-caption").textContent = `${body.method}, the one-weight relu neuron from w₀ = ${d.settings.w0}: the step at which w crosses 0 within ${body.steps} steps (blank: no crossing simulated there); the red lines are the analytic boundary, without and with the step limit.`;
  Plotly.react("phase-plot", traces, { title: title(`${body.method}: step of crossing w = 0`),
    xaxis: { title: { text: "momentum" }, fixedrange: NARROW() }, yaxis: { title: { text: "step size η" }, type: "log", fixedrange: NARROW() },
    margin: { l: 55, r: 8, t: 30, b: 40 }, legend: { x: 0, y: -0.15, orientation: "h" } }, plotConfig());
  $("phase-plot").dataset.marker = applies && opt === body.method ? "shown" : "hidden";
}

// -------------------------------------------------------------- networks
function bornBody() {
  return { depths: checked("nw-depths"), widths: checked("nw-widths"), samples: num("nw-samples"), scheme: $("nw-scheme").value, bias: $("nw-bias").checked };
}
function growthBody() { return { slopes: checked("nw-slopes"), depth: num("nw-depth"), width: num("nw-width"), nets: num("nw-nets") }; }
function spuriousBody() { return { k: num("nw-k"), starts: num("nw-starts"), prove: $("nw-prove").checked }; }

function interval(ci) { return ci ? `[${fmt(ci[0], 3)}, ${fmt(ci[1], 3)}]` : "–"; }

function table(id, head, rows) {
  const t = $(id);
  t.innerHTML = "";
  const tr = t.insertRow();
  for (const h of head) { const th = document.createElement("th"); th.textContent = h; tr.appendChild(th); }
  for (const r of rows) {
    const row = t.insertRow();
    for (const [k, v] of Object.entries(r.data || {})) row.dataset[k] = String(v);
    for (const c of r.cells) row.insertCell().textContent = c;
  }
}

function errorBars(ps, cis) {
  return { type: "data", symmetric: false, array: ps.map((p, i) => cis[i][1] - p), arrayminus: ps.map((p, i) => p - cis[i][0]), thickness: 1 };
}

async function drawBorn() {
  const body = bornBody();
  const d = await busy("detecting born-dead networks...", () => api("/api/born_dead", body), ["born-plot"]);
  if (!d) return;
  state.drawn.born = JSON.stringify(body);
  const traces = [];
  d.settings.widths.forEach((w, i) => {
    const rows = d.rows.filter((r) => r.width === w);
    const color = COLORS[i % COLORS.length], x = rows.map((r) => r.depth);
    traces.push({ x, y: rows.map((r) => r.probability), error_y: errorBars(rows.map((r) => r.probability), rows.map((r) => r.ci)),
      mode: "lines+markers", line: { color }, name: `width ${w}: dead on the support` });
    traces.push({ x, y: rows.map((r) => r.single), error_y: errorBars(rows.map((r) => r.single), rows.map((r) => r.single_ci)),
      mode: "lines+markers", line: { color, dash: "dot" }, marker: { symbol: "circle-open" }, name: `width ${w}: one input dead` });
    if (rows.some((r) => r.closed_form !== null)) {
      traces.push({ x, y: rows.map((r) => r.closed_form), mode: "lines", line: { color, dash: "dash", width: 1 }, name: `width ${w}: closed form, one input` });
    }
  });
  const s = d.settings;
  $("born-caption").textContent = `${s.samples} networks per cell, ${s.scheme} initialization, ${s.bias ? "with biases" : "bias-free"}, inputs ${d.inputs}; bars: 95% Wilson intervals.`;
  await Plotly.react("born-plot", traces, { title: title("born dead, by depth"), xaxis: { title: { text: "depth (layers, the output included)" }, fixedrange: NARROW() },
    yaxis: { title: { text: "share of networks" }, range: [0, 1.02], fixedrange: NARROW() }, margin: { l: 50, r: 8, t: 30, b: 40 },
    legend: { orientation: "h", y: -0.2, font: { size: 11 } } }, plotConfig());
  table("born-table", ["depth", "width", "dead on the support", "95% interval", "one input dead", "95% interval", "closed form"],
    d.rows.map((r) => ({ data: { depth: r.depth, width: r.width, probability: r.probability, single: r.single, closedForm: r.closed_form },
      cells: [r.depth, r.width, fmt(r.probability), interval(r.ci), fmt(r.single), interval(r.single_ci), r.closed_form === null ? "–" : fmt(r.closed_form)] })));
  markStale();
}

async function drawGrowth() {
  const body = growthBody();
  const d = await busy("measuring gradient growth...", () => api("/api/growth", body), ["growth-plot"]);
  if (!d) return;
  state.drawn.growth = JSON.stringify(body);
  const rows = d.rows;
  const traces = [
    { x: d.curve.slope, y: d.curve.finite_width, mode: "lines", line: { color: "#009E73" }, name: `exact finite-width expectation (width ${d.settings.width})` },
    { x: d.curve.slope, y: d.curve.mean_field, mode: "lines", line: { color: "#999", dash: "dash" }, name: "mean-field rate (infinite width)" },
    { x: rows.map((r) => r.slope), y: rows.map((r) => r.rate), error_y: errorBars(rows.map((r) => r.rate), rows.map((r) => r.ci)),
      mode: "markers", marker: { color: "#0072B2", size: 8 }, name: "measured, 95% interval" },
  ];
  $("growth-caption").textContent = `${d.settings.nets} networks of depth ${d.settings.depth} and width ${d.settings.width}: the mean per-layer growth of log |J v|² against ${d.reference_kind}.`;
  await Plotly.react("growth-plot", traces, { title: title("growth per layer against the slope"), xaxis: { title: { text: "slope c" }, fixedrange: NARROW() },
    yaxis: { title: { text: "E log |J v|² per layer" }, fixedrange: NARROW() }, margin: { l: 55, r: 8, t: 30, b: 40 },
    legend: { orientation: "h", y: -0.2, font: { size: 11 } } }, plotConfig());
  table("growth-table", ["slope", "measured", "95% interval", "finite-width reference", "mean field"],
    rows.map((r) => ({ data: { slope: r.slope, rate: r.rate, finiteWidth: r.finite_width },
      cells: [r.slope, fmt(r.rate), interval(r.ci), fmt(r.finite_width), fmt(r.mean_field)] })));
  markStale();
}

async function drawSpurious() {
  const body = spuriousBody();
  const d = await busy(`searching for spurious minima, k = ${body.k}...`, () => api("/api/spurious", body), ["spectrum-plot", "path-plot"]);
  if (!d) return;
  state.drawn.spurious = JSON.stringify(body);
  state.spurious[d.k] = d;
  const ks = Object.keys(state.spurious).map(Number).sort((a, b) => a - b);
  table("spurious-table", ["k = n", "starts", "spurious", "95% interval", "their losses", "barrier to the nearest global minimum", "proof"],
    ks.map((k) => {
      const r = state.spurious[k];
      const losses = r.spurious.map((p) => p.loss);
      const proof = r.proof ? (r.proof.proven && r.proof.spurious ? "proven" : "not proven") : "–";
      return { data: { k, rate: r.rate, barrier: r.path ? r.path.barrier : "", proof },
        cells: [k, r.starts, `${fmt(r.rate, 3)}`, interval(r.ci), losses.length ? losses.map((v) => fmt(v, 5)).join(", ") : "none found",
          r.path ? fmt(r.path.barrier) : "–", proof] };
    }));
  const traces = [{ y: d.global.eigvals, mode: "markers", marker: { color: "#009E73", size: 5 }, name: "global minimum W = I" }];
  d.spurious.forEach((p, i) => traces.push({ y: p.eigvals, mode: i ? "lines" : "markers", marker: { color: "#D55E00", size: 5 },
    line: { color: "#D55E00", width: 0.6 }, opacity: i ? 0.5 : 1, name: i ? `spurious ${i + 1}` : `spurious (loss ${fmt(p.loss)})` }));
  const positive = [d.global, ...d.spurious].every((p) => p.eigvals.every((v) => v !== null && v > 0));
  const narrow = NARROW();
  await Plotly.react("spectrum-plot", traces, { title: title(`Hessian eigenvalues, k = ${d.k}`), xaxis: { title: { text: "index" }, fixedrange: narrow },
    yaxis: { title: { text: "eigenvalue" }, type: positive ? "log" : "linear", fixedrange: narrow }, margin: { l: 55, r: 8, t: 30, b: 40 },
    legend: { orientation: "h", y: -0.2, font: { size: 11 } } }, plotConfig());
  if (d.path) {
    const top = Math.max(...d.path.loss.filter((v) => v !== null));
    await Plotly.react("path-plot", [
      { x: d.path.t, y: d.path.loss, mode: "lines", line: { color: "#0072B2" }, name: "loss along the path" },
      { x: [d.path.argmax], y: [top], mode: "markers", marker: { symbol: "triangle-down", size: 10, color: "#D55E00" }, name: `barrier ${fmt(d.path.barrier)}` },
    ], { title: title("straight path to the nearest global minimum"), xaxis: { title: { text: "t (0: spurious, 1: global)" }, fixedrange: narrow },
      yaxis: { title: { text: "loss" }, fixedrange: narrow }, margin: { l: 55, r: 8, t: 30, b: 40 }, legend: { orientation: "h", y: -0.2, font: { size: 11 } } }, plotConfig());
  } else {
    Plotly.purge("path-plot");
  }
  $("spurious-caption").textContent = d.points
    ? `k = n = ${d.k}, ${d.starts} Xavier starts (at most ${d.steps} steps): ${d.points} spurious point${d.points > 1 ? "s" : ""} (${d.source}); ` +
      `${d.path.end_note}.`
    : `k = n = ${d.k}, ${d.starts} starts: no spurious minimum found (more starts or another k may find one).`;
  const pr = d.proof;
  $("proof").textContent = !pr ? "" : pr.proven && pr.spurious
    ? `Proven in ball arithmetic: a strict local minimum within ${fmt(pr.distance, 3)} of this point (Hessian ≥ ${fmt(pr.mu, 3)} over a ball of radius ${fmt(pr.radius, 3)}), its loss at least ${fmt(pr.minimum_loss_lower, 5)} > 0: spurious.`
    : `Not proven: ${pr.reason}`;
  $("proof").dataset.proven = pr ? String(pr.proven && pr.spurious) : "";
  markStale();
}

// -------------------------------------------------------------- verdicts
async function drawVerdicts() {
  const d = await busy("reading the report...", () => api("/api/verdicts"));
  if (!d) return;
  state.drawn.verdicts = "1";
  const ul = $("verdicts");
  ul.innerHTML = "";
  if (!d.verdicts.length) ul.innerHTML = `<li>${d.note || "no verdicts"}</li>`;
  for (const v of d.verdicts) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "?" + v.view;
    a.textContent = v.id;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    const s = document.createElement("span");
    s.className = "verdict";
    s.textContent = v.verdict;
    li.appendChild(s);
    li.appendChild(document.createTextNode(": " + (v.claim || "")));
    ul.appendChild(li);
  }
}

// ----------------------------------------------------------- your problem
// python -m explorer --problem MODULE:FACTORY: a plane through a point of any problem along two random directions
// (rows of the server's grid are alpha, columns beta), runs from clicked points projected onto the plane, and the
// Hessian spectrum at a clicked point.
const pb = { plane: null, runs: [], at: [0, 0] };

function planeId() {
  return { seed: num("pb-seed"), normalization: $("pb-norm").value };
}

function planeBody() { return { n: Number($("pb-n").value), span: num("pb-span"), ...planeId() }; }

function pbTrainBody(alpha, beta) {
  return { alpha, beta, optimizer: $("pb-opt").value, learning_rate: num("pb-lr"), steps: Number($("pb-steps").value), ...planeId() };
}

function pbSpectrumBody(alpha, beta) {
  return { alpha, beta, k: num("pb-k"), probes: num("pb-probes"), ...planeId() };
}

async function drawProblemPlane() {
  const body = planeBody();
  const d = await busy("computing the loss on the plane...", () => api("/api/problem/plane", body), ["pb-plane"]);
  if (!d) return;
  const id = JSON.stringify(planeId());
  if (!pb.plane || JSON.stringify({ seed: pb.plane.settings.seed, normalization: pb.plane.settings.normalization }) !== id) {
    pb.runs = [];  // runs belong to the plane they were drawn on
    $("pb-runs").innerHTML = "";
  }
  pb.plane = d;
  state.drawn.problem = JSON.stringify(body);
  const log = d.positive;
  const z = d.loss.map((row) => row.map((v) => (v === null ? null : log ? Math.log10(v) : v)));
  const traces = [
    { type: "contour", x: d.alpha, y: d.beta, z: T(z), colorscale: "Viridis", contours: { coloring: "heatmap" }, ncontours: 24,
      colorbar: { thickness: 12 }, hovertemplate: `α %{x:.3f}<br>β %{y:.3f}<br>${log ? "log10 L" : "L"} %{z:.4g}<extra></extra>`, showlegend: false },
    { type: "scatter", mode: "markers", x: [0], y: [0], marker: { symbol: "x", size: 9, color: "white" }, showlegend: false, hoverinfo: "skip" },
  ];
  const dirs = { filter: "filter-normalized", layer: "layer-normalized", none: "not normalized" }[d.settings.normalization];
  $("pb-caption").textContent = `Loss of ${d.problem.name} (${d.problem.exactness}) on centre + α d₁ + β d₂, the centre (×) the ` +
    `problem's first start drawn with seed ${d.settings.seed} (loss ${fmt(d.centre_loss, 6)}), d₁, d₂ Gaussian with key ` +
    `${d.directions.key}, ${dirs}. Colour: ${log ? "log10 of the loss" : "the loss"}.`;
  $("pb-caption").dataset.centreLoss = String(d.centre_loss);
  const narrow = NARROW();
  const span = d.settings.span;
  await Plotly.react("pb-plane", traces, { title: title(log ? "loss on the plane: log10 L" : "loss on the plane"),
    margin: { l: 45, r: 8, t: 30, b: 40 }, showlegend: false, dragmode: narrow ? false : "zoom",
    xaxis: { title: { text: "α (d₁)" }, range: [-span, span], fixedrange: narrow },
    yaxis: { title: { text: "β (d₂)" }, range: [-span, span], fixedrange: narrow } }, plotConfig());
  const gd = $("pb-plane");
  if (!gd.dataset.clicks) {  // a click or a tap trains from there (or draws the spectrum there); a drag zooms
    gd.dataset.clicks = "1";
    let down = null;
    gd.addEventListener("pointerdown", (ev) => { down = { x: ev.clientX, y: ev.clientY }; }, true);
    window.addEventListener("pointerup", (ev) => {
      if (!down || Math.hypot(ev.clientX - down.x, ev.clientY - down.y) > 6) return;
      down = null;
      const pt = dataCoords(gd, ev);
      if (!pt) return;
      if ($("pb-mode").value === "spectrum") problemSpectrum(pt[0], pt[1]);
      else problemRun(pt[0], pt[1]);
    }, true);
  }
  for (const r of pb.runs) await drawProblemRun(r);
  await drawProblemSeries();
  document.body.dataset.problemDrawn = "1";
}

window.problemPixel = (alpha, beta) => {
  const { r, x0, x1, y0, y1 } = plotArea($("pb-plane"));
  return [r.left + ((alpha - x0) / (x1 - x0)) * r.width, r.top + ((y1 - beta) / (y1 - y0)) * r.height];
};

async function problemRun(alpha, beta) {
  pb.at = [alpha, beta];
  const body = pbTrainBody(alpha, beta);
  const d = await busy(`training your problem from (α, β) = (${alpha}, ${beta})...`, () => api("/api/problem/train", body), ["pb-plane", "pb-loss"]);
  if (!d) return;
  const run = { body, data: d, color: COLORS[pb.runs.length % COLORS.length] };
  pb.runs.push(run);
  const li = document.createElement("li");
  li.className = "run" + (d.diverged ? " diverged" : "");
  li.dataset.endLoss = d.end_loss_repr;  // the server's float64 value, digit for digit
  li.dataset.body = JSON.stringify(body);
  li.dataset.diverged = String(d.diverged);
  li.style.color = run.color;
  const last = d.alpha.length - 1;
  li.textContent = `${body.optimizer} η=${body.learning_rate}, ${body.steps} steps from (α, β) = (${alpha}, ${beta}) → loss ` +
    (d.diverged ? `diverged at step ${d.diverged_at}` : `${fmt(d.end_loss, 8)} at (${fmt(d.alpha[last], 4)}, ${fmt(d.beta[last], 4)}), ` +
    `${fmt(d.off_plane[last], 3)} off the plane`);
  $("pb-runs").appendChild(li);
  await drawProblemRun(run);
  await drawProblemSeries();
}

async function drawProblemRun(run) {
  const d = run.data;
  let m = 0;  // the records up to the first non-finite or far one
  while (m < d.alpha.length && d.alpha[m] !== null && d.beta[m] !== null && Math.abs(d.alpha[m]) < FAR && Math.abs(d.beta[m]) < FAR) m += 1;
  await Plotly.addTraces("pb-plane", { type: "scatter", mode: "lines+markers", x: d.alpha.slice(0, m), y: d.beta.slice(0, m),
    line: { color: run.color, width: 2 }, marker: { size: 3 }, showlegend: false, hoverinfo: "skip" });
}

async function drawProblemSeries() {
  const positive = pb.plane && pb.plane.positive;
  const traces = pb.runs.map((r) => ({ x: r.data.steps, y: r.data.loss.map((v) => (v === null ? null : positive ? Math.max(v, 1e-300) : v)),
    mode: "lines", line: { color: r.color }, showlegend: false }));
  const narrow = NARROW();
  await Plotly.react("pb-loss", traces, { title: title("loss against step"), yaxis: { type: positive ? "log" : "linear", fixedrange: narrow },
    xaxis: { fixedrange: narrow }, margin: { l: 50, r: 8, t: 26, b: 36 }, showlegend: false }, plotConfig());
}

async function problemSpectrum(alpha, beta) {
  pb.at = [alpha, beta];
  const body = pbSpectrumBody(alpha, beta);
  const d = await busy(`the Hessian spectrum at (α, β) = (${alpha}, ${beta})...`, () => api("/api/problem/spectrum", body), ["pb-spectrum"]);
  if (!d) return;
  const top = d.eigenvalues.filter((v) => v !== null);
  const peak = Math.max(...d.density.filter((v) => v !== null), 1e-300);
  const traces = [
    { x: d.grid, y: d.density, mode: "lines", line: { color: "#0072B2" }, name: "density", hovertemplate: "λ %{x:.4g}<extra></extra>" },
    { x: top, y: top.map(() => peak * 1.05), mode: "markers", marker: { symbol: "triangle-down", size: 9, color: "#D55E00" }, name: `top ${top.length}`,
      hovertemplate: "λ %{x:.6g}<extra></extra>" },
  ];
  const narrow = NARROW();
  await Plotly.react("pb-spectrum", traces, { title: title(`Hessian spectrum at (${alpha}, ${beta})`), margin: { l: 50, r: 8, t: 26, b: 36 },
    showlegend: false, xaxis: { title: { text: "eigenvalue" }, fixedrange: narrow }, yaxis: { fixedrange: narrow } }, plotConfig());
  $("pb-eigen").textContent = `At (α, β) = (${alpha}, ${beta}), loss ${fmt(d.loss, 8)}: the top ${top.length} Hessian eigenvalues ` +
    `(${d.method}) ${top.map((v) => fmt(v, 6)).join(", ")}; the density by stochastic Lanczos quadrature ` +
    `(${d.settings.probes} probes, ${d.settings.steps} steps, broadening σ = ${fmt(d.sigma, 3)}).`;
  $("pb-eigen").dataset.eigenvalues = JSON.stringify(d.eigenvalues);
}

function clearProblemRuns() {
  pb.runs = [];
  $("pb-runs").innerHTML = "";
  if (pb.plane) drawProblemPlane();
}

function fillProblemControls() {
  const p = state.config.problem;
  $("tab-problem").hidden = false;
  $("pb-name").textContent = p.name.includes("parameters") ? p.name : `${p.name}, ${p.n_params} parameters`;
  for (const o of state.config.optimizers) $("pb-opt").add(new Option(o.replace("_keras", " (Keras)"), o));
  $("pb-opt").value = p.defaults.optimizer;
  for (const s of p.steps) $("pb-steps").add(new Option(String(s), String(s)));
  $("pb-steps").value = String(p.defaults.steps);
  const n = $("pb-n");
  n.innerHTML = "";
  for (const v of [21, 41, 61].filter((v) => v <= p.caps.n)) n.add(new Option(String(v), String(v)));
  n.value = String(p.defaults.n);
  $("pb-span").max = String(p.caps.span);
  $("pb-k").max = String(Math.min(p.caps.k, p.n_params));
  $("pb-k").value = String(Math.min(p.defaults.k, p.n_params));
  $("pb-probes").max = String(p.caps.probes);
  $("pb-probes").value = String(p.defaults.probes);
  for (const id of ["pb-n", "pb-span", "pb-seed", "pb-norm"]) $(id).addEventListener("change", () => drawProblemPlane());
  $("pb-go").addEventListener("click", () => drawProblemPlane());
  $("pb-clear").addEventListener("click", clearProblemRuns);
  $("pb-spectrum-go").addEventListener("click", () => problemSpectrum(pb.at[0], pb.at[1]));
}

// ------------------------------------------------------------------ views
const KEYS = { problem: () => JSON.stringify(planeBody()), basins: () => JSON.stringify(basinsBody()), oneweight: () => JSON.stringify(oneWeightBody()),
               phase: () => JSON.stringify(phaseBody()), verdicts: () => "1",
               born: () => JSON.stringify(bornBody()), growth: () => JSON.stringify(growthBody()), spurious: () => JSON.stringify(spuriousBody()) };
const DRAW = { problem: drawProblemPlane, basins: drawBasins, oneweight: drawOneWeight, phase: drawPhase, verdicts: drawVerdicts,
               born: drawBorn, growth: drawGrowth, spurious: drawSpurious };
const PARTS = { networks: ["born", "growth", "spurious"] };  // a view drawn in parts, each with its own request

function markStale() {
  // a drawn view whose settings have changed says so until it is recomputed
  for (const v of ["basins", "oneweight", "phase", "born", "growth", "spurious"]) {
    const stale = state.drawn[v] !== undefined && state.drawn[v] !== KEYS[v]();
    $(`${v}-stale`).hidden = !stale;
    const section = $(`view-${v}`);
    if (section) section.classList.toggle("stale", stale);
  }
  renderPhase();
}

async function show(view) {
  state.view = view;
  for (const s of document.querySelectorAll(".view")) s.classList.toggle("active", s.id === "view-" + view);
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  writeURL();
  const parts = PARTS[view] || [view];
  // first visit, or drawn for other settings: (re)draw, the parts of a view at once
  await Promise.all(parts.filter((p) => DRAW[p] && state.drawn[p] !== KEYS[p]()).map((p) => DRAW[p]()));
  // a plot drawn while its view was hidden has no size: fit it now
  for (const gd of document.querySelectorAll(`#view-${view} .js-plotly-plot`)) Plotly.Plots.resize(gd);
  if (view === "networks") document.body.dataset.networksDrawn = "1";
}

function checks(id, values, selected, name) {
  const box = $(id);
  for (const v of values) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = String(v);
    input.checked = selected.includes(v);
    input.setAttribute("aria-label", `${name} ${v}`);
    label.appendChild(input);
    label.appendChild(document.createTextNode(String(v)));
    box.appendChild(label);
  }
}

function setBornDefaults() {
  const n = state.config.networks, d = $("nw-bias").checked ? { ...n.born_default, ...n.born_bias_default } : n.born_default;
  setChecked("nw-widths", d.widths);
  $("nw-samples").value = String(d.samples);
  $("nw-scheme").value = $("nw-bias").checked ? "he_normal" : "symmetric";
}

function fillNetworkControls() {
  const n = state.config.networks;
  checks("nw-depths", n.born_depths, n.born_default.depths, "depth");
  checks("nw-widths", n.born_widths, n.born_default.widths, "width");
  checks("nw-slopes", n.growth_slopes, n.growth_default.slopes, "slope");
  for (const s of n.born_samples) $("nw-samples").add(new Option(String(s), String(s)));
  for (const s of n.born_schemes) $("nw-scheme").add(new Option(s, s));
  for (const k of n.spurious_ks) $("nw-k").add(new Option(String(k), String(k)));
  for (const s of n.spurious_starts) $("nw-starts").add(new Option(String(s), String(s)));
  $("nw-k").value = "7";
  $("nw-starts").value = "64";
  setBornDefaults();
}

async function main() {
  state.config = await api("/api/config");
  poll();  // the warm-up banner, if the server is warming up
  for (const a of state.config.activations) $("activation").add(new Option(a, a));
  for (const o of state.config.optimizers) $("optimizer").add(new Option(o.replace("_keras", " (Keras)"), o));
  for (const m of state.config.phase_methods) $("ph-method").add(new Option(m, m));
  $("ph-method").value = "momentum";
  fillNetworkControls();
  if (state.config.problem) fillProblemControls();
  setOptimizerDefaults([]);
  const url = readURL();
  setOptimizerDefaults(url.hyperGiven);  // the optimizer's own defaults, but for what the link gives
  syncControls();
  const changed = () => { syncControls(); writeURL(); markStale(); };
  for (const f of [...FIELDS, ...FLAGS]) $(f).addEventListener("change", changed);
  for (const f of CHECKS) $(f).addEventListener("change", changed);
  $("nw-bias").addEventListener("change", () => { setBornDefaults(); changed(); });
  $("optimizer").addEventListener("change", () => { setOptimizerDefaults([]); changed(); });
  for (const f of ["activation", "slope", "inputs", "lo", "hi"]) $(f).addEventListener("change", () => { state.runs = []; $("runs").innerHTML = ""; drawLandscape(); drawSeries(); });
  $("run").addEventListener("click", () => startRun(num("w0"), num("b0")));
  $("clear").addEventListener("click", clearRuns);
  $("link").addEventListener("click", () => { writeURL(); navigator.clipboard && navigator.clipboard.writeText(location.href).catch(() => {}); status("the link to this view is in the address bar"); });
  $("basins-go").addEventListener("click", drawBasins);
  $("ow-go").addEventListener("click", () => { writeURL(); drawOneWeight(); });
  $("ow-slider").addEventListener("input", drawStudent);
  $("ph-go").addEventListener("click", () => { writeURL(); drawPhase(); });
  $("nw-born-go").addEventListener("click", () => { writeURL(); drawBorn(); });
  $("nw-growth-go").addEventListener("click", () => { writeURL(); drawGrowth(); });
  $("nw-spurious-go").addEventListener("click", () => { writeURL(); drawSpurious(); });
  for (const v of ["basins", "oneweight", "phase", "born", "growth", "spurious"]) $(`${v}-redo`).addEventListener("click", () => DRAW[v]());
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.view));
  // the link's runs are asked for at once, beside the loss, and drawn without animation when all have come
  const bodies = [...url.runs, ...url.starts.map(([w, b]) => runBody(w, b))];
  const answers = Promise.all(bodies.map(fetchRun));
  await Promise.all([drawLandscape(), drawSeries()]);  // empty series plots now: the page does not move when a run comes
  document.body.dataset.ready = "1";
  document.body.dataset.idle = "1";
  const shown = show(url.view === "problem" && !state.config.problem ? "landscape" : url.view);
  const got = await answers;
  got.forEach((d, i) => { if (d) addRun(bodies[i], d); });
  for (const r of state.runs) await drawRun(r, false, false);
  if (state.runs.length) { await drawSeries(); writeURL(); }
  await shown;
  document.body.dataset.runsLoaded = "1";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => main().catch((e) => status(e.message, "error")));
else main().catch((e) => status(e.message, "error"));
