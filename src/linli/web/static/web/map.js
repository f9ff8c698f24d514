/*
 * Linli maps, drawn with the vendored Leaflet (static/vendor/leaflet).
 *
 * The page holds an element with id "map" whose data-map-config names a JSON script
 * (Django's json_script) with the configuration:
 *   extent           [minLon, minLat, maxLon, maxLat] of the district, WGS-84
 *   tileUrl          optional tile URL template of an intranet tile server
 *   tileAttribution  the attribution shown with those tiles
 *   mode             "collection": load dataUrl (GeoJSON) and draw every compound;
 *                    "point": draw the one compound in `point`
 * With no tileUrl nothing is fetched from anywhere: the compounds are circles on a plain
 * background inside the district's extent rectangle. Status colours come from the CSS
 * custom properties --status-<value> in web/linli.css, so tables and maps agree.
 */
(function () {
  "use strict";

  var element = document.getElementById("map");
  if (!element || !window.L) {
    return;
  }
  var config = JSON.parse(document.getElementById(element.dataset.mapConfig).textContent);
  var styles = window.getComputedStyle(document.documentElement);

  function statusColour(status) {
    return styles.getPropertyValue("--status-" + status).trim() || "#6b7280";
  }

  function circleStyle(status) {
    return {
      radius: 7,
      color: "#ffffff",
      weight: 1.5,
      fillColor: statusColour(status),
      fillOpacity: 0.92,
    };
  }

  // Popup content is built as DOM nodes so names from the registry are never parsed as HTML.
  function popupFor(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    title.textContent = properties.name;
    box.appendChild(title);
    var facts = [
      properties.code,
      properties.status_label,
      [properties.subdistrict, properties.community].filter(Boolean).join(" · "),
      properties.zone,
      properties.year_built ? String(properties.year_built) : "",
    ];
    facts.forEach(function (text) {
      if (text) {
        var line = document.createElement("div");
        line.textContent = text;
        box.appendChild(line);
      }
    });
    if (properties.url) {
      var link = document.createElement("a");
      link.href = properties.url;
      link.textContent = (config.labels && config.labels.open) || "→";
      box.appendChild(link);
    }
    return box;
  }

  var extent = config.extent;
  var districtBounds = L.latLngBounds([extent[1], extent[0]], [extent[3], extent[2]]);
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  map.fitBounds(districtBounds, { padding: [12, 12] });

  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
    // prefix: false drops Leaflet's own link; only the tile server's attribution is shown.
    L.control.attribution({ prefix: false }).addTo(map);
  } else {
    element.classList.add("no-tiles");
  }
  L.control.scale({ imperial: false }).addTo(map);

  var extentLabel = (config.labels && config.labels.extent) || "";
  L.rectangle(districtBounds, {
    color: "#64748b",
    weight: 1.5,
    dashArray: "6 4",
    fillColor: "#94a3b8",
    fillOpacity: 0.06,
    interactive: false,
  }).addTo(map);
  if (extentLabel) {
    var labelText = document.createElement("span");
    labelText.textContent = extentLabel;
    L.marker(districtBounds.getNorthWest(), {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "map-extent-label", html: labelText, iconSize: null }),
    }).addTo(map);
  }

  if (config.mode === "point") {
    var point = config.point;
    var latLng = L.latLng(point.lat, point.lon);
    L.circleMarker(latLng, circleStyle(point.status)).addTo(map).bindTooltip(point.name);
    if (config.tileUrl) {
      map.setView(latLng, 16);
    } else {
      // On a plain background a close-up shows nothing: show where it sits in the district.
      map.fitBounds(districtBounds.extend(latLng), { padding: [8, 8] });
    }
    return;
  }

  var statusLine = document.getElementById("map-status-line");

  function addLegend(counts) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var heading = document.createElement("strong");
      heading.textContent = (config.labels && config.labels.legend) || "";
      box.appendChild(heading);
      (config.statuses || []).forEach(function (status) {
        var row = document.createElement("div");
        row.className = "map-legend-row";
        row.dataset.status = status.value;
        var swatch = document.createElement("span");
        swatch.className = "map-legend-swatch";
        swatch.style.background = statusColour(status.value);
        row.appendChild(swatch);
        row.appendChild(
          document.createTextNode(status.label + " (" + (counts[status.value] || 0) + ")")
        );
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);
  }

  fetch(config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status + " " + response.statusText);
      }
      return response.json();
    })
    .then(function (collection) {
      var counts = {};
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latLng) {
          return L.circleMarker(latLng, circleStyle(feature.properties.status));
        },
        onEachFeature: function (feature, marker) {
          var status = feature.properties.status;
          counts[status] = (counts[status] || 0) + 1;
          marker.bindPopup(function () {
            return popupFor(feature.properties);
          });
          marker.bindTooltip(feature.properties.name);
        },
      }).addTo(map);
      element.dataset.features = String(collection.features.length);
      addLegend(counts);
      if (layer.getLayers().length) {
        var view = L.latLngBounds(districtBounds.getSouthWest(), districtBounds.getNorthEast());
        map.fitBounds(view.extend(layer.getBounds()), { padding: [12, 12] });
      }
      if (statusLine && collection.without_coordinates && config.labels.missing) {
        statusLine.textContent = config.labels.missing.replace(
          "%(count)s",
          String(collection.without_coordinates)
        );
      }
    })
    .catch(function (error) {
      element.dataset.error = String(error);
      if (statusLine) {
        statusLine.textContent = String(error);
      }
    });
})();
