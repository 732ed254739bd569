// The dashboard's script: reads GetCostReport and ListModels over Connect (JSON) on the same origin, with the key
// kept in this tab's sessionStorage (never in a URL), and redraws every REFRESH_MS. It only reads.
"use strict";
(() => {
  const KEY = "llmgateway.dashboard.key";
  const REFRESH_MS = 15000;
  const DIMENSIONS = { model: "DIMENSION_MODEL", provider: "DIMENSION_PROVIDER", route: "DIMENSION_ROUTE", client_key: "DIMENSION_CLIENT_KEY", operation: "DIMENSION_OPERATION" };
  const $ = (id) => document.getElementById(id);
  let chart;
  let timer;

  /** One Connect unary call; rejects with the Connect error's code and message. */
  async function rpc(method, body) {
    const headers = { "content-type": "application/json", "connect-protocol-version": "1" };
    const key = sessionStorage.getItem(KEY);
    if (key) headers.authorization = `Bearer ${key}`;
    const res = await fetch(`/llmgateway.v1.GatewayService/${method}`, { method: "POST", headers, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(json.message || res.statusText), { code: json.code || String(res.status) });
    return json;
  }

  const num = (v) => Number(v ?? 0);
  const int = (v) => num(v).toLocaleString("en-US");
  const usd = (m) => `$${m?.decimal ?? "0"}`;
  const pct = (v) => `${(num(v) * 100).toFixed(1)}%`;
  const secs = (d) => (d ? `${(parseFloat(d) * 1000).toFixed(0)} ms` : "-");
  const text = (tag, value, attrs = {}) => {
    const el = document.createElement(tag);
    el.textContent = value;
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };

  function status(message, error = false) {
    const el = $("status");
    el.textContent = message;
    el.className = error ? "error" : "";
  }

  function period() {
    const hourly = $("period").value === "24h";
    const end = new Date();
    const start = new Date(end.getTime() - (hourly ? 24 : 30 * 24) * 3600 * 1000);
    return { startTime: start.toISOString(), endTime: end.toISOString(), time: hourly ? "DIMENSION_HOUR" : "DIMENSION_DAY", timeKey: hourly ? "hour" : "day" };
  }

  function cards(total, baseline) {
    const t = total ?? {};
    const items = [
      ["spend", "Spend", usd(t.cost)],
      ["requests", "Requests", int(t.requests)],
      ["success", "Success rate", pct(t.successRate)],
      ["tokens-in", "Tokens in", int(t.inputTokens)],
      ["tokens-out", "Tokens out", int(t.outputTokens)],
      ["tokens-cached", "Cached tokens in", int(t.cachedInputTokens)],
      ["failovers", "Failovers / hedges", `${int(t.failovers)} / ${int(t.hedges)}`],
      ["saved", `Saved against ${baseline || "baseline"}`, t.savings ? `${usd(t.savings.saved)} (${num(t.savings.savedPercent).toFixed(1)}%)` : "-"],
      ["latency", "Latency p50 / p95 / p99", `${secs(t.latency?.p50)} / ${secs(t.latency?.p95)} / ${secs(t.latency?.p99)}`],
      ["ttft", "First token p50 / p95", `${secs(t.timeToFirstToken?.p50)} / ${secs(t.timeToFirstToken?.p95)}`],
    ];
    $("cards").replaceChildren(
      ...items.map(([id, label, value]) => {
        const card = text("div", "", { class: "card" });
        card.append(text("div", label, { class: "label" }), text("div", value, { class: "value", "data-testid": `card-${id}` }));
        return card;
      }),
    );
  }

  function table(el, head, rows) {
    const thead = document.createElement("tr");
    thead.append(...head.map((h) => text("th", h)));
    el.replaceChildren(thead, ...rows.map((cells) => {
      const tr = document.createElement("tr");
      tr.append(...cells.map((c) => (c instanceof Node ? wrap(c) : text("td", c))));
      return tr;
    }));
  }

  function wrap(node) {
    const td = document.createElement("td");
    td.append(node);
    return td;
  }

  function groups(report, dim) {
    $("table-title").textContent = `By ${$("dimension").selectedOptions[0].textContent}`;
    const rows = (report.groups ?? []).map((g) => [
      g.key?.[dim] || "-", int(g.requests), pct(g.successRate), int(g.inputTokens), int(g.outputTokens), int(g.cachedInputTokens),
      usd(g.cost), secs(g.latency?.p50), secs(g.latency?.p95), secs(g.timeToFirstToken?.p50), int(g.failovers), int(g.hedges),
    ]);
    table($("groups"), [dim, "requests", "success", "tokens in", "tokens out", "cached", "cost", "p50", "p95", "TTFT p50", "failovers", "hedges"], rows);
  }

  function models(list) {
    const rows = (list.models ?? []).map((m) => [
      m.name, m.provider, (m.kind ?? "MODEL_KIND_CHAT").replace("MODEL_KIND_", "").toLowerCase(), usd(m.pricing?.inputPerMtok),
      m.kind === "MODEL_KIND_EMBEDDING" ? "-" : usd(m.pricing?.outputPerMtok), m.kind === "MODEL_KIND_EMBEDDING" ? "-" : usd(m.pricing?.cachedInputPerMtok), text("span", (m.health ?? "HEALTH_UNSPECIFIED").replace("HEALTH_", "").toLowerCase().replace("_", " "), { class: `health ${m.health}` }),
    ]);
    table($("models"), ["model", "provider", "kind", "input $/M", "output $/M", "cached $/M", "health"], rows);
  }

  function draw(report, dim, timeKey) {
    const times = [...new Set((report.groups ?? []).map((g) => g.key?.[timeKey]).filter(Boolean))].sort();
    const names = [...new Set((report.groups ?? []).map((g) => g.key?.[dim] || "-"))].sort();
    const at = new Map(times.map((t, i) => [t, i]));
    const series = names.map(() => times.map(() => 0));
    for (const g of report.groups ?? []) series[names.indexOf(g.key?.[dim] || "-")][at.get(g.key?.[timeKey])] += parseFloat(g.cost?.decimal ?? "0");
    const xs = times.map((t) => Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t.replace("Z", ":00Z")) / 1000);
    const el = $("chart");
    const width = Math.max(280, el.clientWidth - 16);
    const colors = ["#3b6fd8", "#d8703b", "#2f9e6a", "#a24bd1", "#c9a227", "#d23f6d", "#4aa3b5", "#6d6d6d"];
    const p = period();
    const opts = {
      width, height: 260,
      scales: { x: { time: true, range: [Date.parse(p.startTime) / 1000, Date.parse(p.endTime) / 1000] } },
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 2, points: { show: true, size: 6 }, value: (_, v) => (v == null ? "-" : `$${v.toFixed(6)}`) }))],
      axes: [{}, { size: 80, values: (_, ticks) => ticks.map((v) => `$${v}`) }],
    };
    if (chart) chart.destroy();
    el.replaceChildren();
    if (times.length === 0) {
      el.append(text("p", "No traffic in this period.", { class: "muted" }));
      chart = undefined;
      return;
    }
    chart = new uPlot(opts, [xs, ...series], el);
  }

  async function refresh() {
    clearTimeout(timer);
    const dim = $("dimension").value;
    const p = period();
    try {
      const [byTime, byDim, list] = await Promise.all([
        rpc("GetCostReport", { startTime: p.startTime, endTime: p.endTime, groupBy: [p.time, DIMENSIONS[dim]] }),
        rpc("GetCostReport", { startTime: p.startTime, endTime: p.endTime, groupBy: [DIMENSIONS[dim]] }),
        rpc("ListModels", {}),
      ]);
      cards(byDim.total, byDim.baselineModel);
      groups(byDim, dim);
      models(list);
      draw(byTime, dim, p.timeKey);
      status(sessionStorage.getItem(KEY) ? "Showing what this key may see." : "Showing everything (no key sent).");
      $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      if (err.code === "unauthenticated") status(sessionStorage.getItem(KEY) ? "This key was refused: check it and try again." : "This gateway needs a client key: type it above.", true);
      else if (err.code === "permission_denied") status(`This key may not read reports: ${err.message}`, true);
      else status(`Could not load the report: ${err.message}`, true);
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  $("key-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const key = $("key").value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    $("key").value = "";
    refresh();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    refresh();
  });
  window.addEventListener("resize", () => chart?.setSize({ width: Math.max(280, $("chart").clientWidth - 16), height: 260 }));
  $("period").addEventListener("change", refresh);
  $("dimension").addEventListener("change", refresh);
  refresh();
})();
