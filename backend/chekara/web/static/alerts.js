// An alert as a list item, with the actions the signed-in role may take: acknowledge, resolve with a note.
// Used by the situation map's alert panel and the trip review.
(function () {
  "use strict";
  const C = window.Chekara;
  const ACK = "/api/v1/alerts/{alert_id}/ack";
  const RESOLVE = "/api/v1/alerts/{alert_id}/resolve";

  function typeName(type) {
    return C.t("alert_type." + type, null, type.replace(/_/g, " "));
  }

  /** Where the alert is looked into: its trip, else its checkpoint's desk. */
  function href(alert) {
    if (alert.trip_id) return "/trips/" + alert.trip_id;
    if (alert.checkpoint) return "/checkpoints/" + encodeURIComponent(alert.checkpoint);
    return null;
  }

  function subject(alert) {
    return [
      alert.trip_id ? C.t("alerts.trip_n", { id: alert.trip_id }) : null,
      alert.declaration_number, alert.checkpoint, alert.device_id,
    ].filter(Boolean).join(" · ");
  }

  async function act(route, alert, note, onChange) {
    try {
      onChange(await C.api(route.replace("{alert_id}", alert.id), { method: "POST", body: { note: note || "" } }));
    } catch (error) {
      C.failed(error);
    }
  }

  function resolveForm(alert, onChange) {
    const note = C.el("input", { type: "text", maxlength: "2000", placeholder: C.t("alerts.note"), "aria-label": C.t("alerts.note") });
    const form = C.el("form", { className: "resolve-form", hidden: true }, [
      note, C.el("button", { type: "submit", text: C.t("alerts.resolve_confirm") }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(RESOLVE, alert, note.value, onChange);
    });
    return form;
  }

  /**
   * options.onChange(alert): the alert after an action; options.resolve: offer resolving;
   * options.fresh: it just arrived on the stream; options.onSelect(alert): clicking the item;
   * options.link: false where the page already is the alert's trip.
   */
  function item(alert, options) {
    const opts = options || {};
    const link = href(alert);
    const actions = C.el("div", { className: "actions" });
    const severity = alert.severity || "medium";
    const li = C.el("li", {
      className: `alert status-${alert.status} severity-${severity}${opts.fresh ? " fresh" : ""}`,
      dataset: { alertId: alert.id, type: alert.type, tripId: alert.trip_id || "", severity, corridor: alert.corridor || "" },
    }, [
      C.el("div", { className: "alert-head" }, [
        C.el("span", { className: `chip severity ${severity}`, text: C.t("severity." + severity, null, severity) }),
        C.el("strong", { className: "alert-type", text: typeName(alert.type) }),
        C.el("span", { className: `chip status ${alert.status}`, text: C.t("alert_status." + alert.status, null, alert.status) }),
      ]),
      C.el("div", { className: "alert-meta" }, [
        C.el("time", { datetime: alert.raised_at, text: C.formatTime(alert.raised_at) }),
        " ", subject(alert),
      ]),
      actions,
    ]);
    if (link && opts.link !== false) actions.appendChild(C.el("a", { className: "open", href: link, text: alert.trip_id ? C.t("alerts.open_trip") : C.t("alerts.open_checkpoint") }));
    if (alert.status === "open" && C.may("POST", ACK)) {
      actions.appendChild(C.el("button", {
        type: "button", className: "ack", text: C.t("alerts.acknowledge"),
        onclick: (event) => { event.stopPropagation(); act(ACK, alert, "", opts.onChange); },
      }));
    }
    if (opts.resolve && alert.status !== "resolved" && C.may("POST", RESOLVE)) {
      const form = resolveForm(alert, opts.onChange);
      actions.appendChild(C.el("button", {
        type: "button", className: "resolve", text: C.t("alerts.resolve"),
        onclick: (event) => { event.stopPropagation(); form.hidden = !form.hidden; },
      }));
      li.appendChild(form);
    }
    li.addEventListener("click", (event) => {
      if (event.target.closest("button, a, input, form")) return;
      if (opts.onSelect) opts.onSelect(alert);
      else if (link) location.href = link;
    });
    return li;
  }

  /** Newest first: by when the situation began, then by id. */
  function newestFirst(a, b) {
    return Date.parse(b.raised_at) - Date.parse(a.raised_at) || b.id - a.id;
  }

  const SEVERITY_RANK = { high: 0, medium: 1, low: 2 };

  /** Most urgent first, then newest (the API's sort=severity). */
  function mostUrgentFirst(a, b) {
    return (SEVERITY_RANK[a.severity] ?? 1) - (SEVERITY_RANK[b.severity] ?? 1) || newestFirst(a, b);
  }

  window.ChekaraAlerts = { item, typeName, href, newestFirst, mostUrgentFirst };
})();
