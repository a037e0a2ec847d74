// The explorer's page: controls <-> URL, requests to the JSON API, Plotly drawings.
"use strict";

const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const BASIN_COLORS = {global_min: "#0072B2", dead: "#D55E00", stationary: "#CC79A7", moving: "#E69F00", diverged: "#000000"};
const $ = (id) => document.getElementById(id);
const state = { view: "landscape", runs: [], surface: null, config: null, busy: 0 };

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

function problem() {
  const p = { activation: $("activation").value, inputs: $("inputs").value };
  if (p.activation === "leaky_relu") p.slope = num("slope");
  if (p.inputs === "uniform") { p.lo = num("lo"); p.hi = num("hi"); }
  return p;
}

function optimizerBody() {
  const name = $("optimizer").value;
  const hyper = { learning_rate: num("lr") };
  for (const h of state.config.hyper[name]) {
    if (h !== "learning_rate" && h !== "eps") hyper[h] = num(h);
  }
  return { optimizer: name, hyper };
}

function runBody(w, b) {
  const body = { problem: problem(), ...optimizerBody(), start: { w, b }, gradient: $("gradient").value, steps: Number($("steps").value) };
  if (body.gradient === "minibatch") {
    body.batch_size = num("batch"); body.seed = num("seed");
    body.steps = Math.min(body.steps, state.config.caps.minibatch_steps);
  }
  return body;
}

// ------------------------------------------------------------------- URL
const FIELDS = ["activation", "slope", "inputs", "lo", "hi", "optimizer", "lr", "momentum", "b1", "b2", "gradient", "batch", "seed", "steps"];

function writeURL() {
  const q = new URLSearchParams();
  q.set("view", state.view);
  for (const f of FIELDS) q.set(f, $(f).value);
  if (state.runs.length) q.set("starts", state.runs.map((r) => `${r.start.w}:${r.start.b}`).join(","));
  q.set("w0", $("ow-w0").value);
  q.set("method", $("ph-method").value);
  history.replaceState(null, "", "?" + q.toString());
}

function readURL() {
  const q = new URLSearchParams(location.search);
  for (const f of FIELDS) {
    if (!q.has(f)) continue;
    const el = $(f), old = el.value;
    el.value = q.get(f);
    if (el.value === "") el.value = old;  // a value the page does not offer: keep the default
  }
  if (q.has("w0")) $("ow-w0").value = q.get("w0");
  if (q.has("method")) $("ph-method").value = q.get("method");
  const starts = (q.get("starts") || "").split(",").filter(Boolean).map((s) => s.split(":").map(Number))
    .filter((p) => p.length === 2 && p.every(Number.isFinite));
  return { view: q.get("view") || "landscape", starts };
}

function syncControls() {
  $("slope-row").style.display = $("activation").value === "leaky_relu" ? "" : "none";
  for (const el of document.querySelectorAll(".uniform-row")) el.style.display = $("inputs").value === "uniform" ? "" : "none";
  for (const el of document.querySelectorAll(".mb-row")) el.style.display = $("gradient").value === "minibatch" ? "" : "none";
  const hp = state.config.hyper[$("optimizer").value];
  for (const h of ["momentum", "b1", "b2"]) for (const el of document.querySelectorAll(".hp-" + h)) el.style.display = hp.includes(h) ? "" : "none";
}

// ------------------------------------------------------------- landscape
async function drawLandscape() {
  const d = await busy("computing the exact loss over (w, b)...", () => api("/api/landscape", { problem: problem(), n: 121 }));
  if (!d) return;
  state.surface = d;
  const z = d.loss.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v - d.min_loss, 1e-6)))));
  const T = (m) => m[0].map((_, j) => m.map((row) => row[j]));  // rows of the server's grid are w; Plotly's are y = b
  const traces = [
    { type: "contour", x: d.w, y: d.b, z: T(z), colorscale: "Viridis", contours: { coloring: "heatmap" }, ncontours: 24,
      colorbar: { title: { text: "log10(L - min)" } }, hovertemplate: "w %{x:.3f}<br>b %{y:.3f}<br>log10(L-min) %{z:.3f}<extra></extra>", name: "loss" },
    { type: "contour", x: d.w, y: d.b, z: T(d.dead), showscale: false, contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
      line: { color: "#D55E00", width: 2.5 }, hoverinfo: "skip", name: "dead set edge", showlegend: true },
    { type: "contour", x: d.w, y: d.b, z: T(d.near_flat), showscale: false, contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
      line: { color: "#E69F00", width: 1.5, dash: "dot" }, hoverinfo: "skip", name: "near-flat (|∇L| < 0.01)", showlegend: true },
  ];
  const layout = { title: { text: `exact loss, student ${problem().activation}, ${problem().inputs} inputs` }, margin: { l: 55, r: 10, t: 40, b: 45 },
    xaxis: { title: { text: "w" }, range: [d.w[0], d.w[d.w.length - 1]] }, yaxis: { title: { text: "b" }, range: [d.b[0], d.b[d.b.length - 1]] },
    legend: { x: 0, y: -0.12, orientation: "h" }, showlegend: true };
  await Plotly.react("landscape", traces, layout, { responsive: false, displaylogo: false });
  for (const r of state.runs) drawRun(r, false);
}

function dataCoords(gd, ev) {
  const L = gd._fullLayout, rect = gd.getBoundingClientRect();
  const x = L.xaxis.p2d(ev.clientX - rect.left - L.xaxis._offset);
  const y = L.yaxis.p2d(ev.clientY - rect.top - L.yaxis._offset);
  const [x0, x1] = L.xaxis.range, [y0, y1] = L.yaxis.range;
  if (!(x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1))) return null;
  return [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4];
}

async function startRun(w, b) {
  $("w0").value = w; $("b0").value = b;
  const body = runBody(w, b);
  const slow = body.gradient === "minibatch" || !["relu", "leaky_relu"].includes(body.problem.activation);
  const d = await busy(slow ? `training from (${w}, ${b}): minibatch or smooth activation, a few seconds...` : `training from (${w}, ${b})...`, () => api("/api/train", body));
  if (!d) return;
  const run = { start: { w, b }, data: d, color: COLORS[state.runs.length % COLORS.length], label: `${body.optimizer} η=${body.hyper.learning_rate}` };
  state.runs.push(run);
  addRunItem(run);
  drawRun(run, true);
  writeURL();
}

function addRunItem(run) {
  const li = document.createElement("li");
  li.className = "run";
  const d = run.data;
  li.dataset.startW = String(run.start.w);
  li.dataset.startB = String(run.start.b);
  li.dataset.finalW = d.final_repr.w;  // the server's float64 values, digit for digit
  li.dataset.finalB = d.final_repr.b;
  li.dataset.endState = d.end_state;
  li.style.color = run.color;
  li.textContent = `${run.label}, ${d.settings.steps} steps from (${run.start.w}, ${run.start.b}) → w = ${Number(d.final.w).toPrecision(8)}, b = ${Number(d.final.b).toPrecision(8)}: ${d.end_state.replace("_", " ")}`;
  $("runs").appendChild(li);
}

function drawRun(run, animate) {
  const d = run.data;
  const n = d.w.length;
  const trace = { type: "scatter", mode: "lines+markers", x: [], y: [], line: { color: run.color, width: 2 }, marker: { size: 3 }, name: run.label, showlegend: false };
  Plotly.addTraces("landscape", trace).then(() => {
    const idx = $("landscape").data.length - 1;
    const frames = animate ? 40 : 1;
    let f = 0;
    const tick = () => {
      f += 1;
      const m = Math.max(1, Math.round((n * f) / frames));
      Plotly.restyle("landscape", { x: [d.w.slice(0, m)], y: [d.b.slice(0, m)] }, [idx]);
      if (f < frames) requestAnimationFrame(tick);
    };
    tick();
  });
  drawSeries();
}

function drawSeries() {
  const loss = [], par = [];
  state.runs.forEach((r) => {
    const d = r.data;
    loss.push({ x: d.steps, y: d.loss.map((v) => (v === null ? null : Math.max(v, 1e-16))), mode: "lines", line: { color: r.color }, name: r.label });
    par.push({ x: d.steps, y: d.w, mode: "lines", line: { color: r.color }, name: "w" });
    par.push({ x: d.steps, y: d.b, mode: "lines", line: { color: r.color, dash: "dot" }, name: "b" });
  });
  const m = { l: 55, r: 10, t: 30, b: 40 };
  Plotly.react("loss-plot", loss, { title: { text: "loss against step" }, yaxis: { type: "log" }, margin: m, showlegend: false }, { displaylogo: false });
  Plotly.react("param-plot", par, { title: { text: "w (solid) and b (dotted) against step" }, margin: m, showlegend: false }, { displaylogo: false });
}

function clearRuns() {
  state.runs = [];
  $("runs").innerHTML = "";
  drawLandscape();
  drawSeries();
  writeURL();
}

// ---------------------------------------------------------------- basins
async function drawBasins() {
  const smooth = !["relu", "leaky_relu"].includes($("activation").value);
  const n = Math.min(Number($("basins-n").value), smooth ? state.config.caps.basins_smooth_n : state.config.caps.basins_n);
  const body = { problem: problem(), ...optimizerBody(), n, steps: Math.min(Number($("steps").value), state.config.caps.basins_steps) };
  const d = await busy(`training ${body.n}×${body.n} starts...`, () => api("/api/basins", body));
  if (!d) return;
  const names = d.names;
  const cs = [];
  names.forEach((nm, i) => { cs.push([i / names.length, BASIN_COLORS[nm]]); cs.push([(i + 1) / names.length, BASIN_COLORS[nm]]); });
  const T = (m) => m[0].map((_, j) => m.map((row) => row[j]));
  const traces = [{ type: "heatmap", x: d.w, y: d.b, z: T(d.labels), zmin: -0.5, zmax: names.length - 0.5, colorscale: cs, showscale: false,
    hovertemplate: "w %{x:.3f}<br>b %{y:.3f}<extra></extra>" }];
  if (state.surface) {
    const z = state.surface.loss.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v - state.surface.min_loss, 1e-6)))));
    traces.push({ type: "contour", x: state.surface.w, y: state.surface.b, z: T(z), contours: { coloring: "lines" }, line: { color: "white", width: 0.8 }, showscale: false, hoverinfo: "skip", ncontours: 18 });
  }
  await Plotly.react("basins-plot", traces, { title: { text: `end states, ${body.optimizer} η=${body.hyper.learning_rate}, ${body.steps} steps` },
    xaxis: { title: { text: "w₀" } }, yaxis: { title: { text: "b₀" } }, margin: { l: 55, r: 10, t: 40, b: 45 } }, { displaylogo: false });
  $("basins-fractions").innerHTML = names.map((nm) => `<span style="color:${BASIN_COLORS[nm]}">■</span> ${nm.replace("_", " ")}: ${(100 * d.fractions[nm]).toFixed(1)}%`).join(" &nbsp; ");
  $("basins-fractions").dataset.fractions = JSON.stringify(d.fractions);
}

// ------------------------------------------------------------ one weight
async function drawOneWeight() {
  const body = { w0: num("ow-w0"), learning_rate: num("ow-lr") };
  const d = await busy("running the original experiment...", () => api("/api/one_weight", body));
  if (!d) return;
  state.oneweight = d;
  const m = { l: 55, r: 50, t: 40, b: 40 };
  await Plotly.react("ow-plot", [
    { x: d.steps, y: d.loss, mode: "lines", name: "exact loss", line: { color: "#000" } },
    { x: d.steps, y: d.w, mode: "lines", name: "w", yaxis: "y2", line: { color: "#0072B2" } },
  ], { title: { text: `w₀ = ${body.w0}: loss and w against step` }, margin: m, yaxis: { title: { text: "loss" } },
       yaxis2: { title: { text: "w" }, overlaying: "y", side: "right" }, legend: { x: 0.6, y: 0.95 } }, { displaylogo: false });
  const s = $("ow-slider");
  s.max = d.steps.length - 1;
  s.value = d.steps.length - 1;
  drawStudent();
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
async function drawPhase() {
  const body = { method: $("ph-method").value, n: 48, steps: 2000 };
  const d = await busy("simulating the phase diagram...", () => api("/api/phase", body));
  if (!d) return;
  const z = d.first_crossing.map((row) => row.map((v) => (v > 0 ? Math.log10(v) : null)));
  const traces = [{ type: "heatmap", x: d.betas, y: d.lrs, z, colorscale: "Cividis", colorbar: { title: { text: "log10 step of crossing" } },
    hovertemplate: "momentum %{x:.3f}<br>η %{y:.4g}<extra></extra>" }];
  if (d.boundary_infinite) traces.push({ x: d.betas, y: d.boundary_infinite, mode: "lines", name: "analytic boundary (no step limit)", line: { color: "#D55E00", width: 2 } });
  if (d.boundary_finite) traces.push({ x: d.betas, y: d.boundary_finite, mode: "lines", name: `analytic boundary, ${body.steps} steps`, line: { color: "#D55E00", dash: "dot" } });
  const mom = state.config.hyper[$("optimizer").value].includes("momentum") ? num("momentum") : 0;
  traces.push({ x: [mom], y: [num("lr")], mode: "markers", name: "your optimizer", marker: { size: 14, symbol: "x", color: "#fff", line: { color: "#000", width: 2 } } });
  await Plotly.react("phase-plot", traces, { title: { text: `${body.method} from w₀ = -10: where w crosses 0 (blank: never)` },
    xaxis: { title: { text: "momentum" } }, yaxis: { title: { text: "step size η" }, type: "log" }, margin: { l: 60, r: 10, t: 40, b: 45 }, legend: { x: 0, y: -0.15, orientation: "h" } }, { displaylogo: false });
}

// -------------------------------------------------------------- verdicts
async function drawVerdicts() {
  const d = await busy("reading the report...", () => api("/api/verdicts"));
  if (!d) return;
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
const DRAWN = {};
function show(view) {
  state.view = view;
  for (const s of document.querySelectorAll(".view")) s.classList.toggle("active", s.id === "view-" + view);
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  writeURL();
  if (!DRAWN[view]) {
    DRAWN[view] = true;
    if (view === "basins") drawBasins();
    if (view === "oneweight") drawOneWeight();
    if (view === "phase") drawPhase();
    if (view === "verdicts") drawVerdicts();
  }
}

async function main() {
  state.config = await api("/api/config");
  for (const a of state.config.activations) $("activation").add(new Option(a, a));
  for (const o of state.config.optimizers) $("optimizer").add(new Option(o.replace("_keras", " (Keras)"), o));
  const url = readURL();
  syncControls();
  for (const f of FIELDS) $(f).addEventListener("change", () => { syncControls(); writeURL(); });
  for (const f of ["activation", "slope", "inputs", "lo", "hi"]) $(f).addEventListener("change", () => { state.runs = []; $("runs").innerHTML = ""; DRAWN.basins = false; drawLandscape(); drawSeries(); });
  $("run").addEventListener("click", () => startRun(num("w0"), num("b0")));
  $("clear").addEventListener("click", clearRuns);
  $("link").addEventListener("click", () => { writeURL(); navigator.clipboard && navigator.clipboard.writeText(location.href).catch(() => {}); status("the link to this view is in the address bar"); });
  $("landscape").addEventListener("click", (ev) => { const p = dataCoords($("landscape"), ev); if (p) startRun(p[0], p[1]); });
  $("basins-go").addEventListener("click", drawBasins);
  $("ow-go").addEventListener("click", () => { writeURL(); drawOneWeight(); });
  $("ow-slider").addEventListener("input", drawStudent);
  $("ph-go").addEventListener("click", () => { writeURL(); drawPhase(); });
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.view));
  await drawLandscape();
  document.body.dataset.ready = "1";
  show(url.view);
  for (const [w, b] of url.starts) await startRun(w, b);
}

main().catch((e) => status(e.message, "error"));
