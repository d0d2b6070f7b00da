// The report's what-if (src/output/whatif.rs): the ranking of src/portfolio/rank.rs rerun
// on figures prospect computed on a grid of price factors x discount rates.
// The script stands before the table it rewrites: it starts once the page is parsed.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var D = JSON.parse(document.getElementById("whatif-data").textContent);
  var C = D.criteria, G = D.groups, n = D.ids.length;
  var SUB = 13; // sub-criteria per project, then risked NPV, years P50, chance
  var el = function (id) { return document.getElementById(id); };
  var price = el("wi-price"), rate = el("wi-rate"), status = el("wi-status");
  var weightInput = {};
  C.forEach(function (c) { weightInput[c] = el("wi-w-" + c); });

  // Where x falls on an ascending axis: [i, j, t], the value being (1-t) v[i] + t v[j].
  function locate(axis, x) {
    if (x <= axis[0]) return [0, 0, 0];
    var last = axis.length - 1;
    if (x >= axis[last]) return [last, last, 0];
    for (var i = 0; i < last; i++) {
      if (x === axis[i]) return [i, i, 0];
      if (x < axis[i + 1]) return [i, i + 1, (x - axis[i]) / (axis[i + 1] - axis[i])];
    }
    return [last, last, 0];
  }

  // Bilinear interpolation of get(i, j) (a number or null); at a grid point, the value as
  // computed; a null among the corners that count gives the nearest corner's value.
  function interp(lk, lr, get) {
    var corners = [[lk[0], lr[0], (1 - lk[2]) * (1 - lr[2])], [lk[1], lr[0], lk[2] * (1 - lr[2])],
                   [lk[0], lr[1], (1 - lk[2]) * lr[2]], [lk[1], lr[1], lk[2] * lr[2]]];
    var used = corners.filter(function (c) { return c[2] > 0; });
    if (used.length === 1) return get(used[0][0], used[0][1]);
    var vals = used.map(function (c) { return get(c[0], c[1]); });
    if (vals.some(function (v) { return v === null; })) {
      var best = used.reduce(function (a, b) { return b[2] > a[2] ? b : a; });
      return get(best[0], best[1]);
    }
    var s = 0;
    for (var k = 0; k < used.length; k++) s += used[k][2] * vals[k];
    return s;
  }

  // rank.rs percentile_ranks: values below plus half the other equal ones, over n - 1;
  // a missing value ranks lowest.
  function percentileRanks(values) {
    var m = values.length, out = new Array(m);
    if (m <= 1) { for (var q = 0; q < m; q++) out[q] = 1; return out; }
    var key = function (i) { return values[i] === null ? -Infinity : values[i]; };
    var order = [];
    for (var i = 0; i < m; i++) order.push(i);
    order.sort(function (a, b) { var x = key(a), y = key(b); return x < y ? -1 : x > y ? 1 : 0; });
    var start = 0;
    while (start < m) {
      var end = start + 1;
      while (end < m && key(order[end]) === key(order[start])) end++;
      var r = (start + (end - start - 1) / 2) / (m - 1);
      for (var j = start; j < end; j++) out[order[j]] = r;
      start = end;
    }
    return out;
  }

  // rank.rs normalised_weights: raw weights over their sum, in CRITERIA order.
  function weights() {
    var raw = {}, total = 0;
    for (var i = 0; i < C.length; i++) {
      var v = Number(weightInput[C[i]].value);
      if (weightInput[C[i]].value.trim() === "" || !isFinite(v) || v < 0) {
        return { error: "weight " + C[i] + " is not a non-negative number" };
      }
      raw[C[i]] = v;
    }
    for (var k = 0; k < C.length; k++) total += raw[C[k]];
    if (!(total > 0)) return { error: "the weights sum to zero" };
    var w = {};
    C.forEach(function (c) { w[c] = raw[c] / total; });
    return { w: w, raw: raw };
  }

  function fixed(v, d) { return v === null ? "–" : v.toFixed(d); }

  function rerank(k, r, W) {
    var lk = locate(D.price_factors, k), lr = locate(D.discount_rates_pct, r);
    var fig = function (p, f) {
      return interp(lk, lr, function (i, j) { return D.points[i][j][p][f]; });
    };
    var cols = [];
    for (var f = 0; f < SUB; f++) {
      var col = [];
      for (var p = 0; p < n; p++) col.push(fig(p, f));
      cols.push(percentileRanks(col));
    }
    var rows = [];
    for (var q = 0; q < n; q++) {
      var criteria = {}, off = 0;
      for (var g = 0; g < C.length; g++) {
        var s = 0;
        for (var c = off; c < off + G[g]; c++) s += cols[c][q];
        criteria[C[g]] = s / G[g];
        off += G[g];
      }
      var contributions = {};
      C.forEach(function (c) { contributions[c] = criteria[c] * W[c]; });
      // BTreeMap order, as rank.rs sums them.
      var score = 0;
      C.slice().sort().forEach(function (c) { score += contributions[c]; });
      rows.push({ i: q, id: D.ids[q], score: score, contributions: contributions,
                  risked: fig(q, SUB), years: fig(q, SUB + 1), chance: fig(q, SUB + 2) });
    }
    // rank.rs flag_pareto: nobody at least as good on risked value, speed and chance and
    // better on one.
    var pt = function (x) { return [x.risked === null ? -Infinity : x.risked, -x.years, x.chance]; };
    rows.forEach(function (a) {
      var pa = pt(a);
      a.pareto = !rows.some(function (b) {
        var pb = pt(b), ge = true, gt = false;
        for (var z = 0; z < 3; z++) { ge = ge && pb[z] >= pa[z]; gt = gt || pb[z] > pa[z]; }
        return ge && gt;
      });
    });
    rows.sort(function (a, b) {
      if (a.score !== b.score) return b.score > a.score ? 1 : -1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    return { rows: rows, lk: lk, lr: lr };
  }

  function drawTable(rows) {
    var html = "";
    rows.forEach(function (x, at) {
      html += "<tr data-id=\"" + x.id.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;") +
        "\" data-score=\"" + x.score + "\" data-risked=\"" + (x.risked === null ? "" : x.risked) + "\"><td>" + (at + 1) + "</td><td>" + D.cells[x.i] + "</td><td>" + x.score.toFixed(3) + "</td>";
      C.forEach(function (c) { html += "<td>" + x.contributions[c].toFixed(3) + "</td>"; });
      html += "<td>" + fixed(x.risked, 0) + "</td><td>" + fixed(x.years, 1) + "</td><td>" + fixed(x.chance, 2) + "</td><td>" + (x.pareto ? "yes" : "") + "</td></tr>";
    });
    document.querySelector("#ranking tbody").innerHTML = html;
  }

  function drawSupply(lk, lr) {
    ["ndpr", "dytb"].forEach(function (name, o) {
      var svg = el("supply-" + name);
      if (!svg) return;
      var x0 = Number(svg.dataset.x0), dx = Number(svg.dataset.dx);
      var yb = Number(svg.dataset.ybase), ky = Number(svg.dataset.ky);
      var years = D.supply[0][0][o].base.length;
      var s = function (what, y) {
        return interp(lk, lr, function (i, j) { return D.supply[i][j][o][what][y]; });
      };
      var pts = function (what) {
        var out = [];
        for (var y = 0; y < years; y++) out.push((x0 + y * dx).toFixed(1) + "," + (yb - s(what, y) * ky).toFixed(1));
        return out;
      };
      ["base", "expected", "mined"].forEach(function (what) {
        var line = svg.querySelector("[data-wi=\"" + what + "\"]");
        if (line) line.setAttribute("points", pts(what).join(" "));
      });
      var band = svg.querySelector("[data-wi=\"band\"]");
      if (band) band.setAttribute("points", pts("early").concat(pts("late").reverse()).join(" "));
    });
  }

  function update() {
    var k = Number(price.value), r = Number(rate.value);
    el("wi-price-out").textContent = k.toFixed(2);
    el("wi-rate-out").textContent = r.toFixed(1);
    var W = weights();
    if (W.error) { status.textContent = "Not rerun: " + W.error + "."; return; }
    var res = rerank(k, r, W.w);
    drawTable(res.rows);
    drawSupply(res.lk, res.lr);
    var exact = res.lk[2] === 0 && res.lr[2] === 0;
    var args = "--price-factor " + k + " --discount-rate " + r + " --as-of " + D.as_of + " --draws " + D.draws +
      (D.seed === null ? "" : " --seed " + D.seed) +
      C.map(function (c) { return " --weight " + c + "=" + W.raw[c]; }).join("");
    var where = exact ? "computed by prospect at this point" :
      "interpolated between price factors " + D.price_factors[res.lk[0]] + " and " + D.price_factors[res.lk[1]] +
      " and rates " + D.discount_rates_pct[res.lr[0]] + " and " + D.discount_rates_pct[res.lr[1]] + " %";
    var met = "";
    if (D.target !== null) {
      var nk = res.lk[res.lk[2] < 0.5 ? 0 : 1], nr = res.lr[res.lr[2] < 0.5 ? 0 : 1];
      var m = D.met[nk][nr];
      met = " Target " + D.target + " at the nearest computed point (price factor " + D.price_factors[nk] + ", " +
        D.discount_rates_pct[nr] + " %): separated base supply " + (m[0] === null ? "not met within the horizon" : "met in " + m[0]) +
        ", chance-weighted " + (m[1] === null ? "not met" : "met in " + m[1]) + ".";
    }
    status.textContent = "Ranking at " + k.toFixed(2) + " × " + D.scenario + ", " + r.toFixed(1) + " % real: " + where +
      ". The same with the CLI: prospect rank FILES " + args + "." + met;
    document.body.dataset.whatif = exact ? "exact" : "interpolated";
  }

  [price, rate].forEach(function (c) { c.addEventListener("input", update); });
  C.forEach(function (c) { weightInput[c].addEventListener("input", update); });
  el("wi-reset").addEventListener("click", function () {
    price.value = String(D.base_price_factor);
    rate.value = String(D.base_discount_rate_pct);
    C.forEach(function (c) { weightInput[c].value = String(D.base_weights[c] || 0); });
    update();
  });
  update();
});
