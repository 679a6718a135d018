// Trip review: the planned corridor against the actual track, stops, the alert timeline, the declaration,
// and a replay. A trip still in transit updates itself from the event stream.
(function () {
  "use strict";
  const C = window.Chekara;
  const M = window.ChekaraMap;
  const A = window.ChekaraAlerts;
  const tripId = C.config.params.trip_id;
  const TRACK_COLOURS = { inside: "#2e7d32", near: "#e08a00", outside: "#c62828", unknown: "#7d8a97" };
  // Shown stops are shorter than the 15-minute alert threshold on purpose: a supervisor sees every halt.
  const STOP_DIAMETER_M = 150;
  const STOP_MIN_S = 5 * 60;
  const STOPS_ROUTE = "/api/v1/analytics/stops";
  const RISK_ROUTE = "/api/v1/declarations/{number}/risk";
  const SLIDER_MAX = 1000;

  const map = M.theMap();
  const layers = {
    corridor: L.layerGroup().addTo(map), zones: L.layerGroup().addTo(map), track: L.layerGroup().addTo(map),
    stops: L.layerGroup().addTo(map), alerts: L.layerGroup().addTo(map), replay: L.layerGroup().addTo(map),
  };
  // What the page shows (read by the browser tests).
  const state = { trip: null, corridor: null, fixes: [], byDevice: new Map(), alerts: [], stops: [], t0: 0, t1: 0, time: 0, playing: false };
  window.chekaraTrip = state;

  M.loadBasemap(map).catch(C.failed);

  // ---- the corridor -------------------------------------------------------------------------

  function drawCorridor(corridor) {
    layers.corridor.clearLayers();
    layers.zones.clearLayers();
    const band = M.corridorBand(map, corridor);
    band.eachLayer((layer) => layer.bindTooltip(C.text(C.t("trip.corridor_tooltip", {
      name: corridor.properties.name, width: C.formatNumber(corridor.properties.half_width_m * 2),
    }))));
    layers.corridor.addLayer(band);
    for (const zone of corridor.properties.stop_zones || []) {
      const shape = L.geoJSON(zone.geometry, { style: { color: "#2e7d32", weight: 1, fillOpacity: 0.25 } });
      shape.bindTooltip(C.text(C.t("trip.stop_zone", { name: zone.name, kind: C.t("zone_kind." + zone.kind, null, zone.kind) })));
      layers.zones.addLayer(shape);
    }
  }

  // ---- the track ----------------------------------------------------------------------------

  function distanceClass(fix, halfWidth) {
    const d = fix.properties.corridor_distance_m;
    if (d === null || d === undefined) return "unknown";
    if (d <= halfWidth) return "inside";
    return d <= 2 * halfWidth ? "near" : "outside";
  }

  function drawTrack(track) {
    layers.track.clearLayers();
    const halfWidth = track.properties.half_width_m;
    state.fixes = track.features.filter((f) => !f.properties.anomaly);
    state.byDevice = new Map();
    for (const fix of state.fixes) {
      fix.t = Date.parse(fix.properties.ts);
      const device = fix.properties.device_id || "?";
      if (!state.byDevice.has(device)) state.byDevice.set(device, []);
      state.byDevice.get(device).push(fix);
    }
    for (const fixes of state.byDevice.values()) {
      fixes.sort((a, b) => a.t - b.t);
      // Runs of one distance class become one line: a few hundred lines, not one per fix.
      let run = null;
      for (let i = 1; i < fixes.length; i++) {
        const kind = distanceClass(fixes[i], halfWidth);
        const from = [fixes[i - 1].geometry.coordinates[1], fixes[i - 1].geometry.coordinates[0]];
        const to = [fixes[i].geometry.coordinates[1], fixes[i].geometry.coordinates[0]];
        if (run && run.kind === kind) run.points.push(to);
        else {
          if (run) addRun(run);
          run = { kind, points: [from, to] };
        }
      }
      if (run) addRun(run);
    }
    for (const f of track.features.filter((f) => f.properties.anomaly)) {
      L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 3, color: "#7d8a97" })
        .bindTooltip(C.text(C.t("track.anomaly"))).addTo(layers.track);
    }
    map.chekaraTrackFixes = state.fixes.length;
  }

  function addRun(run) {
    L.polyline(run.points, { color: TRACK_COLOURS[run.kind], weight: 4, opacity: 0.95 })
      .bindTooltip(C.text(C.t("track." + run.kind))).addTo(layers.track);
  }

  // ---- stops (the analytics API's; the role may not have it) -------------------------------------

  async function loadStops() {
    if (!C.may("GET", STOPS_ROUTE)) return;
    const answer = await C.api(`/api/v1/analytics/stops?trip_id=${tripId}&max_diameter_m=${STOP_DIAMETER_M}&min_duration_s=${STOP_MIN_S}`);
    state.stops = answer.stops.map((s) => ({ ...s, from: Date.parse(s.start), to: Date.parse(s.end), point: [s.lon, s.lat] }));
  }

  function stopPlace(stop) {
    if (stop.stop_zone) return C.t("trip.in_zone", { name: stop.stop_zone.name });
    if (stop.checkpoint) return C.t("trip.at_checkpoint", { name: stop.checkpoint.name });
    return C.t("trip.outside_zones");
  }

  function drawStops() {
    layers.stops.clearLayers();
    const rows = state.stops.map((stop, i) => {
      const minutes = stop.duration_s / 60;
      const place = stopPlace(stop);
      L.circleMarker([stop.lat, stop.lon], { radius: 7, color: "#6a1b9a", weight: 2, fillColor: "#ce93d8", fillOpacity: 0.8 })
        .bindTooltip(C.text(C.t("trip.stop_tooltip", { n: i + 1, duration: C.formatMinutes(minutes), place })))
        .addTo(layers.stops);
      return C.el("tr", { className: "pick", onclick: () => seek(stop.from, stop.point) }, [
        C.el("td", { text: String(i + 1) }),
        C.el("td", { text: `${C.formatTime(stop.start)}–${C.formatTime(stop.end)}` }),
        C.el("td", { text: C.formatMinutes(minutes) }),
        C.el("td", { text: place }),
      ]);
    });
    C.replaceChildren(document.getElementById("trip-stops"),
      rows.length ? rows : C.el("tr", {}, C.el("td", { className: "hint", text: C.t("trip.no_stops") })));
  }

  // ---- alerts -------------------------------------------------------------------------------

  function alertPoint(alert) {
    const e = alert.evidence || {};
    return typeof e.lon === "number" && typeof e.lat === "number" ? [e.lon, e.lat] : null;
  }

  function drawAlerts() {
    layers.alerts.clearLayers();
    const sorted = state.alerts.slice().sort(A.newestFirst);
    for (const alert of sorted) {
      const point = alertPoint(alert);
      if (!point) continue;
      L.circleMarker([point[1], point[0]], { radius: 8, color: "#c62828", weight: 3, fillColor: "#fff", fillOpacity: 0.9 })
        .bindTooltip(C.text(`${A.typeName(alert.type)} · ${C.formatTime(alert.raised_at)}`))
        .on("click", () => focusAlert(alert))
        .addTo(layers.alerts);
    }
    C.replaceChildren(document.getElementById("trip-alerts"),
      sorted.map((alert) => A.item(alert, { resolve: true, link: false, onChange: alertChanged, onSelect: focusAlert })));
    document.getElementById("trip-no-alerts").hidden = sorted.length > 0;
  }

  function alertChanged(changed) {
    state.alerts = state.alerts.map((a) => (a.id === changed.id ? changed : a));
    drawAlerts();
    drawTimeline();
  }

  function focusAlert(alert) {
    seek(Date.parse(alert.raised_at), alertPoint(alert));
    document.querySelectorAll("#trip-alerts .alert").forEach((li) => li.classList.toggle("fresh", li.dataset.alertId === String(alert.id)));
  }

  // ---- the timeline and the replay ------------------------------------------------------------

  function fraction(t) {
    return state.t1 > state.t0 ? Math.min(1, Math.max(0, (t - state.t0) / (state.t1 - state.t0))) : 1;
  }

  function drawTimeline() {
    const timeline = document.getElementById("timeline");
    const marks = [];
    for (const alert of state.alerts) {
      const from = Date.parse(alert.raised_at);
      const to = alert.ended_at ? Date.parse(alert.ended_at) : state.t1;
      marks.push(C.el("div", { className: "span", style: `left:${fraction(from) * 100}%;width:${Math.max(0, fraction(to) - fraction(from)) * 100}%` }));
      marks.push(C.el("button", {
        type: "button", className: "mark", style: `left:${fraction(from) * 100}%`,
        title: `${A.typeName(alert.type)} · ${C.formatTime(alert.raised_at)}`, dataset: { alertId: alert.id },
        onclick: () => focusAlert(alert),
      }));
    }
    for (const stop of state.stops) {
      marks.push(C.el("button", {
        type: "button", className: "mark stop", style: `left:${fraction(stop.from) * 100}%`,
        title: C.t("trip.stop_tooltip", { n: state.stops.indexOf(stop) + 1, duration: C.formatMinutes(stop.duration_s / 60), place: stopPlace(stop) }),
        onclick: () => seek(stop.from, stop.point),
      }));
    }
    marks.push(C.el("div", { className: "cursor", id: "timeline-cursor" }));
    C.replaceChildren(timeline, marks);
    document.getElementById("timeline-start").textContent = state.t0 ? C.formatTime(new Date(state.t0).toISOString(), "date") : "";
    document.getElementById("timeline-end").textContent = state.t1 ? C.formatTime(new Date(state.t1).toISOString(), "date") : "";
    showTime(state.time || state.t1);
  }

  /** Where each device was at time t: between its two fixes around t. */
  function positionAt(fixes, t) {
    if (!fixes.length || t < fixes[0].t) return null;
    let lo = 0;
    let hi = fixes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fixes[mid].t <= t) lo = mid; else hi = mid - 1;
    }
    const a = fixes[lo];
    const b = fixes[lo + 1];
    if (!b) return [a.geometry.coordinates[1], a.geometry.coordinates[0]];
    const k = (t - a.t) / (b.t - a.t);
    return [
      a.geometry.coordinates[1] + k * (b.geometry.coordinates[1] - a.geometry.coordinates[1]),
      a.geometry.coordinates[0] + k * (b.geometry.coordinates[0] - a.geometry.coordinates[0]),
    ];
  }

  const replayMarkers = new Map();
  function showTime(t) {
    state.time = t;
    const slider = document.getElementById("replay-slider");
    slider.value = String(Math.round(fraction(t) * SLIDER_MAX));
    document.getElementById("replay-clock").textContent = t ? C.formatTime(new Date(t).toISOString(), "seconds") : "";
    const cursor = document.getElementById("timeline-cursor");
    if (cursor) cursor.style.left = `${fraction(t) * 100}%`;
    for (const [device, fixes] of state.byDevice) {
      const at = positionAt(fixes, t);
      let marker = replayMarkers.get(device);
      if (!at) {
        if (marker) { layers.replay.removeLayer(marker); replayMarkers.delete(device); }
        continue;
      }
      if (!marker) {
        marker = L.marker(at, { icon: L.divIcon({ className: "replay-marker", html: C.el("span"), iconSize: [22, 22], iconAnchor: [11, 11] }), interactive: true });
        marker.bindTooltip(C.text(device));
        layers.replay.addLayer(marker);
        replayMarkers.set(device, marker);
      } else {
        marker.setLatLng(at);
      }
    }
    const shown = state.alerts.filter((a) => Date.parse(a.raised_at) <= t).length;
    map.chekaraReplayAlertsSoFar = shown;
  }

  function seek(t, point) {
    stop();
    showTime(Math.min(state.t1, Math.max(state.t0, t)));
    if (point) map.panTo([point[1], point[0]]);
  }

  let lastFrame = null;
  function frame(now) {
    if (!state.playing) return;
    const speed = Number(document.getElementById("replay-speed").value);
    const next = state.time + (lastFrame === null ? 0 : (now - lastFrame) * speed);
    lastFrame = now;
    showTime(Math.min(next, state.t1));
    if (next >= state.t1) { stop(); return; }
    requestAnimationFrame(frame);
  }

  function play() {
    if (state.time >= state.t1) showTime(state.t0);
    state.playing = true;
    lastFrame = null;
    document.getElementById("replay-play").textContent = C.t("replay.pause");
    requestAnimationFrame(frame);
  }

  function stop() {
    state.playing = false;
    document.getElementById("replay-play").textContent = C.t("replay.play");
  }

  function bindReplay() {
    const button = document.getElementById("replay-play");
    const slider = document.getElementById("replay-slider");
    button.addEventListener("click", () => (state.playing ? stop() : play()));
    slider.addEventListener("input", () => {
      stop();
      showTime(state.t0 + (Number(slider.value) / SLIDER_MAX) * (state.t1 - state.t0));
    });
  }

  // ---- facts and the declaration -------------------------------------------------------------

  function facts(trip) {
    const km = (m) => (m === null || m === undefined ? "—" : C.t("unit.km", { n: C.formatNumber(m / 1000, 1) }));
    const rows = [
      ["trip.status", C.t("trip_status." + trip.status, null, trip.status)],
      ["trip.declaration_number", trip.declaration_number],
      ["trip.plates", trip.vehicle_plates.join(", ")],
      ["trip.route", `${trip.origin} → ${trip.destination} (${trip.corridor})`],
      ["trip.planned_departure", C.formatTime(trip.planned_departure, "date")],
      ["trip.departed", C.formatTime(trip.departed_at, "date")],
      ["trip.deadline", C.formatTime(trip.deadline, "date")],
      ["trip.arrived", C.formatTime(trip.arrived_at, "date")],
      ["trip.eta", C.formatTime(trip.eta, "date")],
      ["trip.distance", km(trip.distance_m)],
      ["trip.progress", `${km(trip.progress_m)} / ${km(trip.corridor_length_m)}`],
      ["trip.last_fix", trip.last_fix ? `${C.formatTime(trip.last_fix.ts)} · ${C.t("convoy.speed", { speed: C.formatNumber(trip.last_fix.speed_kmh) })}` : "—"],
      ["trip.devices", trip.devices.map((d) => `${d.device_id} (${C.t("device_role." + d.role, null, d.role)})`).join(", ")],
    ];
    C.replaceChildren(document.getElementById("trip-facts"), rows.flatMap(([key, value]) => [C.el("dt", { text: C.t(key) }), C.el("dd", { text: value })]));
    document.getElementById("trip-title").textContent = C.t("trip.title_n", { id: trip.id });
    document.title = C.t("trip.title_n", { id: trip.id }) + " — Chekara";
  }

  async function loadDeclaration(number) {
    const box = document.getElementById("declaration");
    let d;
    try {
      d = await C.api("/api/v1/declarations/" + encodeURIComponent(number));
    } catch (error) {
      C.replaceChildren(box, C.el("p", { className: "hint", text: error.status === 404 ? C.t("declaration.not_filed", { number }) : error.message }));
      return false;
    }
    const lines = d.goods_lines.map((g) => C.el("tr", {}, [
      C.el("td", { text: g.hs_code }), C.el("td", { text: g.description }),
      C.el("td", { text: C.t("unit.kg", { n: C.formatNumber(Number(g.gross_kg)) }) }),
      C.el("td", { text: `${C.formatNumber(Number(g.value), 2)} ${g.currency}` }),
    ]));
    C.replaceChildren(box, [
      C.el("dl", { className: "facts" }, [
        C.el("dt", { text: C.t("declaration.number") }), C.el("dd", { text: d.number }),
        C.el("dt", { text: C.t("declaration.kind") }), C.el("dd", { text: C.t("declaration_kind." + d.kind, null, d.kind) }),
        C.el("dt", { text: C.t("declaration.status") }), C.el("dd", { text: C.t("declaration_status." + d.status, null, d.status) }),
        C.el("dt", { text: C.t("declaration.channel") }), C.el("dd", {}, C.el("span", { className: "chip " + d.channel, text: C.t("channel." + d.channel, null, d.channel) })),
        C.el("dt", { text: C.t("declaration.parties") }), C.el("dd", { text: `${d.consignor} → ${d.consignee}` }),
        C.el("dt", { text: C.t("declaration.countries") }), C.el("dd", { text: `${d.dispatch_country} → ${d.destination_country}` }),
        C.el("dt", { text: C.t("declaration.declared_gross") }), C.el("dd", { text: C.t("unit.kg", { n: C.formatNumber(d.declared_gross_kg) }) }),
        C.el("dt", { text: C.t("declaration.value") }), C.el("dd", { text: C.t("unit.kgs", { n: C.formatNumber(Number(d.value_kgs), 2) }) }),
      ]),
      C.el("h3", { text: C.t("declaration.goods") }),
      C.el("table", {}, C.el("tbody", {}, lines)),
      C.el("h3", { text: C.t("declaration.findings") }),
      d.findings.length
        ? C.el("ul", {}, d.findings.map((f) => C.el("li", { className: "finding", text: `${C.t("finding." + f.kind, null, f.kind)}: ${f.message}` })))
        : C.el("p", { className: "hint", text: C.t("declaration.no_findings") }),
    ]);
    return true;
  }

  /** The verdict in force on the declaration: channel, score and the rules that hit. */
  async function loadRisk(number) {
    if (!C.may("GET", RISK_ROUTE)) return;
    const box = document.getElementById("trip-risk");
    try {
      const verdict = await C.api(RISK_ROUTE.replace("{number}", encodeURIComponent(number)));
      C.replaceChildren(box, riskVerdict(verdict));
    } catch (error) {
      C.replaceChildren(box, C.el("p", { className: "hint", text: error.status === 404 ? C.t("declaration.not_filed", { number }) : error.message }));
    }
  }

  function riskVerdict(verdict) {
    return [
      C.el("div", { className: "row" }, [
        C.el("span", { className: "chip " + verdict.channel, text: C.t("channel." + verdict.channel, null, verdict.channel) }), " ",
        window.ChekaraRisk.scoreBar(verdict.score), " ",
        C.el("span", { className: "hint", text: C.formatTime(verdict.assessed_at, "date") }),
      ]),
      window.ChekaraRisk.hitList(verdict.hits),
    ];
  }

  // ---- loading and live updates ---------------------------------------------------------------

  async function loadMoving() {
    const [trip, track, alerts] = await Promise.all([
      C.api(`/api/v1/trips/${tripId}`), C.api(`/api/v1/trips/${tripId}/track`), C.api(`/api/v1/alerts?trip_id=${tripId}&limit=1000`),
    ]);
    state.trip = trip;
    state.alerts = alerts;
    facts(trip);
    drawTrack(track);
    await loadStops();
    drawStops();
    drawAlerts();
    const times = state.fixes.map((f) => f.t);
    const following = state.time === state.t1; // at the end: stay at the newest fix
    // A loop, not Math.min(...times): a long trip has more fixes than a call takes arguments.
    state.t0 = times.length ? times.reduce((a, b) => Math.min(a, b)) : Date.parse(trip.planned_departure);
    state.t1 = times.length ? times.reduce((a, b) => Math.max(a, b)) : state.t0;
    if (following || !state.time) state.time = state.t1;
    const enabled = times.length > 1;
    document.getElementById("replay-play").disabled = !enabled;
    document.getElementById("replay-slider").disabled = !enabled;
    drawTimeline();
  }

  let reloadTimer = null;
  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => loadMoving().catch(C.failed), 1000);
  }

  function listen() {
    C.openStream({
      positions: (event) => { if ((JSON.parse(event.data).trips || []).includes(tripId)) reloadSoon(); },
      alert: (event) => { if (JSON.parse(event.data).trip_id === tripId) reloadSoon(); },
      trip: (event) => { if (JSON.parse(event.data).id === tripId) reloadSoon(); },
    });
  }

  bindReplay();
  C.page(async () => {
    M.addLabels(map).catch(C.failed);
    try {
      await loadMoving();
    } catch (error) {
      C.failed(error);
      return;
    }
    const corridor = await C.api("/api/v1/corridors/" + encodeURIComponent(state.trip.corridor));
    state.corridor = corridor;
    drawCorridor(corridor);
    const bounds = layers.track.getLayers().length ? L.featureGroup(layers.track.getLayers()).getBounds() : L.geoJSON(corridor).getBounds();
    map.fitBounds(bounds.pad(0.15), { maxZoom: 13 });
    map.chekaraCorridorDrawn = true;
    // The risk verdict only once the declaration is known to exist: one 404 in the console is enough.
    loadDeclaration(state.trip.declaration_number).then((filed) => { if (filed) loadRisk(state.trip.declaration_number); });
    if (state.trip.status === "in_transit" || state.trip.status === "planned") listen();
  });
})();
