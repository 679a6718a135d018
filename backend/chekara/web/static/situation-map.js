// The situation map: checkpoints (coloured by border kind, with the vehicles inside), corridors,
// convoys in transit moved by polling the live endpoint every 2 s, and the alert panel fed by the event stream.
(function () {
  "use strict";
  const C = window.Chekara;
  const M = window.ChekaraMap;
  const A = window.ChekaraAlerts;
  const CONVOY_POLL_MS = 2000;
  // Queues are read again when a crossing event arrives; a burst of events makes one request.
  const QUEUE_SETTLE_MS = 1000;
  const QUEUE_ROUTE = "/api/v1/queues";

  const map = M.theMap();
  // What the page shows, kept for redrawing (and read by the browser tests).
  const state = { convoys: new Map(), polls: 0, alerts: new Map(), fresh: new Set(), queues: new Map(), checkpoints: [], announced: [] };
  window.chekaraSituation = state;
  const layers = { corridors: L.layerGroup().addTo(map), checkpoints: L.layerGroup().addTo(map), queues: L.layerGroup().addTo(map), convoys: L.layerGroup().addTo(map) };

  M.loadBasemap(map).catch(C.failed);

  // ---- checkpoints and corridors --------------------------------------------------------------

  function checkpointPopup(p) {
    const queue = state.queues.get(p.code);
    return C.el("div", { className: "popup" }, [
      C.el("strong", { text: M.checkpointName(p) }), C.el("br"),
      C.t("border_kind." + p.border_kind, null, p.border_kind) + (p.country ? " · " + p.country : ""), C.el("br"),
      queue ? C.t("queue.summary", { inside: queue.inside, wait: C.formatMinutes(queue.estimated_wait_min) }) : null,
      queue ? C.el("br") : null,
      C.el("a", { href: "/checkpoints/" + encodeURIComponent(p.code), text: C.t("situation.open_desk") }),
    ]);
  }

  async function loadReference() {
    const [corridors, checkpoints] = await Promise.all([C.api("/api/v1/corridors"), C.api("/api/v1/checkpoints")]);
    layers.corridors.clearLayers();
    for (const f of corridors.features) {
      const line = L.polyline(f.geometry.coordinates.map((c) => [c[1], c[0]]), { color: "#8c564b", weight: 3, opacity: 0.75 });
      line.bindTooltip(C.text(C.t("situation.corridor_tooltip", { name: f.properties.name, km: C.formatNumber(f.properties.length_m / 1000) })));
      layers.corridors.addLayer(line);
    }
    fillCorridorFilter(corridors.features.map((f) => f.properties.code));
    layers.checkpoints.clearLayers();
    state.checkpoints = checkpoints.features;
    for (const f of checkpoints.features) {
      const p = f.properties;
      const marker = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: 7, color: "#222", weight: 1, fillOpacity: 0.9, fillColor: M.BORDER_COLOURS[p.border_kind] || "#999",
      });
      marker.bindTooltip(C.text(M.checkpointName(p)));
      marker.bindPopup(() => checkpointPopup(p));
      layers.checkpoints.addLayer(marker);
    }
    map.chekaraCheckpointCount = checkpoints.features.length;
    M.addLabels(map, checkpoints).catch(C.failed);
  }

  // ---- queues: a badge with the vehicles inside each checkpoint ---------------------------------

  async function loadQueues() {
    if (!C.may("GET", QUEUE_ROUTE)) return;
    const answer = await C.api(QUEUE_ROUTE);
    const byCode = new Map(answer.map((q) => [q.checkpoint, q]));
    state.queueLoads = (state.queueLoads || 0) + 1;
    layers.queues.clearLayers();
    let inside = 0;
    state.checkpoints.forEach((f) => {
      const queue = byCode.get(f.properties.code);
      if (!queue) return;
      state.queues.set(f.properties.code, queue);
      inside += queue.inside;
      if (queue.inside === 0) return;
      const badge = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        icon: L.divIcon({ className: "queue-badge", html: C.el("span", { text: String(queue.inside) }), iconSize: null, iconAnchor: [-6, 18] }),
        keyboard: false,
      });
      badge.bindTooltip(C.text(C.t("queue.summary", { inside: queue.inside, wait: C.formatMinutes(queue.estimated_wait_min) })));
      badge.on("click", () => { location.href = "/checkpoints/" + encodeURIComponent(f.properties.code); });
      layers.queues.addLayer(badge);
    });
    document.getElementById("count-at-checkpoints").textContent = C.formatNumber(inside);
  }

  // ---- convoys --------------------------------------------------------------------------------

  function convoyIcon(p) {
    const alerting = p.open_alerts > 0;
    const arrow = C.el("span", { className: "arrow" });
    if (p.heading_deg !== null && p.heading_deg !== undefined) arrow.style.transform = `rotate(${Number(p.heading_deg)}deg)`;
    else arrow.classList.add("still");
    const body = C.el("span", { className: "convoy" + (alerting ? " alerting" : ""), dataset: { tripId: p.trip_id } }, [
      arrow, alerting ? C.el("span", { className: "badge", text: String(p.open_alerts) }) : null,
    ]);
    return L.divIcon({ className: "convoy-icon", html: body, iconSize: [22, 22], iconAnchor: [11, 11] });
  }

  function convoyTooltip(p) {
    return C.el("div", {}, [
      C.el("strong", { text: p.declaration_number }), C.el("br"),
      (p.vehicle_plates || []).join(", "), C.el("br"),
      C.t("convoy.corridor", { corridor: p.corridor }), C.el("br"),
      C.t("convoy.speed", { speed: C.formatNumber(p.speed_kmh) }), " · ", C.formatTime(p.last_fix_at), C.el("br"),
      p.open_alerts > 0 ? C.t("convoy.open_alerts", { n: p.open_alerts }) : C.t("convoy.no_alerts"),
    ]);
  }

  function showConvoys(collection) {
    const seen = new Set();
    for (const f of collection.features) {
      const p = f.properties;
      const at = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      seen.add(p.trip_id);
      let entry = state.convoys.get(p.trip_id);
      if (!entry) {
        const marker = L.marker(at, { icon: convoyIcon(p), riseOnHover: true });
        marker.on("click", () => { location.href = "/trips/" + p.trip_id; });
        marker.bindTooltip(convoyTooltip(p));
        layers.convoys.addLayer(marker);
        entry = { marker, properties: p };
        state.convoys.set(p.trip_id, entry);
      } else {
        entry.marker.setLatLng(at);
        if (entry.properties.open_alerts !== p.open_alerts || entry.properties.heading_deg !== p.heading_deg) {
          entry.marker.setIcon(convoyIcon(p));
        }
        entry.marker.setTooltipContent(convoyTooltip(p));
        entry.properties = p;
      }
    }
    for (const [tripId, entry] of state.convoys) {
      if (!seen.has(tripId)) {
        layers.convoys.removeLayer(entry.marker);
        state.convoys.delete(tripId);
      }
    }
    document.getElementById("count-convoys").textContent = C.formatNumber(state.convoys.size);
  }

  let pollTimer = null;
  async function pollConvoys() {
    clearTimeout(pollTimer);
    try {
      showConvoys(await C.api("/api/v1/live/convoys"));
      state.polls += 1;
    } catch (error) {
      C.failed(error);
    }
    pollTimer = setTimeout(pollConvoys, CONVOY_POLL_MS);
  }

  // ---- alerts ---------------------------------------------------------------------------------

  // ---- the alert panel: sorted and filtered by severity, type and corridor ----------------------

  const filterBox = (id) => document.getElementById(id);
  const FILTER_KEY = "chekara.alertFilters";
  const NOTIFY_KEY = "chekara.alertNotify";

  function filters() {
    return { sort: filterBox("alert-sort").value, severity: filterBox("alert-severity").value,
      type: filterBox("alert-type").value, corridor: filterBox("alert-corridor").value };
  }

  function fillCorridorFilter(codes) {
    const box = filterBox("alert-corridor");
    const chosen = box.value;
    C.replaceChildren(box, [box.options[0], ...codes.sort().map((code) => C.el("option", { value: code, text: code }))]);
    box.value = chosen;
  }

  /** The type filter offers the types of the alerts at hand (and keeps the one chosen). */
  function fillTypeFilter(alerts) {
    const box = filterBox("alert-type");
    const chosen = box.value;
    const types = new Set(alerts.map((a) => a.type));
    if (chosen) types.add(chosen);
    C.replaceChildren(box, [box.options[0], ...[...types].sort().map((type) => C.el("option", { value: type, text: A.typeName(type) }))]);
    box.value = chosen;
  }

  function renderAlerts() {
    const open = [...state.alerts.values()].filter((a) => a.status !== "resolved");
    const f = filters();
    fillTypeFilter(open);
    const shown = open.filter((a) => (!f.severity || a.severity === f.severity) && (!f.type || a.type === f.type) &&
      (!f.corridor || a.corridor === f.corridor)).sort(f.sort === "newest" ? A.newestFirst : A.mostUrgentFirst);
    const list = document.getElementById("alert-list");
    C.replaceChildren(list, shown.map((alert) => A.item(alert, { onChange: upsertAlert, fresh: state.fresh.has(alert.id) })));
    document.getElementById("no-alerts").hidden = shown.length > 0;
    document.getElementById("count-alerts").textContent = C.formatNumber(open.length);
    const byType = new Map();
    for (const alert of open) byType.set(alert.type, (byType.get(alert.type) || 0) + 1);
    C.replaceChildren(document.getElementById("alerts-by-type"),
      [...byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => C.el("li", { className: "chip" }, [A.typeName(type) + " ", C.el("b", { text: String(n) })])));
  }

  function bindFilters() {
    const saved = JSON.parse(localStorage.getItem(FILTER_KEY) || "{}");
    for (const [key, id] of [["sort", "alert-sort"], ["severity", "alert-severity"]]) {
      if (saved[key] !== undefined) filterBox(id).value = saved[key];
    }
    for (const id of ["alert-sort", "alert-severity", "alert-type", "alert-corridor"]) {
      filterBox(id).addEventListener("change", () => {
        localStorage.setItem(FILTER_KEY, JSON.stringify({ sort: filters().sort, severity: filters().severity }));
        renderAlerts();
      });
    }
    const notify = filterBox("alert-notify");
    notify.checked = localStorage.getItem(NOTIFY_KEY) === "on";
    notify.addEventListener("change", async () => {
      // Opt-in: the browser asks the operator once; a refusal leaves the sound only.
      if (notify.checked && window.Notification && Notification.permission === "default") await Notification.requestPermission();
      localStorage.setItem(NOTIFY_KEY, notify.checked ? "on" : "off");
    });
  }

  /** A short two-tone beep from Web Audio: no sound file to serve, nothing loaded from outside. */
  function beep() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    const audio = state.audio || (state.audio = new Context());
    [[880, 0], [660, 0.18]].forEach(([hz, start]) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.value = 0.15;
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + start);
      tone.stop(audio.currentTime + start + 0.15);
    });
  }

  /** A new high-severity alert, when the operator opted in: a sound and a browser notification. */
  function announce(alert) {
    if (filterBox("alert-notify").checked !== true || alert.severity !== "high" || alert.status !== "open") return;
    if (state.alerts.has(alert.id)) return; // an update of an alert already shown
    state.announced.push(alert.id);
    beep();
    if (window.Notification && Notification.permission === "granted") {
      const note = new Notification(C.t("alerts.notification_title", { type: A.typeName(alert.type) }), {
        body: [alert.declaration_number, alert.corridor, alert.checkpoint].filter(Boolean).join(" · "), tag: "alert-" + alert.id,
      });
      note.onclick = () => { window.focus(); const link = A.href(alert); if (link) location.href = link; };
    }
  }

  function upsertAlert(alert, fresh) {
    if (fresh) announce(alert);
    if (alert.status === "resolved") state.alerts.delete(alert.id);
    else state.alerts.set(alert.id, Object.assign(state.alerts.get(alert.id) || {}, alert));
    if (fresh) state.fresh.add(alert.id);
    renderAlerts();
  }

  async function loadAlerts() {
    const [open, acknowledged] = await Promise.all([
      C.api("/api/v1/alerts?status=open&limit=500"), C.api("/api/v1/alerts?status=acknowledged&limit=500"),
    ]);
    state.alerts.clear();
    for (const alert of open.concat(acknowledged)) state.alerts.set(alert.id, alert);
    renderAlerts();
  }

  let queueTimer = null;

  /** The event stream: alerts as they are raised or change, trip status changes, crossings (for the queues). */
  function listen() {
    const badge = document.getElementById("stream-state");
    let dropped = false;
    state.stream = C.openStream({
      alert: (event) => upsertAlert(JSON.parse(event.data), true),
      trip: () => pollConvoys(),
      crossing: () => {
        clearTimeout(queueTimer);
        queueTimer = setTimeout(() => loadQueues().catch(C.failed), QUEUE_SETTLE_MS);
      },
    }, (live) => {
      badge.textContent = C.t(live ? "stream.live" : "stream.reconnecting");
      badge.className = "stream-state " + (live ? "live" : "down");
      // Alerts raised while the stream was down are not replayed: read the list again.
      if (live && dropped) { loadAlerts().catch(C.failed); loadQueues().catch(C.failed); }
      if (!live) dropped = true;
    });
  }

  C.page(async () => {
    bindFilters();
    pollConvoys();
    try {
      await loadReference();
    } catch (error) {
      C.failed(error);
    }
    // Queues last: they should not hold up the convoys and the alerts.
    loadAlerts().catch(C.failed).then(() => { listen(); return loadQueues(); }).catch(C.failed);
  });
})();
