// The situation map: offline basemap, then checkpoints and corridors from the API.
// The API token is kept in this browser's localStorage after sign-in.
(function () {
  "use strict";
  var TOKEN_KEY = "chekara.token";
  var BORDER_COLOURS = { eaeu: "#1f77b4", external: "#d62728", inland: "#2ca02c" };
  var layers = {};

  function status(text) { document.getElementById("status").textContent = text; }

  function api(path) {
    var token = localStorage.getItem(TOKEN_KEY);
    return fetch(path, { headers: { Authorization: "Bearer " + token } }).then(function (r) {
      if (!r.ok) {
        return r.json().then(function (body) { throw new Error(body.error ? body.error.message : r.statusText); });
      }
      return r.json();
    });
  }

  function loadBasemap(map) {
    return fetch(window.chekaraBasemapUrl).then(function (r) { return r.json(); }).then(function (countries) {
      layers.basemap = L.geoJSON(countries, {
        style: function (f) {
          var home = f.properties.iso_numeric === "417";
          return { color: "#6b7785", weight: home ? 2 : 1, fillColor: home ? "#f4f1e6" : "#e3e6ea", fillOpacity: 1 };
        },
        interactive: false,
      }).addTo(map);
      layers.basemap.bringToBack();
      map.chekaraBasemapCount = countries.features.length;
    });
  }

  function loadReference(map) {
    return Promise.all([api("/api/v1/corridors"), api("/api/v1/checkpoints")]).then(function (res) {
      var corridors = res[0], checkpoints = res[1];
      if (layers.corridors) { map.removeLayer(layers.corridors); map.removeLayer(layers.checkpoints); }
      layers.corridors = L.geoJSON(corridors, {
        style: { color: "#8c564b", weight: 3, opacity: 0.8 },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(f.properties.name + " (" + (f.properties.length_m / 1000).toFixed(0) + " km)");
        },
      }).addTo(map);
      layers.checkpoints = L.geoJSON(checkpoints, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: 7, color: "#222", weight: 1, fillOpacity: 0.9,
            fillColor: BORDER_COLOURS[f.properties.border_kind] || "#999",
          });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var text = document.createElement("div");
          text.textContent = p.name_en + " / " + p.name_ru + (p.country ? " → " + p.country : "");
          layer.bindPopup(text);
          layer.bindTooltip(p.code);
        },
      }).addTo(map);
      map.chekaraCheckpointCount = checkpoints.features.length;
      status(checkpoints.features.length + " checkpoints, " + corridors.features.length + " corridors");
    });
  }

  function signedIn(map) {
    return api("/api/v1/me").then(function (me) {
      var who = document.getElementById("who");
      who.hidden = false;
      who.textContent = "Signed in: " + me.name + " (" + me.role + ")";
      document.getElementById("sign-in").hidden = true;
      return loadReference(map);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var map = window[window.chekaraMapName];
    window.chekaraMap = map;
    loadBasemap(map).catch(function (e) { status("basemap: " + e.message); });
    document.getElementById("sign-in").addEventListener("submit", function (ev) {
      ev.preventDefault();
      localStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
      signedIn(map).catch(function (e) { localStorage.removeItem(TOKEN_KEY); status(e.message); });
    });
    if (localStorage.getItem(TOKEN_KEY)) {
      signedIn(map).catch(function (e) { localStorage.removeItem(TOKEN_KEY); status(e.message); });
    } else {
      status("Sign in with a token to see checkpoints and corridors.");
    }
  });
})();
