// Shared by every page: the token, the API, the interface language, what the role may do, DOM helpers.
// Data from the API is only ever put on the page as text (textContent), never as HTML.
(function () {
  "use strict";
  const TOKEN_KEY = "chekara.token";
  const LANG_KEY = "chekara.lang";
  const LANGUAGES = ["ru", "ky", "en"];
  // Kyrgyz strings fall back to Russian (every officer reads it), then English.
  const FALLBACKS = { ky: ["ky", "ru", "en"], ru: ["ru", "en"], en: ["en"] };
  const LOCALES = { ru: "ru-RU", ky: "ky-KG", en: "en-GB" };
  // Times are stored in UTC and shown as the situation center lives them.
  const TIME_ZONE = "Asia/Bishkek";

  const config = JSON.parse(document.getElementById("chekara-config").textContent);
  let dictionaries = [];
  let me = null;
  let startPage = null;

  function language() {
    const stored = localStorage.getItem(LANG_KEY);
    if (LANGUAGES.includes(stored)) return stored;
    for (const wanted of navigator.languages || []) {
      const code = wanted.slice(0, 2).toLowerCase();
      if (LANGUAGES.includes(code)) return code;
    }
    return "ru";
  }

  async function loadLanguage(lang) {
    dictionaries = await Promise.all(
      FALLBACKS[lang].map((code) => fetch(`/static/app/i18n-${code}.json`).then((r) => r.json()))
    );
    document.documentElement.lang = lang;
  }

  /** The interface string for key in the chosen language, with {name} replaced from params. */
  function t(key, params, fallback) {
    let text = null;
    for (const dictionary of dictionaries) {
      if (Object.prototype.hasOwnProperty.call(dictionary, key)) { text = dictionary[key]; break; }
    }
    if (text === null) text = fallback !== undefined ? fallback : key;
    return String(text).replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
  }

  function translateStatic(root) {
    root.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    root.querySelectorAll("[data-i18n-placeholder]").forEach((node) => { node.placeholder = t(node.dataset.i18nPlaceholder); });
    root.querySelectorAll("[data-i18n-title]").forEach((node) => { node.title = t(node.dataset.i18nTitle); });
  }

  class ApiError extends Error {
    constructor(status, message, field) {
      super(message);
      this.status = status;
      this.field = field;
    }
  }

  /** Call the API with the stored token; resolves to the JSON answer, rejects with an ApiError. */
  async function api(path, options) {
    const opts = options || {};
    const init = { method: opts.method || "GET", headers: { Authorization: "Bearer " + localStorage.getItem(TOKEN_KEY) } };
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    const response = await fetch(path, init);
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body && body.error ? body.error : {};
      throw new ApiError(response.status, error.message || response.statusText, error.field);
    }
    return body;
  }

  const STREAM_RETRY_MS = 2000;
  const STREAM_RETRY_MAX_MS = 30000;

  /**
   * Open the event stream and keep it open: handlers maps event names to listeners, onState(live) is
   * told when it opens and when it drops. EventSource sends no Authorization header and a token in a
   * URL ends up in logs, so each connection is opened with a single-use ticket asked for with the
   * token; after a drop the spent ticket is useless, so the page reconnects itself with a fresh one.
   */
  function openStream(handlers, onState) {
    let source = null;
    let timer = null;
    let closed = false;
    let delay = STREAM_RETRY_MS;
    const report = (live) => { if (onState) onState(live); };

    function retry() {
      report(false);
      clearTimeout(timer);
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, STREAM_RETRY_MAX_MS);
    }

    async function connect() {
      if (closed) return;
      let ticket;
      try {
        ticket = (await api("/api/v1/stream/ticket", { method: "POST" })).ticket;
      } catch (error) {
        retry();
        return;
      }
      if (closed) return;
      source = new EventSource("/api/v1/stream?ticket=" + encodeURIComponent(ticket));
      source.addEventListener("open", () => { delay = STREAM_RETRY_MS; report(true); });
      source.addEventListener("error", () => {
        // EventSource would retry with the spent ticket and be refused: start over instead.
        source.close();
        retry();
      });
      for (const [name, listener] of Object.entries(handlers)) source.addEventListener(name, listener);
    }

    function close() {
      closed = true;
      clearTimeout(timer);
      if (source) source.close();
    }

    window.addEventListener("pagehide", close);
    connect();
    return { close };
  }

  /** May the signed-in role call this route? route is FastAPI's template, e.g. "/api/v1/alerts/{alert_id}/ack". */
  function may(method, route) {
    const roles = config.permissions[method + " " + route];
    return Boolean(me && roles && roles.includes(me.role));
  }

  /** A DOM element: attrs.text becomes its text, on* attributes become listeners, children are nodes or text. */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Text for Leaflet tooltips: Leaflet puts a string in as HTML, an element as it is. */
  function text(value) {
    return el("span", { text: value });
  }

  function replaceChildren(node, children) {
    node.replaceChildren(...[].concat(children || []).filter((c) => c !== null && c !== undefined && c !== false));
  }

  function locale() { return LOCALES[document.documentElement.lang] || "en-GB"; }

  /** A UTC time from the API as Bishkek time: "14:05" today, "12 Jan, 14:05" otherwise. */
  function formatTime(iso, style) {
    if (!iso) return "—";
    const when = new Date(iso);
    const options = { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (style === "seconds") options.second = "2-digit";
    const sameDay = new Date().toLocaleDateString("en-CA", { timeZone: TIME_ZONE }) === when.toLocaleDateString("en-CA", { timeZone: TIME_ZONE });
    if (style === "date" || !sameDay) { options.day = "numeric"; options.month = "short"; }
    return new Intl.DateTimeFormat(locale(), options).format(when);
  }

  function formatNumber(value, digits) {
    if (value === null || value === undefined) return "—";
    return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits === undefined ? 0 : digits }).format(value);
  }

  function formatMinutes(minutes) {
    if (minutes === null || minutes === undefined) return "—";
    if (minutes > 0 && minutes < 0.5) return t("unit.under_a_minute");
    const total = Math.round(minutes);
    return total < 60 ? t("unit.min", { n: total }) : t("unit.h_min", { h: Math.floor(total / 60), m: total % 60 });
  }

  function status(text, kind) {
    const node = document.getElementById("status");
    node.textContent = text || "";
    node.className = kind || "";
    node.hidden = !text;
  }

  /** Report a failed API call on the status line (the page goes on with what it has); a bug in a page goes to the console too. */
  function failed(error) {
    if (!(error instanceof ApiError)) {
      console.error(error);
      status(String(error), "error");
      return;
    }
    status(t("error.api", { message: error.message }), "error");
  }

  /** Register the page's start(me): called once signed in with a staff token. */
  function page(start) { startPage = start; }

  function showSignIn(message) {
    document.getElementById("sign-in-panel").hidden = false;
    document.getElementById("who").hidden = true;
    document.getElementById("sign-out").hidden = true;
    status(message || t("auth.prompt"), message ? "error" : "");
  }

  async function signedIn(asked) {
    let who;
    try {
      who = await (asked || api("/api/v1/me"));
    } catch (error) {
      localStorage.removeItem(TOKEN_KEY);
      showSignIn(error.message);
      return;
    }
    if (who.role === "device") {
      // Device tokens post readings; pages are for people.
      localStorage.removeItem(TOKEN_KEY);
      showSignIn(t("auth.device_token"));
      return;
    }
    me = who;
    document.getElementById("sign-in-panel").hidden = true;
    const badge = document.getElementById("who");
    badge.textContent = t("auth.signed_in_as", { name: who.name, role: t("role." + who.role, null, who.role) });
    badge.hidden = false;
    document.getElementById("sign-out").hidden = false;
    document.querySelectorAll("[data-needs]").forEach((node) => {
      const [method, route] = node.dataset.needs.split(" ");
      node.hidden = !may(method, route);
    });
    const [method, route] = config.needs.split(" ");
    if (!may(method, route)) {
      status(t("auth.not_for_role", { role: t("role." + who.role, null, who.role) }), "error");
      return;
    }
    status("");
    if (startPage) startPage(who);
  }

  function bindChrome() {
    const select = document.getElementById("language");
    select.value = document.documentElement.lang;
    select.addEventListener("change", () => {
      localStorage.setItem(LANG_KEY, select.value);
      // Every string is drawn once from the dictionary; a language change is rare, so the page is simply redrawn.
      location.reload();
    });
    document.getElementById("sign-in").addEventListener("submit", (event) => {
      event.preventDefault();
      const field = document.getElementById("token");
      localStorage.setItem(TOKEN_KEY, field.value.trim());
      field.value = "";
      signedIn();
    });
    document.getElementById("sign-out").addEventListener("click", () => {
      localStorage.removeItem(TOKEN_KEY);
      location.reload();
    });
  }

  /** A file from the API (CSV, GeoPackage…), fetched with the token and handed to the browser to save. */
  async function download(path) {
    const response = await fetch(path, { headers: { Authorization: "Bearer " + localStorage.getItem(TOKEN_KEY) } });
    if (!response.ok) throw new ApiError(response.status, response.statusText);
    const disposition = response.headers.get("Content-Disposition") || "";
    const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "chekara-export";
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  const ready = loadLanguage(language()).then(() => {
    translateStatic(document);
    bindChrome();
  });
  // Asked at once, beside the dictionaries: one round trip less before the page has its data.
  const asked = localStorage.getItem(TOKEN_KEY) ? api("/api/v1/me") : null;
  if (asked) asked.catch(() => {}); // handled in signedIn

  document.addEventListener("DOMContentLoaded", () => {
    ready.then(() => {
      if (asked) signedIn(asked);
      else showSignIn();
    });
  });

  window.Chekara = {
    config, ready, t, api, may, el, text, replaceChildren, formatTime, formatNumber, formatMinutes, status, failed, page,
    ApiError, translateStatic, TOKEN_KEY, openStream, download,
    token: () => localStorage.getItem(TOKEN_KEY),
    me: () => me,
  };
})();
