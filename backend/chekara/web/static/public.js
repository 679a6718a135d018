// The public page: the road checkpoints' queues and a declaration's status, for anyone, without a token.
// It has no sign-in, so it cannot use chekara.js: its few helpers (C.t, C.el) are the same, kept small here.
// /api/v1/public answers 60 requests a minute per address: the checkpoints are asked once a minute at most.
(function () {
  "use strict";
  const LANG_KEY = "chekara.lang"; // one language choice per browser, shared with the staff pages
  const LANGUAGES = ["ru", "ky", "en"];
  // Kyrgyz strings fall back to Russian, then English (as on the staff pages).
  const FALLBACKS = { ky: ["ky", "ru", "en"], ru: ["ru", "en"], en: ["en"] };
  const LOCALES = { ru: "ru-RU", ky: "ky-KG", en: "en-GB" };
  const TIME_ZONE = "Asia/Bishkek";
  const REFRESH_S = 60;
  const DECLARATION_NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/;
  const BORDER_ORDER = { eaeu: 0, external: 1, inland: 2 };
  // What the page shows (read by the browser tests).
  const state = { lang: null, loaded: false, loads: 0, checkpoints: 0, lookups: 0, answer: null };
  window.chekaraPublic = state;

  let dictionaries = [];
  let checkpoints = null; // the last answer, redrawn when the language changes
  let declaration = null; // the last look-up's outcome, likewise
  let lastAsked = 0; // when the checkpoints were last asked for, ms
  let loading = false;

  // ---- language ------------------------------------------------------------------------------

  function chosenLanguage() {
    const stored = localStorage.getItem(LANG_KEY);
    return LANGUAGES.includes(stored) ? stored : "ru"; // Russian unless the visitor chose otherwise
  }

  async function loadLanguage(lang) {
    dictionaries = await Promise.all(FALLBACKS[lang].map((code) => fetch(`/static/app/i18n-${code}.json`).then((r) => r.json())));
    document.documentElement.lang = lang;
    state.lang = lang;
  }

  /** The interface string for key in the chosen language, with {name} replaced from params. */
  function t(key, params) {
    let text = key;
    for (const dictionary of dictionaries) {
      if (Object.prototype.hasOwnProperty.call(dictionary, key)) { text = dictionary[key]; break; }
    }
    return String(text).replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
  }

  /** A DOM element: attrs.text becomes its text (never HTML), children are nodes or text. */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const C = { t, el };

  function translateStatic() {
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = C.t(node.dataset.i18n); });
  }

  function formatTime(when) {
    return new Intl.DateTimeFormat(LOCALES[state.lang], { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(when);
  }

  function formatMinutes(minutes) {
    if (minutes > 0 && minutes < 0.5) return C.t("unit.under_a_minute");
    const total = Math.round(minutes);
    return total < 60 ? C.t("unit.min", { n: total }) : C.t("unit.h_min", { h: Math.floor(total / 60), m: total % 60 });
  }

  // ---- asking the public API -----------------------------------------------------------------

  /** GET a public route, no token: {status, body}; a network failure reads as status 0. */
  async function ask(path) {
    try {
      const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "omit" });
      return { status: response.status, body: await response.json().catch(() => null) };
    } catch (error) {
      return { status: 0, body: null };
    }
  }

  /** The banner above the page: too many requests, or the service unreachable; hidden when all is well. */
  function banner(status) {
    const node = document.getElementById("public-message");
    const key = status === 429 ? "public.too_many" : status === 0 || status >= 500 ? "public.unavailable" : null;
    node.textContent = key ? C.t(key) : "";
    node.dataset.key = key || "";
    node.hidden = !key;
  }

  // ---- road checkpoints ----------------------------------------------------------------------

  function name(c) { return c.name[state.lang] || c.name.ru || c.code; }

  /** One direction of a checkpoint: how many vehicles wait (big, on the right) and about how long. */
  function direction(c, which, labelKey) {
    const wait = c.estimated_wait_min[which];
    return C.el("div", { className: "direction", dataset: { direction: which } }, [
      C.el("span", { className: "direction-name", text: C.t(labelKey) }),
      C.el("span", { className: "direction-count" }, [
        C.el("strong", { text: String(c.vehicles_waiting[which] || 0) }),
        C.el("small", { text: C.t("public.waiting") }),
      ]),
      C.el("span", { className: "hint", text: wait === null || wait === undefined ? C.t("public.no_estimate") : C.t("public.wait", { wait: formatMinutes(wait) }) }),
    ]);
  }

  function drawCheckpoints() {
    if (!checkpoints) return;
    const sorted = checkpoints.slice().sort((a, b) =>
      (BORDER_ORDER[a.border_kind] ?? 9) - (BORDER_ORDER[b.border_kind] ?? 9) || name(a).localeCompare(name(b), LOCALES[state.lang]));
    document.getElementById("checkpoints").replaceChildren(...sorted.map((c) => C.el("article", {
      className: "card checkpoint-card" + (c.open ? "" : " is-closed"), dataset: { code: c.code, open: String(c.open) },
    }, [
      C.el("h3", {}, [
        C.el("span", { text: name(c) }), " ",
        C.el("span", { className: "chip " + (c.open ? "open-now" : "closed-now"), text: C.t(c.open ? "checkpoint.open" : "checkpoint.closed") }),
      ]),
      C.el("p", { className: "hint", text: [
        c.country ? C.t("border_country." + c.country) : C.t("border_kind." + c.border_kind),
        C.t("public.hours", { hours: c.opening_hours === "24/7" ? C.t("public.round_the_clock") : c.opening_hours }),
      ].join(" · ") }),
      direction(c, "inbound", "queues.inbound"),
      direction(c, "outbound", "queues.outbound"),
    ])));
  }

  function tick() {
    const left = Math.ceil((lastAsked + REFRESH_S * 1000 - Date.now()) / 1000);
    if (left <= 0 && !loading && document.visibilityState === "visible") {
      loadCheckpoints();
      return;
    }
    document.getElementById("refresh").disabled = loading || left > 0;
    const parts = [];
    if (state.loaded) parts.push(C.t("public.updated", { time: formatTime(new Date(state.updatedAt)) }));
    if (left > 0) parts.push(C.t("public.next_update", { n: left }));
    document.getElementById("updated").textContent = parts.join(" · ");
  }

  async function loadCheckpoints() {
    loading = true;
    lastAsked = Date.now(); // a refused or failed request waits its minute too
    tick();
    const answer = await ask("/api/v1/public/checkpoints");
    loading = false;
    banner(answer.status === 200 ? null : answer.status);
    if (answer.status === 200) {
      checkpoints = answer.body;
      state.updatedAt = Date.now();
      drawCheckpoints();
      state.loaded = true;
      state.checkpoints = checkpoints.length;
    }
    state.loads += 1;
    tick();
  }

  // ---- a declaration's status ----------------------------------------------------------------

  function drawDeclaration() {
    const node = document.getElementById("declaration-result");
    node.hidden = !declaration;
    if (!declaration) return;
    node.className = "declaration-result " + declaration.outcome;
    if (declaration.outcome === "status") {
      node.replaceChildren(
        C.t("public.declaration_is", { number: declaration.number }), " ",
        C.el("strong", { className: "status-word", text: C.t("public_status." + declaration.status) }),
      );
    } else {
      node.textContent = C.t({
        not_found: "public.not_found", invalid: "public.invalid_number", too_many: "public.too_many",
      }[declaration.outcome] || "public.unavailable", { number: declaration.number });
    }
  }

  async function lookUp(event) {
    event.preventDefault();
    const input = document.getElementById("declaration-number");
    const number = input.value.trim().toUpperCase();
    const button = event.target.querySelector("button");
    if (!DECLARATION_NUMBER.test(number)) {
      declaration = { number, outcome: "invalid" };
    } else {
      button.disabled = true;
      const answer = await ask("/api/v1/public/declarations/" + encodeURIComponent(number));
      button.disabled = false;
      if (answer.status === 200) declaration = { number: answer.body.number, outcome: "status", status: answer.body.status };
      else if (answer.status === 404) declaration = { number, outcome: "not_found" };
      else if (answer.status === 422) declaration = { number, outcome: "invalid" };
      else if (answer.status === 429) declaration = { number, outcome: "too_many" };
      else declaration = { number, outcome: "unavailable" };
      banner(answer.status === 429 || answer.status === 0 || answer.status >= 500 ? answer.status : null);
      state.lookups += 1;
    }
    state.answer = declaration.outcome === "status" ? declaration.status : declaration.outcome;
    drawDeclaration();
  }

  // ---- start ---------------------------------------------------------------------------------

  async function switchLanguage(lang) {
    localStorage.setItem(LANG_KEY, lang);
    await loadLanguage(lang);
    // Redrawn from what the page already has: a language change asks the API nothing.
    translateStatic();
    drawCheckpoints();
    drawDeclaration();
    const shown = document.getElementById("public-message");
    if (!shown.hidden && shown.dataset.key) shown.textContent = C.t(shown.dataset.key);
    tick();
  }

  const ready = loadLanguage(chosenLanguage());
  document.addEventListener("DOMContentLoaded", async () => {
    await ready;
    translateStatic();
    const select = document.getElementById("language");
    select.value = state.lang;
    select.addEventListener("change", () => switchLanguage(select.value));
    document.getElementById("declaration-form").addEventListener("submit", lookUp);
    document.getElementById("refresh").addEventListener("click", () => { if (!loading) loadCheckpoints(); });
    await loadCheckpoints();
    setInterval(tick, 1000);
  });
})();
