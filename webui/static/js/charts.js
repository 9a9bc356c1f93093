/*
 * Draws every <div class="chart" data-chart="ID"> from the JSON data block with id ID:
 * {"kind": "line"|"bar", "x": [...], "x_type": "time"|"category",
 *  "series": [{"label": str, "values": [number|null, ...]}], "unit": "ms"|"$"|"%"|"", "title": str}
 * Time values are unix seconds, shown in UTC like the rest of the UI.
 */
(function () {
  "use strict";
  if (window.llmobsCharts) return; // loaded twice (base.html and a screen): draw once

  var PALETTE = ["#2f5bd3", "#e0702b", "#2a9d6f", "#c43d5a", "#8a5cd1", "#b38b12",
                 "#1f8fa8", "#6b7280", "#d35ea8", "#4d7c0f"];
  var EMPTY_TEXT = "No data in this period";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function formatTime(ms, spanMs) {
    var d = new Date(ms);
    var day = pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
    var clock = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
    if (spanMs <= 36 * 3600 * 1000) return clock;
    if (spanMs <= 8 * 86400 * 1000) return day + " " + clock;
    return day;
  }

  // Tick spacing that lands on round UTC times (whole hours, midnights) with ~4-10 ticks.
  var STEPS_MIN = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160];

  function timeStep(spanMs) {
    var minutes = spanMs / 60000;
    for (var i = 0; i < STEPS_MIN.length; i++) {
      if (minutes / STEPS_MIN[i] <= 10) return STEPS_MIN[i] * 60000;
    }
    return STEPS_MIN[STEPS_MIN.length - 1] * 60000 * Math.ceil(minutes / 10 / 20160);
  }

  function roundTicks(min, max, spanMs) {
    var step = timeStep(spanMs);
    var ticks = [];
    for (var t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push({value: t});
    return ticks;
  }

  function fullTime(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
  }

  function formatNumber(value) {
    var abs = Math.abs(value);
    if (abs >= 1e9) return (value / 1e9).toFixed(1).replace(/\.0$/, "") + "G";
    if (abs >= 1e6) return (value / 1e6).toFixed(1).replace(/\.0$/, "") + "M";
    if (abs >= 1e4) return (value / 1e3).toFixed(1).replace(/\.0$/, "") + "k";
    if (abs >= 100 || abs === 0) return String(Math.round(value));
    if (abs >= 1) return String(Math.round(value * 100) / 100);
    return String(Number(value.toPrecision(2)));
  }

  function withUnit(value, unit) {
    if (value === null || value === undefined || isNaN(value)) return "–";
    if (unit === "$") return "$" + formatNumber(value);
    if (unit === "%") return formatNumber(value) + " %";
    if (unit) return formatNumber(value) + " " + unit;
    return formatNumber(value);
  }

  function hasData(spec) {
    if (!spec || !Array.isArray(spec.x) || spec.x.length === 0) return false;
    if (!Array.isArray(spec.series)) return false;
    return spec.series.some(function (s) {
      return Array.isArray(s.values) && s.values.some(function (v) {
        return v !== null && v !== undefined;
      });
    });
  }

  function showEmpty(el, text) {
    el.textContent = "";
    var p = document.createElement("p");
    p.className = "chart-empty";
    p.textContent = text;
    el.appendChild(p);
    el.setAttribute("data-chart-state", "empty");
  }

  function readSpec(el) {
    var block = document.getElementById(el.getAttribute("data-chart"));
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (e) {
      return null;
    }
  }

  // A value between two gaps draws no line: show it as a dot instead.
  function isolated(values, i) {
    var v = values[i];
    if (v === null || v === undefined) return false;
    var before = i > 0 ? values[i - 1] : null;
    var after = i < values.length - 1 ? values[i + 1] : null;
    return (before === null || before === undefined) && (after === null || after === undefined);
  }

  function datasets(spec, isTime) {
    return spec.series.map(function (s, i) {
      var color = PALETTE[i % PALETTE.length];
      var data = isTime
        ? spec.x.map(function (t, j) { return {x: t * 1000, y: s.values[j]}; })
        : s.values;
      return {
        label: s.label,
        data: data,
        borderColor: color,
        pointBackgroundColor: color,
        backgroundColor: spec.kind === "bar" ? color : color + "22",
        borderWidth: spec.kind === "bar" ? 0 : 2,
        pointRadius: function (ctx) { return isolated(s.values, ctx.dataIndex) ? 2.5 : 0; },
        pointHitRadius: 6,
        tension: 0.2,
        spanGaps: false,
        fill: false
      };
    });
  }

  function config(spec, showTitle) {
    var isTime = spec.x_type === "time";
    var unit = spec.unit || "";
    var spanMs = isTime && spec.x.length > 1
      ? (spec.x[spec.x.length - 1] - spec.x[0]) * 1000 : 0;
    var xScale = isTime
      ? {type: "linear", min: spec.x[0] * 1000, max: spec.x[spec.x.length - 1] * 1000,
         ticks: {maxRotation: 0, autoSkipPadding: 12,
                 callback: function (v) { return formatTime(v, spanMs); }},
         afterBuildTicks: function (axis) { axis.ticks = roundTicks(axis.min, axis.max, spanMs); },
         grid: {display: false}}
      : {type: "category", ticks: {autoSkip: true, maxRotation: 45}, grid: {display: false}};
    if (spec.kind === "bar" && isTime) xScale.offset = true;
    return {
      type: spec.kind === "bar" ? "bar" : "line",
      data: {labels: isTime ? undefined : spec.x, datasets: datasets(spec, isTime)},
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        scales: {
          x: xScale,
          y: {
            beginAtZero: true,
            title: {display: Boolean(unit), text: unit},
            ticks: {callback: function (v) { return withUnit(v, unit); }}
          }
        },
        plugins: {
          legend: {display: spec.series.length > 1, position: "bottom",
                   labels: {boxWidth: 12, boxHeight: 12}},
          title: {display: showTitle, text: spec.title, align: "start"},
          tooltip: {callbacks: {
            title: function (items) {
              if (!items.length) return "";
              return isTime ? fullTime(items[0].parsed.x) : items[0].label;
            },
            label: function (item) {
              return item.dataset.label + ": " + withUnit(item.parsed.y, unit);
            }
          }}
        }
      }
    };
  }

  function draw(el) {
    if (el.getAttribute("data-chart-state")) return;
    var spec = readSpec(el);
    if (!hasData(spec)) {
      showEmpty(el, el.getAttribute("data-empty-text") || EMPTY_TEXT);
      return;
    }
    if (typeof window.Chart !== "function") {
      showEmpty(el, "The chart library did not load.");
      return;
    }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", spec.title || "chart");
    el.textContent = "";
    el.appendChild(canvas);
    // A panel's heading already names its chart; a bare chart shows its own title.
    var panel = el.closest(".panel");
    var showTitle = Boolean(spec.title) && !(panel && panel.querySelector("h2, h3"));
    el.chart = new window.Chart(canvas, config(spec, showTitle));
    el.setAttribute("data-chart-state", "drawn");
  }

  function drawAll(root) {
    root = root || document;
    if (root.matches && root.matches(".chart[data-chart]")) draw(root);
    if (root.querySelectorAll) root.querySelectorAll(".chart[data-chart]").forEach(draw);
  }

  window.llmobsCharts = {draw: draw, drawAll: drawAll, withUnit: withUnit};

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  // Content swapped in by htmx brings its own charts.
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
})();
