// Leaflet maps of the stations pages. Everything a map shows comes from JSON data blocks
// (<script type="application/json">), so there is no inline script and the CSP stays strict;
// every page also lists the same facts as plain HTML, so it works without this file.
(function () {
  "use strict";

  var COLOURS = {
    covered: "#1e8e3e",
    uncovered: "#b42318",
    station: "#1d4ed8",
    closed: "#667085",
    chosen: "#c0392b",
    newSite: "#d97706",
    notChosen: "#98a2b3",
    you: "#7c3aed"
  };

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function tiles(cfg) {
    var options = { maxZoom: cfg.maxZoom || 18, attribution: cfg.attribution || "" };
    if (cfg.subdomains) { options.subdomains = cfg.subdomains; }
    return options;
  }

  function initMap(el) {
    var cfg = readJSON(el.getAttribute("data-config"));
    if (!cfg || !window.L) { return; }
    var layers = readJSON(el.getAttribute("data-layers")) || {};
    var map = window.L.map(el, { scrollWheelZoom: false, tap: true });
    window.L.tileLayer(cfg.tiles, tiles(cfg)).addTo(map);
    if (cfg.labels) { window.L.tileLayer(cfg.labels, tiles(cfg)).addTo(map); }
    var text = cfg.text || {};
    var bounds = [];

    if (layers.origin) {
      // The walking circle first, so every marker lies above it.
      if (layers.radius) {
        window.L.circle(layers.origin, { radius: layers.radius, color: COLOURS.you, weight: 1, fillOpacity: 0.05 }).addTo(map);
        // Fit the whole circle: its own bounds need the map's projection, so take them from the
        // radius in degrees (1° of latitude ≈ 111.2 km).
        var dLat = layers.radius / 111195;
        var dLng = dLat / Math.cos(layers.origin[0] * Math.PI / 180);
        bounds.push([layers.origin[0] - dLat, layers.origin[1] - dLng], [layers.origin[0] + dLat, layers.origin[1] + dLng]);
      }
      window.L.circleMarker(layers.origin, { radius: 7, color: "#fff", fillColor: COLOURS.you, fillOpacity: 1, weight: 2 })
        .bindTooltip(esc(text.you)).addTo(map);
      bounds.push(layers.origin);
    }

    (layers.points || []).forEach(function (p) {
      var r = Math.max(3, Math.min(12, Math.sqrt((p.weight || 0) / 400)));
      var colour = p.covered ? COLOURS.covered : COLOURS.uncovered;
      window.L.circleMarker([p.lat, p.lng], { radius: r, color: colour, fillColor: colour, fillOpacity: 0.45, weight: 1 })
        .bindTooltip(esc(p.name) + " · " + esc(Math.round(p.weight || 0)) + " · " + esc(p.covered ? text.covered : text.uncovered))
        .addTo(map);
      bounds.push([p.lat, p.lng]);
    });

    (layers.stations || []).forEach(function (s) {
      var colour = s.open === false ? COLOURS.closed : COLOURS.station;
      var marker = window.L.circleMarker([s.lat, s.lng], { radius: 8, color: "#fff", fillColor: colour, fillOpacity: 0.95, weight: 2 });
      var html = s.url ? '<a href="' + esc(s.url) + '">' + esc(s.name) + "</a>" : esc(s.name);
      if (s.minutes != null) { html += " · " + esc(s.minutes) + "′"; }
      marker.bindPopup(html).addTo(map);
      bounds.push([s.lat, s.lng]);
    });

    (layers.sites || []).forEach(function (s) {
      var colour = s.chosen ? (s.kind === "new" ? COLOURS.newSite : COLOURS.chosen) : COLOURS.notChosen;
      var label = s.chosen ? (s.kind === "new" ? text.newSite : text.chosen) : text.notChosen;
      window.L.circleMarker([s.lat, s.lng], { radius: s.chosen ? 8 : 5, color: "#fff", fillColor: colour, fillOpacity: 0.95, weight: 2 })
        .bindPopup(esc(s.name) + " · " + esc(label))
        .addTo(map);
      bounds.push([s.lat, s.lng]);
    });

    var marker = null;
    if (cfg.pick) {
      var lat = document.querySelector("[data-map-lat]");
      var lng = document.querySelector("[data-map-lng]");
      var crs = document.querySelector("[data-map-crs]");
      if (cfg.marker) { marker = window.L.marker(cfg.marker).addTo(map); }
      map.on("click", function (event) {
        var ll = event.latlng;
        if (marker) { marker.setLatLng(ll); } else { marker = window.L.marker(ll).addTo(map); }
        if (lat) { lat.value = ll.lat.toFixed(6); }
        if (lng) { lng.value = ll.lng.toFixed(6); }
        // The point is in the tiles' own coordinates: GCJ-02 on 高德, WGS-84 otherwise.
        if (crs) { crs.value = cfg.crs; }
        marker.bindTooltip(esc(text.picked)).openTooltip();
      });
    }

    if (bounds.length > 1 && !cfg.pick) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    } else if (cfg.center) {
      map.setView(cfg.center, cfg.zoom || 14);
    } else if (bounds.length) {
      map.setView(bounds[0], cfg.zoom || 14);
    } else {
      map.setView([30.411, 104.547], 11);
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".st-js-only"), function (el) { el.hidden = false; });
    Array.prototype.forEach.call(document.querySelectorAll(".st-map"), initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
