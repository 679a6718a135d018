// The supervisor's shift report: the window (the last 12 hours unless chosen), figures by severity,
// who did what, the alerts the next shift inherits, and every event; CSV and print.
(function () {
  "use strict";
  const C = window.Chekara;
  const A = window.ChekaraAlerts;
  const SHIFT_HOURS = 12;
  const ROUTE = "/api/v1/reports/alerts";
  const FIGURES = ["raised", "acknowledged", "resolved", "still_open"];

  const state = { report: null };
  window.chekaraShift = state;

  /** A datetime-local value (the browser's wall clock) for an instant, and back. */
  const toLocalInput = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const fromLocalInput = (value) => new Date(value).toISOString();

  function windowQuery() {
    return new URLSearchParams({ from: fromLocalInput(document.getElementById("shift-from").value),
      to: fromLocalInput(document.getElementById("shift-to").value) });
  }

  const severityChip = (severity) => C.el("span", { className: `chip severity ${severity}`, text: C.t("severity." + severity, null, severity) });
  const subject = (a) => [a.trip_id ? C.t("alerts.trip_n", { id: a.trip_id }) : null, a.declaration_number, a.corridor, a.checkpoint]
    .filter(Boolean).join(" · ");

  function show(report) {
    state.report = report;
    document.getElementById("shift-period").textContent = `${C.formatTime(report.from)} — ${C.formatTime(report.to)}`;
    C.replaceChildren(document.getElementById("shift-figures"), FIGURES.map((name) => C.el("div", { className: "figure", dataset: { figure: name } }, [
      C.el("span", { className: "value", text: C.formatNumber(report.totals[name]) }), C.t("shift." + name),
    ])));
    C.replaceChildren(document.getElementById("shift-by-severity"), Object.entries(report.by_severity).map(([severity, f]) => C.el("tr", {}, [
      C.el("td", {}, severityChip(severity)), ...FIGURES.map((name) => C.el("td", { text: C.formatNumber(f[name]) })),
    ])));
    C.replaceChildren(document.getElementById("shift-people"), report.people.map((p) => C.el("tr", { dataset: { by: p.by } }, [
      C.el("td", { text: p.by }), C.el("td", { text: C.t("role." + p.role, null, p.role) }),
      C.el("td", { text: C.formatNumber(p.acknowledged) }), C.el("td", { text: C.formatNumber(p.resolved) }), C.el("td", { text: C.formatNumber(p.notes) }),
    ])));
    C.replaceChildren(document.getElementById("shift-open"), report.still_open.map((a) => C.el("tr", { dataset: { alertId: a.alert_id } }, [
      C.el("td", {}, severityChip(a.severity)), C.el("td", { text: A.typeName(a.type) }), C.el("td", { text: C.formatTime(a.raised_at) }),
      C.el("td", { text: C.t("alert_status." + a.status, null, a.status) }), C.el("td", { text: subject(a) }),
    ])));
    C.replaceChildren(document.getElementById("shift-activity"), report.activity.map((a) => C.el("tr", { dataset: { action: a.action } }, [
      C.el("td", { text: C.formatTime(a.at, "seconds") }),
      C.el("td", {}, [severityChip(a.severity), " ", A.typeName(a.type), C.el("div", { className: "hint", text: subject(a) })]),
      C.el("td", { text: C.t("shift.action." + a.action, null, a.action) }),
      C.el("td", { text: `${a.by} (${C.t("role." + a.role, null, a.role)})` }), C.el("td", { text: a.note }),
    ])));
  }

  async function load() {
    show(await C.api(ROUTE + "?" + windowQuery()));
  }

  C.page(async () => {
    // The inputs hold minutes: the window ends at the next whole minute, so what just happened is in it.
    const to = new Date(Math.ceil(Date.now() / 60000) * 60000);
    document.getElementById("shift-to").value = toLocalInput(to);
    document.getElementById("shift-from").value = toLocalInput(new Date(to.getTime() - SHIFT_HOURS * 3600 * 1000));
    document.getElementById("shift-window").addEventListener("submit", (event) => {
      event.preventDefault();
      load().catch(C.failed);
    });
    document.getElementById("shift-csv").addEventListener("click", () => {
      const params = windowQuery();
      params.set("format", "csv");
      C.download(ROUTE + "?" + params).catch(C.failed);
    });
    document.getElementById("shift-print").addEventListener("click", () => window.print());
    await load().catch(C.failed);
    state.ready = true;
  });
})();
