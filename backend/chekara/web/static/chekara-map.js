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

  /** Natural Earth countries shipped with the install; drawn as outlines only over a tile server. */
  async function loadBasemap(map) {
    const countries = await fetch(C.config.basemap_url).then((r) => r.json());
    const tiles = C.config.has_tiles;
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
    layer.bringToBack();
    map.chekaraBasemapCount = countries.features.length;
    return layer;
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

  window.ChekaraMap = { theMap, loadBasemap, checkpointName, corridorBand, metresPerPixel, BORDER_COLOURS };
})();
