// The explorer's page: controls <-> URL, requests to the JSON API, Plotly drawings.
//
// State lives in the URL: the controls, the view, and every run with the full request it was computed from
// (problem, optimizer and its hyperparameters, gradient mode, batch size, seed, steps, start), so a link
// reproduces the same numbers. A view drawn for other settings than the current ones says so (stale) or is
// redrawn; a cap is never applied silently (the control shows the value that will run).
"use strict";

const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const BASIN_COLORS = {global_min: "#0072B2", dead: "#D55E00", stationary: "#CC79A7", moving: "#E69F00", diverged: "#000000"};
const $ = (id) => document.getElementById(id);
const state = { view: "landscape", runs: [], surface: null, config: null, busy: 0, phase: null, drawn: {} };

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

async function busy(label, fn) {
  state.busy += 1;
  status(label, "busy");
  try {
    const out = await fn();
    state.busy -= 1;
    if (!state.busy) status("");
    return out;
  } catch (e) {
    state.busy -= 1;
    status(e.message, "error");
    return null;
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
                "batch", "seed", "steps", "basins-n", "ow-w0", "ow-lr", "ow-steps", "ow-batch", "ow-seed", "ph-method"];
const ALIASES = { w0: "ow-w0", method: "ph-method" };  // older link names

function writeURL() {
  const q = new URLSearchParams();
  q.set("view", state.view);
  for (const f of FIELDS) q.set(f, $(f).value);
  if (state.runs.length) q.set("runs", JSON.stringify(state.runs.map((r) => r.body)));
  history.replaceState(null, "", "?" + q.toString());
}

function readURL() {
  const q = new URLSearchParams(location.search);
  const set = (id, v) => { const el = $(id), old = el.value; el.value = v; if (el.value === "") el.value = old; };
  for (const f of FIELDS) if (q.has(f)) set(f, q.get(f));
  for (const [a, f] of Object.entries(ALIASES)) if (q.has(a) && !q.has(f)) set(f, q.get(a));
  let runs = [];
  try { runs = JSON.parse(q.get("runs") || "[]"); } catch (e) { status("the link's runs could not be read", "error"); }
  if (!Array.isArray(runs)) runs = [];
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
  const d = await busy("computing the exact loss over (w, b)...", () => api("/api/landscape", { problem: problem(), n: 121 }));
  if (!d) return;
  state.surface = d;
  const defs = d.definitions;
  const z = d.loss.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v - d.min_loss, 1e-6)))));
  const line = (mask, color, width, dash, name) => ({ type: "contour", x: d.w, y: d.b, z: T(mask), showscale: false,
    contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" }, line: { color, width, dash }, hoverinfo: "skip", name, showlegend: true });
  const traces = [
    { type: "contour", x: d.w, y: d.b, z: T(z), colorscale: "Viridis", contours: { coloring: "heatmap" }, ncontours: 24,
      colorbar: { title: { text: "log10(L - min)" } }, hovertemplate: "w %{x:.3f}<br>b %{y:.3f}<br>log10(L-min) %{z:.3f}<extra></extra>", name: "loss", showlegend: false },
    line(d.near_flat, "#E69F00", 1.5, "dot", `near-flat: |∇L| < ${defs.near_flat.eps}, L > min + ${defs.near_flat.delta} (dead set included)`),
  ];
  if (d.log10_active) {
    const edge = Math.log10(defs.classify.tol_active);
    traces.push({ type: "contour", x: d.w, y: d.b, z: T(d.log10_active), showscale: false,
      contours: { start: edge, end: edge, size: 1, coloring: "none" }, line: { color: "#D55E00", width: 1.5, dash: "dash" },
      hoverinfo: "skip", name: `labelled dead: active on < ${100 * defs.classify.tol_active}% of the inputs`, showlegend: true });
  }
  const outline = deadSetOutline(d);
  if (outline) traces.push(outline);
  const layout = { title: { text: `exact loss, student ${problem().activation}, ${problem().inputs} inputs` }, margin: { l: 55, r: 10, t: 40, b: 45 },
    xaxis: { title: { text: "w" }, range: [d.w[0], d.w[d.w.length - 1]] }, yaxis: { title: { text: "b" }, range: [d.b[0], d.b[d.b.length - 1]] },
    legend: { x: 0, y: -0.14, orientation: "h" }, showlegend: true };
  await Plotly.react("landscape", traces, layout, { responsive: false, displaylogo: false });
  const gd = $("landscape");
  if (!gd.dataset.clicks) {  // a click anywhere on the loss starts a run there
    gd.dataset.clicks = "1";
    gd.addEventListener("click", (ev) => { const p = dataCoords(gd, ev); if (p) startRun(p[0], p[1]); });
  }
  for (const r of state.runs) drawRun(r, false);
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
  const name = "dead set (exact: the unit is off on every input)";
  if (ws.length === 1) {
    const bs = cells.map((c) => c[1]);
    return { x: [ws[0], ws[0]], y: [Math.min(...bs), Math.max(...bs)], mode: "lines", line: { color: "#D55E00", width: 4 }, name, hoverinfo: "skip" };
  }
  return { type: "contour", x: d.w, y: d.b, z: T(d.dead_set), showscale: false, contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
    line: { color: "#D55E00", width: 3 }, hoverinfo: "skip", name, showlegend: true };
}

async function startRun(w, b, given) {
  document.body.dataset.idle = "0";
  $("w0").value = w; $("b0").value = b;
  const body = given || runBody(w, b);
  const slow = body.gradient === "minibatch" || SMOOTH(body.problem.activation);
  const d = await busy(slow ? `training from (${w}, ${b}): minibatch or smooth activation, a few seconds...` : `training from (${w}, ${b})...`, () => api("/api/train", body));
  if (!d) { document.body.dataset.idle = "1"; return; }
  const run = { body, data: d, color: COLORS[state.runs.length % COLORS.length], label: describeRun(body) };
  state.runs.push(run);
  addRunItem(run);
  await drawRun(run, true);
  writeURL();
  document.body.dataset.idle = "1";
}

function addRunItem(run) {
  const li = document.createElement("li");
  li.className = "run";
  const d = run.data, s = run.body.start;
  li.dataset.startW = String(s.w);
  li.dataset.startB = String(s.b);
  li.dataset.finalW = d.final_repr.w;  // the server's float64 values, digit for digit
  li.dataset.finalB = d.final_repr.b;
  li.dataset.endState = d.end_state;
  li.dataset.settings = JSON.stringify(d.settings);
  li.style.color = run.color;
  li.textContent = `${run.label}, ${d.settings.steps} steps from (${s.w}, ${s.b}) → w = ${Number(d.final.w).toPrecision(8)}, b = ${Number(d.final.b).toPrecision(8)}: ${d.end_state.replace("_", " ")}`;
  $("runs").appendChild(li);
}

async function drawRun(run, animate) {
  const d = run.data;
  const n = d.w.length;
  const trace = { type: "scatter", mode: "lines+markers", x: [], y: [], line: { color: run.color, width: 2 }, marker: { size: 3 }, name: run.label, showlegend: false, hoverinfo: "skip" };
  await Plotly.addTraces("landscape", trace);
  const idx = $("landscape").data.length - 1;
  const frames = animate ? 40 : 1;
  for (let f = 1; f <= frames; f += 1) {
    const m = Math.max(1, Math.round((n * f) / frames));
    await Plotly.restyle("landscape", { x: [d.w.slice(0, m)], y: [d.b.slice(0, m)] }, [idx]);
    if (f < frames) await new Promise((done) => requestAnimationFrame(done));
  }
  await drawSeries();
}

async function drawSeries() {
  const loss = [], par = [];
  state.runs.forEach((r) => {
    const d = r.data;
    loss.push({ x: d.steps, y: d.loss.map((v) => (v === null ? null : Math.max(v, 1e-16))), mode: "lines", line: { color: r.color }, name: r.label });
    par.push({ x: d.steps, y: d.w, mode: "lines", line: { color: r.color }, name: "w" });
    par.push({ x: d.steps, y: d.b, mode: "lines", line: { color: r.color, dash: "dot" }, name: "b" });
  });
  const m = { l: 55, r: 10, t: 30, b: 40 };
  await Plotly.react("loss-plot", loss, { title: { text: "loss against step" }, yaxis: { type: "log" }, margin: m, showlegend: false }, { displaylogo: false });
  await Plotly.react("param-plot", par, { title: { text: "w (solid) and b (dotted) against step" }, margin: m, showlegend: false }, { displaylogo: false });
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
  const d = await busy(`training ${body.n}×${body.n} starts...`, () => api("/api/basins", body));
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
  await Plotly.react("basins-plot", traces, { title: { text: `end states: ${describeRun({ ...body, gradient: "population" })}, ${d.settings.steps} steps` },
    xaxis: { title: { text: "w₀" } }, yaxis: { title: { text: "b₀" } }, margin: { l: 55, r: 10, t: 40, b: 45 } }, { displaylogo: false });
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
  const d = await busy("running the original experiment...", () => api("/api/one_weight", body));
  if (!d) return;
  state.drawn.oneweight = JSON.stringify(body);
  state.oneweight = d;
  const m = { l: 55, r: 50, t: 40, b: 40 };
  await Plotly.react("ow-plot", [
    { x: d.steps, y: d.loss, mode: "lines", name: "exact loss", line: { color: "#000" } },
    { x: d.steps, y: d.w, mode: "lines", name: "w", yaxis: "y2", line: { color: "#0072B2" } },
  ], { title: { text: `w₀ = ${body.w0}, SGD η = ${body.learning_rate}, batch ${body.batch_size}: loss and w against step` }, margin: m, yaxis: { title: { text: "loss" } },
       yaxis2: { title: { text: "w" }, overlaying: "y", side: "right" }, legend: { x: 0.6, y: 0.95 } }, { displaylogo: false });
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
  ], { title: { text: "the student's function" }, margin: { l: 45, r: 10, t: 40, b: 40 }, yaxis: { range: [-0.5, 3.2] }, legend: { x: 0, y: 1 } }, { displaylogo: false });
}

// ----------------------------------------------------------------- phase
function phaseBody() { return { method: $("ph-method").value, n: 48, steps: state.config.steps.includes(2000) ? 2000 : state.config.steps[0] }; }

async function drawPhase() {
  const body = phaseBody();
  const d = await busy("simulating the phase diagram...", () => api("/api/phase", body));
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
  const traces = [{ type: "heatmap", x: d.betas, y: d.lrs, z, colorscale: "Cividis", colorbar: { title: { text: "log10 step of crossing" } },
    hovertemplate: "momentum %{x:.3f}<br>η %{y:.4g}<extra></extra>" }];
  if (d.boundary_infinite) traces.push({ x: d.betas, y: d.boundary_infinite, mode: "lines", name: "analytic boundary (no step limit)", line: { color: "#D55E00", width: 2 } });
  if (d.boundary_finite) traces.push({ x: d.betas, y: d.boundary_finite, mode: "lines", name: `analytic boundary, ${body.steps} steps`, line: { color: "#D55E00", dash: "dot" } });
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
    traces.push({ x: [mom], y: [num("lr")], mode: "markers", name: `your optimizer (${opt}, η = ${num("lr")}${mom ? `, momentum ${mom}` : ""})`,
      marker: { size: 14, symbol: "x", color: "#fff", line: { color: "#000", width: 2 } } });
  }
  Plotly.react("phase-plot", traces, { title: { text: `${body.method}, one-weight relu neuron from w₀ = ${d.settings.w0}: where w crosses 0 within ${body.steps} steps (blank: no crossing simulated there)` },
    xaxis: { title: { text: "momentum" } }, yaxis: { title: { text: "step size η" }, type: "log" }, margin: { l: 60, r: 10, t: 40, b: 45 }, legend: { x: 0, y: -0.15, orientation: "h" } }, { displaylogo: false });
  $("phase-plot").dataset.marker = applies && opt === body.method ? "shown" : "hidden";
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

// ------------------------------------------------------------------ views
const KEYS = { basins: () => JSON.stringify(basinsBody()), oneweight: () => JSON.stringify(oneWeightBody()),
               phase: () => JSON.stringify(phaseBody()), verdicts: () => "1" };
const DRAW = { basins: drawBasins, oneweight: drawOneWeight, phase: drawPhase, verdicts: drawVerdicts };

function markStale() {
  // a drawn view whose settings have changed says so until it is recomputed
  for (const v of ["basins", "oneweight", "phase"]) {
    const stale = state.drawn[v] !== undefined && state.drawn[v] !== KEYS[v]();
    const el = $(`${v}-stale`);
    el.hidden = !stale;
    $(`view-${v}`).classList.toggle("stale", stale);
  }
  renderPhase();
}

function show(view) {
  state.view = view;
  for (const s of document.querySelectorAll(".view")) s.classList.toggle("active", s.id === "view-" + view);
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  writeURL();
  if (DRAW[view] && state.drawn[view] !== KEYS[view]()) DRAW[view]();  // first visit, or drawn for other settings
}

async function main() {
  state.config = await api("/api/config");
  for (const a of state.config.activations) $("activation").add(new Option(a, a));
  for (const o of state.config.optimizers) $("optimizer").add(new Option(o.replace("_keras", " (Keras)"), o));
  for (const m of state.config.phase_methods) $("ph-method").add(new Option(m, m));
  $("ph-method").value = "momentum";
  setOptimizerDefaults([]);
  const url = readURL();
  setOptimizerDefaults(url.hyperGiven);  // the optimizer's own defaults, but for what the link gives
  syncControls();
  for (const f of FIELDS) $(f).addEventListener("change", () => { syncControls(); writeURL(); markStale(); });
  $("optimizer").addEventListener("change", () => { setOptimizerDefaults([]); syncControls(); writeURL(); markStale(); });
  for (const f of ["activation", "slope", "inputs", "lo", "hi"]) $(f).addEventListener("change", () => { state.runs = []; $("runs").innerHTML = ""; drawLandscape(); drawSeries(); });
  $("run").addEventListener("click", () => startRun(num("w0"), num("b0")));
  $("clear").addEventListener("click", clearRuns);
  $("link").addEventListener("click", () => { writeURL(); navigator.clipboard && navigator.clipboard.writeText(location.href).catch(() => {}); status("the link to this view is in the address bar"); });
  $("basins-go").addEventListener("click", drawBasins);
  $("ow-go").addEventListener("click", () => { writeURL(); drawOneWeight(); });
  $("ow-slider").addEventListener("input", drawStudent);
  $("ph-go").addEventListener("click", () => { writeURL(); drawPhase(); });
  for (const v of ["basins", "oneweight", "phase"]) $(`${v}-redo`).addEventListener("click", () => DRAW[v]());
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.view));
  await drawLandscape();
  await drawSeries();  // empty plots now, so that the page does not move when the first run comes
  document.body.dataset.ready = "1";
  document.body.dataset.idle = "1";
  show(url.view);
  for (const body of url.runs) await startRun(body.start && body.start.w, body.start && body.start.b, body);  // each with its own settings
  for (const [w, b] of url.starts) await startRun(w, b);
  document.body.dataset.runsLoaded = "1";
}

main().catch((e) => status(e.message, "error"));
