// Builds the offline basemap from Natural Earth (npm package world-atlas).
//
//   node scripts/build-basemap.cjs            -> build/basemap-countries.geojson
//   node scripts/build-basemap.cjs --outline  -> also ../geodata/kyrgyzstan.geojson
//
// The basemap keeps only the countries around Kyrgyzstan so pages stay small;
// the outline (1:10m, the finest Natural Earth scale) is committed in geodata/
// and is what the backend uses to check that geometry lies in the region.
const fs = require("fs");
const path = require("path");
const topojson = require("topojson-client");

const KYRGYZSTAN_ISO_NUMERIC = "417";
// lon/lat box of Central Asia and its neighbours, degrees
const REGION_BBOX = [55.0, 30.0, 95.0, 52.0];

function readAtlas(name) {
  const file = path.join(__dirname, "..", "node_modules", "world-atlas", name);
  const topology = JSON.parse(fs.readFileSync(file, "utf8"));
  return topojson.feature(topology, topology.objects.countries);
}

function bbox(geometry) {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === "number") {
      minX = Math.min(minX, c[0]); maxX = Math.max(maxX, c[0]);
      minY = Math.min(minY, c[1]); maxY = Math.max(maxY, c[1]);
    } else c.forEach(walk);
  };
  walk(geometry.coordinates);
  return [minX, minY, maxX, maxY];
}

function intersectsRegion(feature) {
  if (!feature.geometry) return false;
  const [minX, minY, maxX, maxY] = bbox(feature.geometry);
  return !(maxX < REGION_BBOX[0] || minX > REGION_BBOX[2] || maxY < REGION_BBOX[1] || minY > REGION_BBOX[3]);
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
  console.log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)`);
}

const countries50m = readAtlas("countries-50m.json");
const basemap = {
  type: "FeatureCollection",
  features: countries50m.features.filter(intersectsRegion).map((f) => ({
    type: "Feature",
    id: f.id,
    properties: { name: f.properties.name, iso_numeric: f.id },
    geometry: f.geometry,
  })),
};
writeJson(path.join(__dirname, "..", "build", "basemap-countries.geojson"), basemap);

if (process.argv.includes("--outline")) {
  const kg = readAtlas("countries-10m.json").features.find((f) => f.id === KYRGYZSTAN_ISO_NUMERIC);
  writeJson(path.join(__dirname, "..", "..", "geodata", "kyrgyzstan.geojson"), {
    type: "FeatureCollection",
    features: [{
      type: "Feature",
      properties: {
        name: "Kyrgyzstan",
        iso_numeric: KYRGYZSTAN_ISO_NUMERIC,
        source: "Natural Earth 1:10m admin-0 countries, via npm world-atlas 2.0.2 (public domain)",
      },
      geometry: kg.geometry,
    }],
  });
}
