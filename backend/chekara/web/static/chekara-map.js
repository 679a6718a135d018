// Map helpers shared by the map pages: the folium-built map, the offline basemap, checkpoint colours,
// corridors drawn at their true width.
(function () {
  "use strict";
  const C = window.Chekara;
  const BORDER_COLOURS = { eaeu: "#1f77b4", external: "#d62728", inland: "#2ca02c" };
  const EARTH_CIRCUMFERENCE_M = 40075016.686;

  /** The Leaflet map folium declared in this page's script. */
  function theMap() {
    const map = window[C.config.map_name];
    window.chekaraMap = map; // for the browser tests
    if (map.attributionControl) map.attributionControl.setPrefix("Leaflet"); // the plain name, no flag
    return map;
  }

  /**
   * An imported PMTiles archive (OpenStreetMap roads, places, relief…) drawn by the protomaps-leaflet plugin,
   * read from the app with HTTP range requests; below it nothing else is needed but the country outlines.
   */
  function loadPmtiles(map) {
    const archive = C.config.pmtiles;
    const layer = protomapsL.leafletLayer({
      url: archive.url, flavor: "light", lang: document.documentElement.lang || "en",
      maxDataZoom: archive.max_zoom, attribution: "© OpenStreetMap",
    });
    layer.addTo(map);
    layer.bringToBack();
    map.chekaraPmtiles = layer; // for the browser tests
    return layer;
  }

  /**
   * Natural Earth countries shipped with the install; drawn as outlines only over a tile server or an
   * imported PMTiles basemap.
   */
  async function loadBasemap(map) {
    if (C.config.pmtiles) loadPmtiles(map);
    const countries = await fetch(C.config.basemap_url).then((r) => r.json());
    const tiles = C.config.has_tiles || Boolean(C.config.pmtiles);
    const layer = L.geoJSON(countries, {
      style(f) {
        const home = f.properties.iso_numeric === "417";
        return {
          color: "#6b7785", weight: home ? 2 : 1, fill: !tiles,
          fillColor: home ? "#f4f1e6" : "#e3e6ea", fillOpacity: 1,
        };
      },
      interactive: false,
    }).addTo(map);
    if (!C.config.pmtiles) layer.bringToBack();
    map.chekaraBasemapCount = countries.features.length;
    return layer;
  }

  // ---- labels: towns and checkpoints, each from the zoom where it no longer clutters the map ------

  // Towns by rank (1 the two cities, 2 regional centres, 3 other towns) and checkpoints: the first zoom
  // showing their names. At the country view (7) the cities and regional centres only.
  const TOWN_LABEL_ZOOM = { 1: 6, 2: 7, 3: 8 };
  const CHECKPOINT_LABEL_ZOOM = 8;

  function localName(p) {
    const lang = document.documentElement.lang;
    return p["name_" + lang] || p.name_en;
  }

  /** Names that appear and disappear with the zoom; labels never take clicks from what is under them. */
  function labelLayer(map, labels) {
    const group = L.layerGroup().addTo(map);
    const markers = labels.map((label) => ({
      minZoom: label.minZoom,
      marker: L.marker(label.latlng, {
        icon: L.divIcon({ className: "map-label " + label.kind, html: C.el("span", { text: label.text }), iconSize: null }),
        interactive: false, keyboard: false,
      }),
    }));
    const update = () => {
      const zoom = map.getZoom();
      for (const { minZoom, marker } of markers) {
        if (zoom >= minZoom) group.addLayer(marker);
        else group.removeLayer(marker);
      }
      map.chekaraLabels = group.getLayers().map((m) => m.options.icon.options.html.textContent);
    };
    map.on("zoomend", update);
    update();
    return group;
  }

  /** Town names from geodata and checkpoint names in the page's language (the page's checkpoints, or asked). */
  async function addLabels(map, checkpoints) {
    const [towns, posts] = await Promise.all([
      fetch(C.config.towns_url).then((r) => r.json()),
      checkpoints || C.api("/api/v1/checkpoints"),
    ]);
    const at = (f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]];
    return labelLayer(map, [
      ...towns.features.map((f) => ({ latlng: at(f), text: localName(f.properties), minZoom: TOWN_LABEL_ZOOM[f.properties.rank] || 8, kind: "town rank-" + f.properties.rank })),
      ...posts.features.map((f) => ({ latlng: at(f), text: checkpointName(f.properties), minZoom: CHECKPOINT_LABEL_ZOOM, kind: "checkpoint" })),
    ]);
  }

  function checkpointName(p) {
    const lang = document.documentElement.lang;
    return (lang === "ky" && p.name_ky) || (lang === "en" ? p.name_en : p.name_ru) || p.name_en || p.code;
  }

  function metresPerPixel(map, lat) {
    return (EARTH_CIRCUMFERENCE_M * Math.cos((lat * Math.PI) / 180)) / Math.pow(2, map.getZoom() + 8);
  }

  /**
   * A corridor as a band of its true width: a round-capped line whose stroke is 2 × half_width_m
   * in pixels at the present zoom (Web Mercator is conformal, so this is the buffer on screen).
   */
  function corridorBand(map, feature, style) {
    const latlngs = feature.geometry.coordinates.map((c) => [c[1], c[0]]);
    const halfWidth = feature.properties.half_width_m;
    const band = L.polyline(latlngs, Object.assign({ color: "#8c564b", opacity: 0.25, lineCap: "round", lineJoin: "round", interactive: false }, style));
    const centre = L.polyline(latlngs, { color: "#8c564b", weight: 1.5, opacity: 0.9, dashArray: "6 4" });
    const lat = band.getBounds().getCenter().lat;
    const resize = () => band.setStyle({ weight: Math.max(2, (2 * halfWidth) / metresPerPixel(map, lat)) });
    resize();
    map.on("zoomend", resize);
    const group = L.featureGroup([band, centre]);
    group.on("remove", () => map.off("zoomend", resize));
    return group;
  }

  window.ChekaraMap = { theMap, loadBasemap, addLabels, checkpointName, corridorBand, metresPerPixel, BORDER_COLOURS };
})();
