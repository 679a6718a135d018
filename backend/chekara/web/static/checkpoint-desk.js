// The checkpoint desk: the queue, crossings in progress, the form for the step due next (officers),
// recent plate reads and weighings with their findings, and the throughput of the last 24 hours.
(function () {
  "use strict";
  const C = window.Chekara;
  const code = C.config.params.code;
  // Crossing events on the stream trigger a refresh; a burst (an entry read and its alert) makes one.
  const EVENT_SETTLE_MS = 300;
  const RECENT_ROWS = 10;
  const STEPS = ["arrived", "documents_checked", "weighed", "inspected", "released", "exited"];
  const STEP_ROUTE = "/api/v1/crossings/{crossing_id}/steps/{step}";
  const WEIGHING_ROUTE = "/api/v1/weighings";
  const READ_ROUTE = "/api/v1/plate-reads";
  const RISK_ROUTE = "/api/v1/declarations/{number}/risk";
  const codePath = encodeURIComponent(code);

  // What the desk shows (read by the browser tests).
  const state = { checkpoint: null, crossings: [], selected: null, detail: null, chart: null };
  window.chekaraDesk = state;

  const stepName = (step) => C.t("step." + step, null, step);
  const channelChip = (channel) => C.el("span", { className: "chip " + channel, text: C.t("channel." + channel, null, channel) });
  const isoNow = () => new Date().toISOString();

  // ---- the checkpoint and its queue -----------------------------------------------------------

  async function loadCheckpoint() {
    const [feature, all] = await Promise.all([C.api("/api/v1/checkpoints/" + codePath), C.api("/api/v1/checkpoints")]);
    const p = feature.properties;
    state.checkpoint = p;
    const lang = document.documentElement.lang;
    const name = (lang === "ky" && p.name_ky) || (lang === "en" ? p.name_en : p.name_ru) || p.name_en;
    document.getElementById("desk-title").textContent = `${name} (${p.code})`;
    document.title = `${name} — Chekara`;
    document.getElementById("desk-kind").textContent =
      C.t("border_kind." + p.border_kind, null, p.border_kind) + (p.country ? " · " + p.country : "") +
      " · " + C.t(p.has_weighbridge ? "desk.weighbridge" : "desk.no_weighbridge");
    const switcher = document.getElementById("desk-switch");
    C.replaceChildren(switcher, all.features.map((f) => C.el("option", { value: f.properties.code, text: f.properties.code, selected: f.properties.code === p.code })));
    switcher.addEventListener("change", () => { location.href = "/checkpoints/" + encodeURIComponent(switcher.value); });
    C.replaceChildren(document.getElementById("entry-lane"),
      Array.from({ length: p.lanes || 1 }, (_, i) => C.el("option", { value: String(i + 1), text: String(i + 1) })));
  }

  function figure(labelKey, value) {
    return C.el("div", { className: "figure" }, [C.el("span", { className: "value", text: value }), C.t(labelKey)]);
  }

  async function loadQueue() {
    const q = await C.api(`/api/v1/checkpoints/${codePath}/queue`);
    C.replaceChildren(document.getElementById("queue-figures"), [
      figure("queue.inside", C.formatNumber(q.inside)),
      figure("queue.wait", C.formatMinutes(q.estimated_wait_min)),
      figure("queue.median", C.formatMinutes(q.median_processing_min)),
      figure("queue.exits_per_hour", C.formatNumber(q.exits_per_hour, 1)),
    ]);
    C.replaceChildren(document.getElementById("queue-directions"), [
      C.el("tr", {}, [C.el("th", {}), C.el("th", { text: C.t("queue.inside") }), C.el("th", { text: C.t("queue.wait") }), C.el("th", { text: C.t("queue.p90") })]),
      ...Object.entries(q.by_direction).map(([direction, f]) => C.el("tr", {}, [
        C.el("td", { text: C.t("direction." + direction, null, direction) }), C.el("td", { text: C.formatNumber(f.inside) }),
        C.el("td", { text: C.formatMinutes(f.estimated_wait_min) }), C.el("td", { text: C.formatMinutes(f.p90_processing_min) }),
      ])),
    ]);
    state.queue = q;
  }

  // ---- crossings ------------------------------------------------------------------------------

  function showCrossings() {
    const inside = state.crossings.filter((c) => c.status !== "exited").sort((a, b) => Date.parse(a.entered_at) - Date.parse(b.entered_at));
    C.replaceChildren(document.getElementById("crossings"), inside.map((c) => C.el("tr", {
      className: "pick" + (state.selected === c.id ? " selected" : ""), dataset: { crossingId: c.id },
      onclick: () => select(c.id),
    }, [
      C.el("td", {}, C.el("strong", { text: c.plate })),
      C.el("td", { text: c.declaration_number || C.t("desk.no_declaration") }),
      C.el("td", {}, channelChip(c.channel)),
      C.el("td", { text: stepName(c.status) }),
      C.el("td", { text: c.due_steps.map(stepName).join(" / ") }),
      C.el("td", { text: C.formatTime(c.entered_at) }),
    ])));
    document.getElementById("no-crossings").hidden = inside.length > 0;
  }

  async function loadCrossings() {
    state.crossings = await C.api(`/api/v1/crossings?checkpoint=${codePath}&limit=1000`);
    showCrossings();
    drawThroughput();
    await loadRecent();
  }

  async function select(id) {
    generation += 1; // a refresh in flight was for the crossing shown before
    state.selected = id;
    showCrossings();
    state.detail = await C.api(`/api/v1/crossings/${id}`);
    showDetail();
  }

  function showDetail() {
    const c = state.detail;
    const card = document.getElementById("crossing-card");
    card.hidden = false;
    card.dataset.crossingId = c.id;
    card.dataset.status = c.status;
    document.getElementById("crossing-title").textContent = C.t("desk.crossing_title", { plate: c.plate, id: c.id });
    const done = new Set(c.timeline.map((s) => s.step));
    C.replaceChildren(document.getElementById("crossing-steps"), STEPS.map((step) => C.el("li", {
      className: done.has(step) ? "done" : c.due_steps.includes(step) ? "due" : "", text: stepName(step),
    })));
    C.replaceChildren(document.getElementById("crossing-facts"), [
      C.el("dt", { text: C.t("desk.declaration") }), C.el("dd", { text: c.declaration_number || C.t("desk.no_declaration") }),
      C.el("dt", { text: C.t("desk.channel") }), C.el("dd", {}, channelChip(c.channel)),
      C.el("dt", { text: C.t("desk.direction") }), C.el("dd", { text: C.t("direction." + c.direction, null, c.direction) }),
      C.el("dt", { text: C.t("desk.plate_as_read") }), C.el("dd", { text: c.plate_as_read + (c.plate_match_kind ? ` (${C.t("match." + c.plate_match_kind, null, c.plate_match_kind)})` : "") }),
      C.el("dt", { text: C.t("desk.entered") }), C.el("dd", { text: C.formatTime(c.entered_at) }),
      c.findings.length ? C.el("dt", { text: C.t("desk.findings") }) : null,
      c.findings.length ? C.el("dd", {}, c.findings.map((f) => C.el("div", { className: "finding", text: `${C.t("finding." + f.kind, null, f.kind)}: ${f.message}` }))) : null,
      c.alerts.length ? C.el("dt", { text: C.t("desk.alerts") }) : null,
      c.alerts.length ? C.el("dd", {}, c.alerts.map((a) => C.el("div", { className: "finding", text: `${C.t("alert_type." + a.type, null, a.type)} (${C.t("alert_status." + a.status, null, a.status)})` }))) : null,
    ]);
    C.replaceChildren(document.getElementById("crossing-timeline"), c.timeline.map((s) => C.el("tr", {}, [
      C.el("td", { text: C.formatTime(s.at, "seconds") }), C.el("td", { text: stepName(s.step) }),
      C.el("td", { text: `${s.actor} (${C.t("role." + s.role, null, s.role)})` }), C.el("td", { text: s.notes }),
    ])));
    C.replaceChildren(document.getElementById("step-form-box"), stepForm(c));
    loadRisk(c).catch(C.failed);
  }

  /** Why the channel is what it is: the rules that hit the crossing's declaration. */
  async function loadRisk(c) {
    const box = document.getElementById("crossing-risk");
    if (!c.declaration_number || !C.may("GET", RISK_ROUTE)) {
      C.replaceChildren(box, []);
      return;
    }
    const verdict = await C.api(RISK_ROUTE.replace("{number}", encodeURIComponent(c.declaration_number)));
    if (!state.detail || state.detail.id !== c.id) return; // another crossing was chosen meanwhile
    C.replaceChildren(box, [
      C.el("h3", {}, [C.t("risk.verdict") + " ", window.ChekaraRisk.scoreBar(verdict.score)]),
      window.ChekaraRisk.hitList(verdict.hits),
    ]);
  }

  // ---- the form for the step due next ----------------------------------------------------------

  function notesField(required) {
    return C.el("textarea", { name: "notes", rows: "2", maxlength: "4000", required, placeholder: C.t(required ? "form.notes_required" : "form.notes") });
  }

  /** Only the step due now gets a form; green and blue channels may also release without inspection. */
  function stepForm(c) {
    if (!c.due_steps.length || !C.may("POST", STEP_ROUTE)) return null;
    const step = c.due_steps[0];
    const form = C.el("form", { className: "step-form", dataset: { step } }, C.el("h3", { text: C.t("form.title", { step: stepName(step) }) }));
    const add = (...nodes) => nodes.forEach((n) => form.appendChild(n));
    const label = (key, field) => C.el("label", {}, [C.t(key), C.el("br"), field]);
    if (step === "documents_checked") {
      if (!c.declaration_number) add(label("form.declaration_number", C.el("input", { name: "declaration_number", required: true, maxlength: "40" })));
      add(label("form.notes", notesField(false)));
    } else if (step === "weighed" && state.checkpoint.has_weighbridge) {
      if (!C.may("POST", WEIGHING_ROUTE)) return null;
      add(label("form.gross_kg", C.el("input", { name: "gross_kg", type: "number", min: "1", step: "1", required: true })));
      add(label("form.axle_loads", C.el("input", { name: "axle_loads", required: true, placeholder: "6000, 6000, 9000, 9000" })));
    } else if (step === "weighed") {
      add(C.el("p", { className: "hint", text: C.t("form.no_weighbridge") }));
      add(label("form.notes", notesField(true)));
    } else if (step === "inspected") {
      const red = c.channel === "red";
      add(C.el("div", { className: "row" }, [
        C.t("form.result"),
        C.el("label", {}, [C.el("input", { type: "radio", name: "result", value: "not_found", required: red }), C.t("form.not_found")]),
        C.el("label", {}, [C.el("input", { type: "radio", name: "result", value: "found" }), C.t("form.found")]),
      ]));
      add(label(red ? "form.notes_red" : "form.notes", notesField(red)));
    } else {
      add(label("form.notes", notesField(false)));
    }
    const buttons = C.el("div", { className: "row" }, C.el("button", { type: "submit", text: C.t("form.record", { step: stepName(step) }) }));
    if (step === "inspected" && c.due_steps.includes("released")) {
      buttons.appendChild(C.el("button", {
        type: "button", className: "secondary", text: C.t("form.release_without_inspection"),
        onclick: () => submitStep(c, "released", { notes: form.elements.notes.value }),
      }));
    }
    add(buttons);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(c, step, form);
    });
    return form;
  }

  function submit(c, step, form) {
    const f = form.elements;
    if (step === "weighed" && state.checkpoint.has_weighbridge) {
      const loads = f.axle_loads.value.split(/[\s,;]+/).filter(Boolean).map(Number);
      return record(C.api(WEIGHING_ROUTE, {
        method: "POST",
        body: { checkpoint: code, plate: c.plate, gross_kg: Number(f.gross_kg.value), axle_loads_kg: loads, time: isoNow(), weighbridge_id: "desk" },
      }), (answer) => answer.findings.map((x) => `${C.t("finding." + x.kind, null, x.kind)}: ${x.message}`));
    }
    const body = { notes: f.notes ? f.notes.value : "" };
    if (f.declaration_number) body.declaration_number = f.declaration_number.value.trim();
    if (step === "inspected") {
      const chosen = form.querySelector("input[name=result]:checked");
      if (chosen) body.result = chosen.value;
    }
    return submitStep(c, step, body);
  }

  function submitStep(c, step, body) {
    const path = STEP_ROUTE.replace("{crossing_id}", c.id).replace("{step}", step);
    return record(C.api(path, { method: "POST", body }),
      (answer) => answer.alerts.map((a) => C.t("alert_type." + a.type, null, a.type)));
  }

  /** After a step: say what it raised, then show the crossing as it is now. */
  async function record(request, consequences) {
    const result = document.getElementById("step-result");
    document.querySelectorAll("#step-form-box button").forEach((b) => { b.disabled = true; });
    recording = true;
    try {
      const answer = await request;
      const raised = consequences(answer);
      result.textContent = raised.length ? C.t("form.recorded_with", { what: raised.join("; ") }) : C.t("form.recorded");
      result.className = raised.length ? "finding" : "hint";
    } catch (error) {
      result.textContent = error.message;
      result.className = "finding";
    }
    await refresh(true);
    recording = false;
  }

  function bindEntryForm() {
    const form = document.getElementById("entry-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const plate = document.getElementById("entry-plate");
      try {
        // An officer who keys a plate at the booth stands in for the entry camera.
        const read = await C.api(READ_ROUTE, {
          method: "POST",
          body: { checkpoint: code, camera_id: "desk", lane: Number(document.getElementById("entry-lane").value), direction: "entry", plate: plate.value, confidence: 1, time: isoNow() },
        });
        plate.value = "";
        const raised = read.alerts.map((a) => C.t("alert_type." + a.type, null, a.type));
        C.status(raised.length ? C.t("form.recorded_with", { what: raised.join("; ") }) : "", raised.length ? "error" : "");
        await loadCrossings();
        if (read.crossing) await select(read.crossing.id);
      } catch (error) {
        C.failed(error);
      }
    });
  }

  // ---- recent plate reads and weighings --------------------------------------------------------

  /** The checkpoint's own lists (newest first), narrowed by the plate typed in the filter. */
  async function loadRecent() {
    const plate = document.getElementById("records-plate").value.trim();
    const query = `?limit=${RECENT_ROWS}` + (plate ? "&plate=" + encodeURIComponent(plate) : "");
    const [reads, weighings] = await Promise.all([
      C.api(`/api/v1/checkpoints/${codePath}/plate-reads${query}`), C.api(`/api/v1/checkpoints/${codePath}/weighings${query}`),
    ]);
    state.reads = reads;
    state.weighings = weighings;
    C.replaceChildren(document.getElementById("plate-reads"), reads.map((r) => C.el("tr", {}, [
      C.el("td", { text: C.formatTime(r.time) }),
      C.el("td", { text: C.t("read_direction." + r.direction, null, r.direction) }),
      C.el("td", {}, [C.el("strong", { text: r.plate }), r.plate_text !== r.plate ? C.el("div", { className: "hint", text: r.plate_text }) : null]),
      C.el("td", { text: C.t("desk.lane_n", { n: r.lane }) + " · " + r.camera_id }),
      C.el("td", { text: `${C.formatNumber(r.confidence * 100)} %` + (r.match_kind ? ` · ${C.t("match." + r.match_kind, null, r.match_kind)}` : "") }),
    ])));
    C.replaceChildren(document.getElementById("weighings"), weighings.map((w) => C.el("tr", {}, [
      C.el("td", { text: C.formatTime(w.time) }),
      C.el("td", {}, C.el("strong", { text: w.plate })),
      C.el("td", { text: C.t("unit.kg", { n: C.formatNumber(w.gross_kg) }) + (w.declared_gross_kg ? ` / ${C.t("desk.declared", { n: C.formatNumber(w.declared_gross_kg) })}` : "") }),
      C.el("td", {}, w.findings.length
        ? w.findings.map((f) => C.el("div", { className: "finding", text: `${C.t("finding." + f.kind, null, f.kind)}: ${f.message}` }))
        : C.el("span", { className: "hint", text: C.t("desk.no_findings") })),
    ])));
  }

  // ---- throughput chart ------------------------------------------------------------------------

  const hourFormat = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Bishkek", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const hourLabel = (ts) => hourFormat.format(new Date(ts * 1000));

  function drawThroughput() {
    const hour = 3600;
    const end = Math.ceil(Date.now() / 1000 / hour) * hour;
    const starts = Array.from({ length: 24 }, (_, i) => end - (24 - i) * hour);
    const entries = starts.map(() => 0);
    const exits = starts.map(() => 0);
    const bin = (iso, counts) => {
      if (!iso) return;
      const i = Math.floor((Date.parse(iso) / 1000 - starts[0]) / hour);
      if (i >= 0 && i < 24) counts[i] += 1;
    };
    for (const c of state.crossings) { bin(c.entered_at, entries); bin(c.exited_at, exits); }
    const box = document.getElementById("throughput");
    const width = Math.max(280, box.clientWidth);
    const data = [starts, entries, exits];
    state.throughput = { entries: entries.reduce((a, b) => a + b, 0), exits: exits.reduce((a, b) => a + b, 0) };
    if (state.chart) { state.chart.setData(data); return; }
    state.chart = new uPlot({
      width, height: 200,
      // Hours as Bishkek lives them, whatever the browser's own zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Asia/Bishkek"),
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(4, max + 1)] } },
      series: [
        { label: C.t("desk.hour"), value: (u, ts) => (ts === null ? "—" : hourLabel(ts)) },
        { label: C.t("desk.entries"), stroke: "#0b5cad", fill: "rgba(11,92,173,0.45)", paths: uPlot.paths.bars({ size: [0.4, 24], align: -1 }), points: { show: false } },
        { label: C.t("desk.exits"), stroke: "#2e7d32", fill: "rgba(46,125,50,0.45)", paths: uPlot.paths.bars({ size: [0.4, 24], align: 1 }), points: { show: false } },
      ],
      axes: [{ values: (u, splits) => splits.map(hourLabel) }, { label: C.t("desk.vehicles_per_hour"), size: 50 }],
    }, data, box);
    new ResizeObserver(() => state.chart.setSize({ width: Math.max(280, box.clientWidth), height: 200 })).observe(box);
  }

  // ---- refresh ----------------------------------------------------------------------------------

  const shape = (c) => (c ? `${c.id}:${c.timeline.length}:${c.due_steps.join()}:${c.alerts.length}` : "");

  let generation = 0;
  let recording = false;

  /**
   * Read everything again; the open form is redrawn only when its crossing moved on (or force), so an
   * officer's half-typed form survives the periodic refresh. An answer older than a later refresh is dropped.
   */
  async function refresh(force) {
    const mine = ++generation;
    try {
      await Promise.all([loadQueue(), loadCrossings()]);
      if (state.selected) {
        const detail = await C.api(`/api/v1/crossings/${state.selected}`);
        if (mine !== generation) return;
        const before = shape(state.detail);
        state.detail = detail;
        if (force || shape(detail) !== before) showDetail();
      }
      document.getElementById("desk-updated").textContent = C.t("desk.updated", { time: C.formatTime(isoNow(), "seconds") });
    } catch (error) {
      C.failed(error);
    }
  }

  C.page(async () => {
    try {
      await loadCheckpoint();
    } catch (error) {
      C.failed(error);
      return;
    }
    bindEntryForm();
    let plateTimer = null;
    document.getElementById("records-plate").addEventListener("input", () => {
      clearTimeout(plateTimer);
      plateTimer = setTimeout(() => loadRecent().catch(C.failed), EVENT_SETTLE_MS);
    });
    await refresh();
    state.ready = true;
    listen();
  });

  /** No polling: the stream says when a crossing here opened, moved a step, was released or left. */
  function listen() {
    let timer = null;
    let dropped = false;
    state.events = [];
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(function again() {
        if (recording) { timer = setTimeout(again, EVENT_SETTLE_MS); return; }
        refresh(false);
      }, EVENT_SETTLE_MS);
    };
    C.openStream({
      crossing: (event) => {
        const data = JSON.parse(event.data);
        if (data.checkpoint !== code.toUpperCase()) return;
        state.events.push(data);
        later();
      },
    }, (live) => {
      state.live = live;
      // Events sent while the stream was down are not replayed: read everything again.
      if (live && dropped) later();
      if (!live) dropped = true;
    });
  }
})();
