// The risk desk: declarations by channel and score, riskiest first, each with its hits;
// beside it, how often each rule's red selections were confirmed by inspection (planners, supervisors).
(function () {
  "use strict";
  const C = window.Chekara;
  const R = window.ChekaraRisk;
  const QUEUE_LIMIT = 200;
  const REFRESH_MS = 30000;
  // What the desk shows (read by the browser tests).
  const state = { rows: 0, loaded: false, channel: "" };
  window.chekaraRisk = state;

  async function loadQueue() {
    const channel = document.getElementById("risk-channel").value;
    const params = new URLSearchParams({ limit: String(QUEUE_LIMIT) });
    if (channel) params.set("channel", channel);
    const rows = await C.api("/api/v1/risk/queue?" + params);
    C.replaceChildren(document.getElementById("risk-queue"), rows.map((d) => C.el("tr", { dataset: { declaration: d.declaration_number, channel: d.channel } }, [
      C.el("td", {}, C.el("strong", { text: d.declaration_number })),
      C.el("td", { text: C.t("declaration_kind." + d.kind, null, d.kind) }),
      C.el("td", { text: d.vehicle_plate }),
      C.el("td", {}, C.el("span", { className: "chip " + d.channel, text: C.t("channel." + d.channel, null, d.channel) })),
      C.el("td", {}, R.scoreBar(d.score)),
      C.el("td", {}, R.hitList(d.hits)),
      C.el("td", { text: C.formatTime(d.assessed_at) }),
    ])));
    document.getElementById("risk-empty").hidden = rows.length > 0;
    document.getElementById("risk-count").textContent = C.t("risk.count", { n: rows.length });
    state.rows = rows.length;
    state.channel = channel;
    state.loaded = true;
  }

  async function loadEffectiveness() {
    if (!C.may("GET", "/api/v1/risk/effectiveness")) return;
    const rules = await C.api("/api/v1/risk/effectiveness");
    C.replaceChildren(document.getElementById("risk-effectiveness"), rules.map((r) => C.el("tr", {}, [
      C.el("td", { text: R.ruleName(r.rule) }), C.el("td", { text: C.formatNumber(r.red_selections) }),
      C.el("td", { text: C.formatNumber(r.inspections) }), C.el("td", { text: C.formatNumber(r.found) }),
      C.el("td", { text: r.hit_rate === null ? "—" : `${C.formatNumber(r.hit_rate * 100)} %` }),
    ])));
  }

  C.page(async () => {
    document.getElementById("risk-channel").addEventListener("change", () => loadQueue().catch(C.failed));
    await Promise.all([loadQueue(), loadEffectiveness()]).catch(C.failed);
    setInterval(() => loadQueue().catch(C.failed), REFRESH_MS);
  });
})();
