// Heatmap: H3 hexagons from the analytics API for a metric, resolution, window and corridor, with a legend
// and exports; dwell at checkpoints and stop zones and the longest dwells beside it.
(function () {
  "use strict";
  const C = window.Chekara;
  const M = window.ChekaraMap;
  // Yellow to red, six classes: a skewed count reads better by quantiles than on a straight scale.
  const COLOURS = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"];
  const DWELL_DAYS = 7;

  const map = M.theMap();
  const layers = { context: L.layerGroup().addTo(map), cells: L.layerGroup().addTo(map) };
  // What the page shows (read by the browser tests).
  const state = { cells: 0, loaded: false, query: null, shown: null, framed: null };
  window.chekaraHeatmap = state;
  const form = document.getElementById("heatmap-form");

  M.loadBasemap(map).catch(C.failed);

  function formatValue(metric, value) {
    if (metric === "speed") return C.t("convoy.speed", { speed: C.formatNumber(value, 1) });
    if (metric === "dwell") return C.formatMinutes(value / 60);
    return C.formatNumber(value);
  }

  /** Upper bounds of up to six classes, by quantiles of the values. */
  function classBreaks(values) {
    const sorted = values.slice().sort((a, b) => a - b);
    const breaks = [];
    for (let k = 1; k <= COLOURS.length; k++) {
      const bound = sorted[Math.min(sorted.length - 1, Math.ceil((k / COLOURS.length) * sorted.length) - 1)];
      if (!breaks.length || bound > breaks[breaks.length - 1]) breaks.push(bound);
    }
    return breaks;
  }

  function colourOf(value, breaks) {
    const i = breaks.findIndex((b) => value <= b);
    const index = i < 0 ? breaks.length - 1 : i;
    // Spread fewer classes over the whole ramp.
    return COLOURS[breaks.length === 1 ? COLOURS.length - 1 : Math.round((index * (COLOURS.length - 1)) / (breaks.length - 1))];
  }

  function drawLegend(metric, breaks, count) {
    const legend = document.getElementById("heat-legend");
    if (!count) {
      C.replaceChildren(legend, C.el("p", { className: "hint", text: C.t("heatmap.empty") }));
      return;
    }
    let lower = null;
    C.replaceChildren(legend, [
      C.el("div", { className: "hint", text: C.t("heatmap.legend", { metric: C.t("heatmap.metric." + metric), n: C.formatNumber(count) }) }),
      ...breaks.map((upper) => {
        const text = lower === null ? `≤ ${formatValue(metric, upper)}` : `${formatValue(metric, lower)} – ${formatValue(metric, upper)}`;
        lower = upper;
        return C.el("div", { className: "legend-class" }, [C.el("span", { className: "ramp", style: `background:${colourOf(upper, breaks)}` }), text]);
      }),
    ]);
  }

  function query() {
    const f = form.elements;
    const to = new Date();
    const from = new Date(to.getTime() - Number(f.hours.value) * 3600 * 1000);
    const params = new URLSearchParams({ metric: f.metric.value, res: f.res.value, from: from.toISOString(), to: to.toISOString() });
    if (f.corridor.value) params.set("corridor", f.corridor.value);
    return params;
  }

  let generation = 0;
  async function loadHeatmap() {
    const mine = ++generation;
    const params = query();
    state.query = params.toString();
    const answer = await C.api("/api/v1/analytics/heatmap?" + params);
    if (mine !== generation) return; // a newer choice is on its way
    const metric = params.get("metric");
    const values = answer.features.map((f) => f.properties.value);
    const breaks = classBreaks(values);
    layers.cells.clearLayers();
    const shapes = L.geoJSON(answer, {
      style: (f) => ({ color: "#7a0019", weight: 0.5, fillColor: colourOf(f.properties.value, breaks), fillOpacity: 0.75 }),
      onEachFeature: (f, layer) => layer.bindTooltip(C.text(`${formatValue(metric, f.properties.value)} · ${f.properties.cell}`)),
    });
    layers.cells.addLayer(shapes);
    drawLegend(metric, breaks, values.length);
    document.getElementById("heat-window").textContent = C.t("heatmap.window_used", {
      from: C.formatTime(answer.from, "date"), to: C.formatTime(answer.to, "date"),
    });
    state.cells = values.length;
    state.shown = state.query;
    state.loaded = true;
    // Frame the data the first time and when the corridor changes; otherwise leave the operator's view alone.
    const framing = params.get("corridor") || "";
    if (values.length && framing !== state.framed) {
      map.fitBounds(shapes.getBounds().pad(0.1), { maxZoom: 11, animate: false });
      state.framed = framing;
    }
  }

  async function loadContext() {
    const [corridors, checkpoints] = await Promise.all([C.api("/api/v1/corridors"), C.api("/api/v1/checkpoints")]);
    for (const f of corridors.features) {
      L.polyline(f.geometry.coordinates.map((c) => [c[1], c[0]]), { color: "#8c564b", weight: 2, opacity: 0.5, interactive: false }).addTo(layers.context);
      form.elements.corridor.appendChild(C.el("option", { value: f.properties.code, text: f.properties.name }));
    }
    for (const f of checkpoints.features) {
      L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        radius: 5, color: "#222", weight: 1, fillOpacity: 0.9, fillColor: M.BORDER_COLOURS[f.properties.border_kind] || "#999",
      }).bindTooltip(C.text(M.checkpointName(f.properties))).addTo(layers.context);
    }
    M.addLabels(map, checkpoints).catch(C.failed);
  }

  // ---- dwell ---------------------------------------------------------------------------------

  function dwellQuery() {
    const to = new Date();
    const from = new Date(to.getTime() - DWELL_DAYS * 86400 * 1000);
    return new URLSearchParams({ kind: document.getElementById("dwell-kind").value, from: from.toISOString(), to: to.toISOString() });
  }

  async function loadDwell() {
    const params = dwellQuery();
    const [places, longest] = await Promise.all([
      C.api("/api/v1/analytics/dwell?" + params), C.api("/api/v1/analytics/dwell/longest?limit=10&" + params),
    ]);
    // Vehicles inside now are visits in progress: a place with only those is listed too, as on the map.
    const visited = places.places.filter((p) => p.visits > 0 || p.open_visits > 0)
      .sort((a, b) => (b.median_s || 0) - (a.median_s || 0) || b.open_visits - a.open_visits);
    C.replaceChildren(document.getElementById("dwell-places"), visited.length
      ? visited.map((p) => C.el("tr", { dataset: { code: p.code } }, [
        C.el("td", { text: p.name || p.code }), C.el("td", { text: C.formatNumber(p.visits) }),
        C.el("td", { className: "in-progress", text: C.formatNumber(p.open_visits) }),
        C.el("td", { text: C.formatMinutes(p.median_s / 60) }), C.el("td", { text: C.formatMinutes(p.p90_s / 60) }),
      ]))
      : C.el("tr", {}, C.el("td", { className: "hint", colspan: "5", text: C.t("dwell.none") })));
    state.dwellInProgress = visited.reduce((n, p) => n + p.open_visits, 0);
    C.replaceChildren(document.getElementById("dwell-longest"), longest.visits.map((v) => C.el("tr", {}, [
      C.el("td", {}, v.trip_id ? C.el("a", { href: "/trips/" + v.trip_id, text: v.declaration_number || C.t("alerts.trip_n", { id: v.trip_id }) }) : v.device_id),
      C.el("td", { text: v.name || v.code }),
      C.el("td", { text: C.formatTime(v.start, "date") }),
      C.el("td", { text: C.formatMinutes(v.dwell_s / 60) }),
    ])));
    state.dwellPlaces = visited.length;
  }

  // ---- exports: fetched with the token, handed to the browser as a file ------------------------

  function bindExports() {
    document.querySelectorAll("[data-export]").forEach((button) => button.addEventListener("click", () => {
      const params = query();
      params.set("format", button.dataset.export);
      C.download("/api/v1/analytics/heatmap?" + params).catch(C.failed);
    }));
    document.getElementById("dwell-export").addEventListener("click", () => {
      const params = dwellQuery();
      params.set("format", "csv");
      C.download("/api/v1/analytics/dwell?" + params).catch(C.failed);
    });
  }

  C.page(async () => {
    bindExports();
    form.addEventListener("change", () => loadHeatmap().catch(C.failed));
    document.getElementById("dwell-kind").addEventListener("change", () => loadDwell().catch(C.failed));
    await loadContext().catch(C.failed);
    await Promise.all([loadHeatmap(), loadDwell()]).catch(C.failed);
  });
})();
