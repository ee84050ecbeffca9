/* Draws the statistics dashboard with Apache ECharts (bundled), from the same data as the tables.
   Each chart can be downloaded as PNG (ECharts renders it) and as CSV (the table's data).
   The flow map uses the country shapes bundled with the app (world-atlas); no tiles are fetched. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  var config = JSON.parse(document.getElementById("stats-config").textContent);
  var palette = ["#1f5f8b", "#d9822b", "#3c8d5a", "#8b3a62", "#6b6b6b"];
  var charts = {};
  var tables = {};

  data.charts.forEach(function (c) { tables[c.key] = c; });
  tables.plan = { key: "plan", title: data.plan.plan, columns: config.planColumns, rows: data.plan.rows };

  function num(v) { return v === null || v === undefined ? null : v; }

  function lineOption(c) {
    return {
      color: palette, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: c.rows.map(function (r) { return String(r[0]); }) },
      yAxis: { type: "value" },
      series: c.columns.slice(1).map(function (name, i) {
        return { name: name, type: "line", connectNulls: false, data: c.rows.map(function (r) { return num(r[i + 1]); }) };
      })
    };
  }

  function barOption(c) {
    var rows = c.rows.slice().reverse();
    return {
      color: palette, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { top: 0 },
      grid: { left: 8, right: 30, top: 40, bottom: 20, containLabel: true },
      yAxis: { type: "category", data: rows.map(function (r) { return String(r[0]); }) },
      xAxis: { type: "value" },
      series: c.columns.slice(1).map(function (name, i) {
        return { name: name, type: "bar", data: rows.map(function (r) { return num(r[i + 1]); }) };
      })
    };
  }

  // An approximate centre for each country: the middle of its largest polygon's bounding box.
  function centres(features) {
    var out = {};
    features.forEach(function (f) {
      var polys = f.geometry ? (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates) : [];
      var best = null, bestArea = -1;
      polys.forEach(function (p) {
        var ring = p[0], minX = 180, maxX = -180, minY = 90, maxY = -90;
        ring.forEach(function (pt) { minX = Math.min(minX, pt[0]); maxX = Math.max(maxX, pt[0]); minY = Math.min(minY, pt[1]); maxY = Math.max(maxY, pt[1]); });
        var area = (maxX - minX) * (maxY - minY);
        if (area > bestArea) { bestArea = area; best = [(minX + maxX) / 2, (minY + maxY) / 2]; }
      });
      if (best) { out[String(f.id)] = best; }
    });
    return out;
  }

  function mapOption(c, geo) {
    var centre = centres(geo.features);
    var value = c.columns.length - 1;
    var lines = [], points = {};
    c.rows.forEach(function (r, i) {
      var codes = c.codes[i], from = centre[codes[0]], to = centre[codes[1]], v = r[value];
      if (!from || !to || v === null) { return; }
      points[codes[1]] = { name: String(r[1]), value: to.concat([v]) };
      if (codes[0] !== codes[1]) { lines.push({ coords: [from, to], value: v, name: r[0] + " → " + r[1] }); }
      else { points[codes[1]].value = to.concat([v]); }
    });
    var max = Math.max.apply(null, c.rows.map(function (r) { return r[value] || 0; }).concat([1]));
    return {
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (p.data.value instanceof Array ? p.data.value[2] : p.data.value); } },
      geo: { map: "alianza-world", roam: true, center: [-62, -18], zoom: 2.6,
             itemStyle: { areaColor: "#eef2f5", borderColor: "#9aa7b1" }, emphasis: { disabled: true } },
      series: [
        { type: "lines", coordinateSystem: "geo", data: lines, symbol: ["none", "arrow"], symbolSize: 8,
          lineStyle: { color: palette[1], curveness: 0.2, width: 1.5, opacity: 0.8 },
          emphasis: { lineStyle: { width: 3 } } },
        { type: "scatter", coordinateSystem: "geo", data: Object.keys(points).map(function (k) { return points[k]; }),
          symbolSize: function (v) { return 6 + 24 * Math.sqrt(v[2] / max); }, itemStyle: { color: palette[0] } }
      ]
    };
  }

  function draw(c, el, geo) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var option = c.kind === "line" ? lineOption(c) : c.kind === "map" ? mapOption(c, geo) : barOption(c);
    option.aria = { enabled: true };
    option.animation = false;
    chart.setOption(option);
    charts[c.key] = chart;
    el.setAttribute("data-rendered", "true");
  }

  function csv(c) {
    var esc = function (v) { v = v === null || v === undefined ? "" : String(v); return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
    return [c.columns].concat(c.rows).map(function (r) { return r.map(esc).join(","); }).join("\r\n") + "\r\n";
  }

  function save(href, name) {
    var a = document.createElement("a");
    a.href = href; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-download]");
    if (!button) { return; }
    var key = button.getAttribute("data-chart"), name = "alianza-" + key + "-" + data.year;
    if (button.getAttribute("data-download") === "png" && charts[key]) {
      save(charts[key].getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }), name + ".png");
    } else if (button.getAttribute("data-download") === "csv") {
      var url = URL.createObjectURL(new Blob(["\ufeff" + csv(tables[key])], { type: "text/csv;charset=utf-8" }));
      save(url, name + ".csv");
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }
  });

  function start(geo) {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.tagName === "BUTTON") { return; }
      var c = tables[el.getAttribute("data-chart")];
      if (c && c.rows.length && (c.kind !== "map" || geo.features.length)) { draw(c, el, geo); }
    });
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    document.body.setAttribute("data-charts-ready", "true");
  }

  fetch(config.atlas).then(function (r) { return r.json(); }).then(function (topo) {
    var geo = topojson.feature(topo, topo.objects.countries);
    echarts.registerMap("alianza-world", geo);
    start(geo);
  }).catch(function () { start({ features: [] }); });
})();
