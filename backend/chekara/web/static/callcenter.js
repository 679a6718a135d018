// The call-center console: record a citizen's inquiry with what they ask about at hand (their vehicle's crossings
// or their declaration, the matching answers, the checkpoint queues), and work each inquiry through to closed.
(function () {
  "use strict";
  const C = window.Chekara;
  const CREATE_ROUTE = "/api/v1/inquiries";
  const PATCH_ROUTE = "/api/v1/inquiries/{inquiry_id}";
  const LIST_LIMIT = 100;
  const RECENT_LIMIT = 50;
  const REFRESH_MS = 30000;
  // The queues come from the public endpoint, limited per address to 60 requests a minute: once a minute is plenty.
  const QUEUES_REFRESH_MS = 60000;
  // Look-ups wait for a pause in typing, so a number typed digit by digit is asked once.
  const TYPING_MS = 350;
  const MIN_PLATE_CHARS = 4;
  const ANSWER_LIMIT = 3;
  const DECLARATION_NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/;
  const OPEN = ["new", "in_progress"];
  // What the console shows (read by the browser tests).
  const state = {
    ready: false, inquiries: 0, overdue: 0, listLoads: 0, selected: null, answers: [], queues: 0,
    plate: null, declaration: null,
  };
  window.chekaraCallcenter = state;

  const form = document.getElementById("inquiry-form");
  const topics = {};
  let me = null;
  let selected = null;
  // A look-up answered after a newer one of its kind started is dropped.
  const asked = { plate: 0, declaration: 0, answers: 0, list: 0 };

  const lang = () => document.documentElement.lang;
  const field = (name) => form.elements.namedItem(name);

  function later(work) {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(() => work().catch(C.failed), TYPING_MS);
    };
  }

  function topicName(key) {
    const topic = topics[key];
    return topic ? topic.names[lang()] || topic.names.en || key : key;
  }

  function statusChip(status) {
    return C.el("span", { className: "chip inquiry-" + status, text: C.t("inquiry_status." + status, null, status) });
  }

  function overdueChip() {
    return C.el("span", { className: "chip overdue", text: C.t("sla.overdue") });
  }

  // ---- topics and checkpoints for the form ---------------------------------------------------

  async function loadTopics() {
    const list = await C.api("/api/v1/inquiry-topics");
    for (const topic of list) topics[topic.key] = topic;
    field("topic").append(...list.map((topic) => C.el("option", { value: topic.key, text: topicName(topic.key) })));
  }

  async function loadCheckpoints() {
    const all = await C.api("/api/v1/checkpoints");
    field("checkpoint").append(...all.features.map((f) => {
      const p = f.properties;
      const name = (lang() === "ky" && p.name_ky) || (lang() === "en" ? p.name_en : p.name_ru) || p.name_en;
      return C.el("option", { value: p.code, text: `${name} (${p.code})` });
    }));
  }

  // ---- the caller's vehicle and declaration --------------------------------------------------

  function showLookupHint() {
    const empty = !document.getElementById("plate-lookup").hasChildNodes() && !document.getElementById("declaration-lookup").hasChildNodes();
    document.getElementById("lookup-hint").hidden = !empty;
  }

  async function lookUpPlate(plate) {
    const box = document.getElementById("plate-lookup");
    const ticket = ++asked.plate;
    const wanted = (plate || "").trim();
    if (wanted.replace(/\s/g, "").length < MIN_PLATE_CHARS) {
      C.replaceChildren(box, []);
      state.plate = null;
      showLookupHint();
      return;
    }
    let rows;
    try {
      rows = await C.api("/api/v1/crossings?" + new URLSearchParams({ plate: wanted, limit: "5" }));
    } catch (error) {
      if (ticket !== asked.plate) return;
      if (!(error instanceof C.ApiError) || error.status !== 422) throw error;
      C.replaceChildren(box, C.el("p", { className: "hint", text: C.t("cc.bad_plate", { plate: wanted }) }));
      state.plate = { plate: wanted, crossings: null };
      showLookupHint();
      return;
    }
    if (ticket !== asked.plate) return;
    if (rows.length === 0) {
      C.replaceChildren(box, C.el("p", { className: "hint", text: C.t("cc.no_crossings", { plate: wanted }) }));
    } else {
      C.replaceChildren(box, [
        C.el("h3", { text: C.t("cc.crossings_of", { plate: rows[0].plate }) }),
        C.el("table", {}, C.el("tbody", {}, rows.map((c) => C.el("tr", { dataset: { crossing: c.id } }, [
          C.el("td", {}, C.el("strong", { text: c.checkpoint })),
          C.el("td", { text: C.t("direction." + c.direction, null, c.direction) }),
          C.el("td", { text: C.t("step." + c.status, null, c.status) }),
          C.el("td", { text: C.formatTime(c.entered_at) }),
          C.el("td", { text: c.declaration_number || C.t("desk.no_declaration") }),
        ])))),
      ]);
    }
    state.plate = { plate: wanted, crossings: rows.length };
    showLookupHint();
  }

  function fact(dl, labelKey, value) {
    dl.append(C.el("dt", { text: C.t(labelKey) }), C.el("dd", {}, value === null || value === undefined || value === "" ? "—" : value));
  }

  async function lookUpDeclaration(number) {
    const box = document.getElementById("declaration-lookup");
    const ticket = ++asked.declaration;
    const wanted = (number || "").trim().toUpperCase();
    if (!DECLARATION_NUMBER.test(wanted)) {
      C.replaceChildren(box, []);
      state.declaration = null;
      showLookupHint();
      return;
    }
    let d;
    try {
      d = await C.api("/api/v1/declarations/" + encodeURIComponent(wanted));
    } catch (error) {
      if (ticket !== asked.declaration) return;
      if (!(error instanceof C.ApiError) || error.status !== 404) throw error;
      C.replaceChildren(box, C.el("p", { className: "hint", text: C.t("cc.declaration_not_found", { number: wanted }) }));
      state.declaration = { number: wanted, status: null };
      showLookupHint();
      return;
    }
    if (ticket !== asked.declaration) return;
    const facts = C.el("dl", { className: "facts" });
    fact(facts, "declaration.status", C.el("span", { className: "chip declaration-" + d.status, text: C.t("declaration_status." + d.status, null, d.status) }));
    fact(facts, "declaration.kind", C.t("declaration_kind." + d.kind, null, d.kind));
    fact(facts, "cc.vehicle", d.vehicle_plate + (d.trailer_plate ? " + " + d.trailer_plate : ""));
    fact(facts, "trip.route", `${d.entry_checkpoint || "—"} → ${d.exit_checkpoint || "—"}`);
    const last = d.crossings[d.crossings.length - 1];
    if (last) {
      fact(facts, "cc.last_crossing", `${last.checkpoint} · ${C.t("step." + last.status, null, last.status)} · ${C.formatTime(last.entered_at)}`);
    }
    C.replaceChildren(box, [C.el("h3", { text: C.t("cc.declaration_n", { number: d.number }) }), facts]);
    state.declaration = { number: d.number, status: d.status };
    showLookupHint();
  }

  // ---- answers at hand -----------------------------------------------------------------------

  async function findAnswers(text, language, topic) {
    const ticket = ++asked.answers;
    const list = document.getElementById("answers");
    const q = (text || "").trim().slice(0, 200);
    if (!q && !topic) {
      C.replaceChildren(list, []);
      document.getElementById("answers-hint").textContent = C.t("cc.answers_hint");
      document.getElementById("answers-hint").hidden = false;
      state.answers = [];
      return;
    }
    const params = new URLSearchParams({ q, language, limit: String(ANSWER_LIMIT) });
    if (!q) params.set("topic", topic);
    const found = await C.api("/api/v1/answers?" + params);
    if (ticket !== asked.answers) return;
    C.replaceChildren(list, found.map((a, i) => C.el("li", { dataset: { topic: a.topic, language: a.language } },
      C.el("details", { open: i === 0 }, [
        C.el("summary", {}, [a.title, topicName(a.topic) === a.title ? null : C.el("span", { className: "hint", text: " · " + topicName(a.topic) })]),
        C.el("p", { className: "long-text", text: a.body }),
        C.el("button", {
          type: "button", className: "secondary use-answer", text: C.t("cc.use_answer"),
          onclick: () => useAnswer(a.body),
        }),
      ]))));
    const hint = document.getElementById("answers-hint");
    hint.textContent = C.t("cc.no_answers");
    hint.hidden = found.length > 0;
    state.answers = found.map((a) => a.title);
    syncAnswerButtons();
  }

  /** "Use as the answer" fills the answer of the selected inquiry, while it waits for one. */
  function answerable() {
    return Boolean(selected && OPEN.includes(selected.status) && C.may("PATCH", PATCH_ROUTE));
  }

  function syncAnswerButtons() {
    document.querySelectorAll("#answers .use-answer").forEach((button) => { button.hidden = !answerable(); });
  }

  function useAnswer(body) {
    if (!answerable()) return;
    const box = document.getElementById("answer-form").elements.namedItem("answer");
    box.value = body;
    box.focus();
  }

  // ---- checkpoint queues ---------------------------------------------------------------------

  function waiting(c, direction) {
    const n = c.vehicles_waiting[direction];
    const wait = c.estimated_wait_min[direction];
    return C.el("td", {}, [
      C.el("strong", { text: C.formatNumber(n || 0) }),
      wait === null || wait === undefined ? null : C.el("span", { className: "hint", text: " · " + C.formatMinutes(wait) }),
    ]);
  }

  async function loadQueues() {
    const note = document.getElementById("queues-note");
    let checkpoints;
    try {
      checkpoints = await C.api("/api/v1/public/checkpoints");
    } catch (error) {
      if (!(error instanceof C.ApiError) || error.status !== 429) throw error;
      note.textContent = C.t("cc.queues_rate_limited");
      note.hidden = false;
      return;
    }
    note.hidden = true;
    const chosen = field("checkpoint").value;
    C.replaceChildren(document.getElementById("queues"), checkpoints.map((c) => C.el("tr", {
      dataset: { checkpoint: c.code }, className: c.code === chosen ? "selected" : null,
    }, [
      C.el("td", {}, [
        C.el("strong", { text: c.name[lang()] || c.name.en || c.code }), " ",
        C.el("span", { className: "chip " + (c.open ? "open-now" : "closed-now"), text: C.t(c.open ? "checkpoint.open" : "checkpoint.closed") }),
      ]),
      waiting(c, "inbound"),
      waiting(c, "outbound"),
    ])));
    document.getElementById("queues-updated").textContent = C.t("desk.updated", { time: C.formatTime(new Date().toISOString()) });
    state.queues = checkpoints.length;
  }

  function markChosenCheckpoint() {
    const chosen = field("checkpoint").value;
    document.querySelectorAll("#queues tr").forEach((row) => row.classList.toggle("selected", row.dataset.checkpoint === chosen));
  }

  // ---- the inquiry form ----------------------------------------------------------------------

  function draft() {
    const value = (name) => field(name).value.trim();
    const optional = (name) => value(name) || null;
    return {
      channel: value("channel"), caller_name: value("caller_name"), caller_phone: optional("caller_phone"),
      language: value("language"), topic: value("topic"), text: value("text"), plate: optional("plate"),
      // Declaration numbers are written in capitals (the look-ups read them so too).
      declaration_number: value("declaration_number").toUpperCase() || null, checkpoint: optional("checkpoint"),
    };
  }

  async function record(event) {
    event.preventDefault();
    const result = document.getElementById("form-result");
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    let inquiry;
    try {
      inquiry = await C.api(CREATE_ROUTE, { method: "POST", body: draft() });
    } catch (error) {
      const wrong = error instanceof C.ApiError && error.field ? field(error.field) : null;
      if (wrong) wrong.setAttribute("aria-invalid", "true");
      result.textContent = error instanceof C.ApiError ? C.t("error.api", { message: error.message }) : "";
      throw error;
    }
    result.textContent = C.t("cc.recorded", { id: inquiry.id });
    // The next caller starts afresh; the channel and language usually stay. The look-ups and answers stay
    // beside the inquiry just recorded, which is selected for answering.
    const keep = { channel: field("channel").value, language: field("language").value };
    form.reset();
    field("channel").value = keep.channel;
    field("language").value = keep.language;
    markChosenCheckpoint();
    await loadInquiries();
    show(inquiry);
  }

  function bindForm() {
    form.addEventListener("submit", (event) => record(event).catch(C.failed));
    field("plate").addEventListener("input", later(() => lookUpPlate(field("plate").value)));
    field("declaration_number").addEventListener("input", later(() => lookUpDeclaration(field("declaration_number").value)));
    const answers = later(() => findAnswers(field("text").value, field("language").value, field("topic").value));
    field("text").addEventListener("input", answers);
    field("language").addEventListener("change", answers);
    field("topic").addEventListener("change", answers);
    field("checkpoint").addEventListener("change", markChosenCheckpoint);
    field("language").value = lang();
  }

  // ---- the inquiries -------------------------------------------------------------------------

  function byDueTime(a, b) { return a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id - b.id; }

  /** The inquiries to list: with no status chosen, the open ones (most urgent first), then the recent others. */
  async function fetchInquiries() {
    const status = document.getElementById("inquiry-status").value;
    const q = document.getElementById("inquiry-search").value.trim();
    const ask = (params) => {
      const query = new URLSearchParams(params);
      if (q) query.set("q", q);
      return C.api("/api/v1/inquiries?" + query);
    };
    if (status) {
      const page = await ask({ status, limit: String(LIST_LIMIT) });
      return { items: page.items, overdue: page.overdue_total };
    }
    const [fresh, working, recent] = await Promise.all([
      ask({ status: "new", limit: String(LIST_LIMIT) }),
      ask({ status: "in_progress", limit: String(LIST_LIMIT) }),
      ask({ limit: String(RECENT_LIMIT) }),
    ]);
    const open = fresh.items.concat(working.items).sort(byDueTime);
    const done = recent.items.filter((i) => !OPEN.includes(i.status));
    return { items: open.concat(done), overdue: recent.overdue_total };
  }

  async function loadInquiries() {
    const ticket = ++asked.list;
    const { items, overdue } = await fetchInquiries();
    if (ticket !== asked.list) return;
    C.replaceChildren(document.getElementById("inquiries"), items.map((i) => C.el("tr", {
      className: ["pick", i.overdue ? "overdue" : "", selected && selected.id === i.id ? "selected" : ""].join(" ").trim(),
      dataset: { inquiry: i.id, status: i.status },
      onclick: () => select(i.id).catch(C.failed),
    }, [
      C.el("td", { text: String(i.id) }),
      C.el("td", { text: C.formatTime(i.created_at) }),
      C.el("td", {}, [
        C.el("strong", { text: i.caller_name }),
        C.el("span", { className: "snippet", text: [C.t("inquiry_channel." + i.channel, null, i.channel), i.caller_phone].filter(Boolean).join(" · ") }),
      ]),
      C.el("td", {}, [topicName(i.topic), C.el("span", { className: "snippet", text: i.text })]),
      C.el("td", {}, [statusChip(i.status), i.assigned_to ? C.el("span", { className: "snippet", text: i.assigned_to }) : null]),
      C.el("td", {}, [C.formatTime(i.due_at), i.overdue ? " " : null, i.overdue ? overdueChip() : null]),
    ])));
    document.getElementById("inquiries-empty").hidden = items.length > 0;
    document.getElementById("inquiry-count").textContent = C.t("cc.count", { n: items.length });
    const badge = document.getElementById("cc-overdue");
    badge.textContent = C.t("cc.overdue_n", { n: overdue });
    badge.hidden = overdue === 0;
    state.inquiries = items.length;
    state.overdue = overdue;
    state.listLoads += 1;
  }

  // ---- the selected inquiry ------------------------------------------------------------------

  async function select(id) {
    show(await C.api("/api/v1/inquiries/" + id));
    // What the inquiry is about, beside it: its vehicle, its declaration, the answers in its language.
    await Promise.all([
      lookUpPlate(selected.plate || ""), lookUpDeclaration(selected.declaration_number || ""),
      findAnswers(selected.text, selected.language, selected.topic),
    ]);
  }

  function show(inquiry) {
    selected = inquiry;
    document.getElementById("inquiry-hint").hidden = true;
    document.getElementById("inquiry-card").hidden = false;
    C.replaceChildren(document.getElementById("inquiry-title"), [
      C.t("cc.inquiry_n", { id: inquiry.id }), " ", statusChip(inquiry.status),
      inquiry.overdue ? " " : null, inquiry.overdue ? overdueChip() : null,
    ]);
    const facts = document.getElementById("inquiry-facts");
    C.replaceChildren(facts, []);
    fact(facts, "cc.received", `${C.formatTime(inquiry.created_at)} · ${C.t("inquiry_channel." + inquiry.channel, null, inquiry.channel)}`);
    fact(facts, "cc.caller", [inquiry.caller_name, inquiry.caller_phone].filter(Boolean).join(" · "));
    fact(facts, "cc.language", C.t("language." + inquiry.language, null, inquiry.language));
    fact(facts, "cc.topic", topicName(inquiry.topic));
    if (inquiry.plate) fact(facts, "cc.plate", inquiry.plate);
    if (inquiry.declaration_number) fact(facts, "cc.declaration", inquiry.declaration_number);
    if (inquiry.checkpoint) fact(facts, "cc.checkpoint", inquiry.checkpoint);
    fact(facts, "cc.due", `${C.formatTime(inquiry.due_at)} · ${C.t("sla." + inquiry.sla, null, inquiry.sla)}`);
    fact(facts, "cc.agent", inquiry.assigned_to);
    if (inquiry.answered_at) fact(facts, "cc.answered_at", C.formatTime(inquiry.answered_at));
    if (inquiry.closed_at) fact(facts, "cc.closed_at", C.formatTime(inquiry.closed_at));
    document.getElementById("inquiry-text").textContent = inquiry.text;
    document.getElementById("inquiry-answer-box").hidden = !inquiry.answer;
    document.getElementById("inquiry-answer").textContent = inquiry.answer || "";

    // What may be done next: an open inquiry is taken and answered, an answered one closed; notes until closed.
    const open = OPEN.includes(inquiry.status);
    document.getElementById("assign-me").hidden = inquiry.status === "closed" || Boolean(me && inquiry.assigned_to === me.name);
    document.getElementById("close-inquiry").hidden = inquiry.status !== "answered";
    const answerForm = document.getElementById("answer-form");
    answerForm.hidden = !open;
    answerForm.reset();
    document.getElementById("note-form").hidden = inquiry.status === "closed";
    document.getElementById("note-form").reset();

    C.replaceChildren(document.getElementById("inquiry-notes"), inquiry.notes.length
      ? inquiry.notes.map((n) => C.el("li", {}, [
        C.el("span", { className: "hint", text: C.t("cc.note_by", { time: C.formatTime(n.at), author: n.author }) }),
        C.el("div", { className: "long-text", text: n.text }),
      ]))
      : C.el("li", { className: "hint", text: C.t("cc.no_notes") }));
    document.querySelectorAll("#inquiries tr").forEach((row) => row.classList.toggle("selected", Number(row.dataset.inquiry) === inquiry.id));
    state.selected = { id: inquiry.id, status: inquiry.status, notes: inquiry.notes.length, assigned_to: inquiry.assigned_to };
    syncAnswerButtons();
  }

  async function change(body) {
    const id = selected.id;
    const buttons = document.querySelectorAll(".inquiry-actions button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      show(await C.api("/api/v1/inquiries/" + id, { method: "PATCH", body }));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
    await loadInquiries();
  }

  function bindActions() {
    document.getElementById("assign-me").addEventListener("click", () => {
      const body = { assigned_to: me.name };
      if (selected.status === "new") body.status = "in_progress";
      change(body).catch(C.failed);
    });
    document.getElementById("close-inquiry").addEventListener("click", () => change({ status: "closed" }).catch(C.failed));
    document.getElementById("answer-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = event.target.elements.namedItem("answer").value.trim();
      if (answer) change({ answer, status: "answered" }).catch(C.failed);
    });
    document.getElementById("note-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const note = event.target.elements.namedItem("note").value.trim();
      if (note) change({ note }).catch(C.failed);
    });
    document.getElementById("inquiry-status").addEventListener("change", () => loadInquiries().catch(C.failed));
    document.getElementById("inquiry-search").addEventListener("input", later(loadInquiries));
  }

  C.page(async (who) => {
    me = who;
    bindForm();
    bindActions();
    // The topics name the inquiries in the list: they come first.
    await Promise.all([loadTopics(), loadCheckpoints()]).catch(C.failed);
    await Promise.all([loadInquiries(), loadQueues()]).catch(C.failed);
    state.ready = true;
    setInterval(() => loadInquiries().catch(C.failed), REFRESH_MS);
    setInterval(() => loadQueues().catch(C.failed), QUEUES_REFRESH_MS);
  });
})();
