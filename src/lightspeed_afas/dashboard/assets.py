"""The dashboard's static assets: the nav icon, the style sheet and the Re-sync script (inline, no build
step and no external files: the page works inside the Airflow UI's iframe and offline)."""

# The nav icon: two boxes and an arrow (served by the app at /icon.svg; public, like the UI's own icons).
ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="2" y="6" width="6" height="12" rx="1"/>'
    '<rect x="16" y="6" width="6" height="12" rx="1"/><path d="M9 12h6M12 9l3 3-3 3"/></svg>'
)

CSS = """
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 16px 24px;
       color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
h3 { font-size: 14px; margin: 16px 0 6px; } td ul { margin: 0; padding-left: 16px; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.muted { color: var(--muted); } .small { font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.b-success, .b-booked, .b-created, .b-linked, .b-updated, .b-pushed { color: var(--ok); } .b-failed, .b-quarantined { color: var(--bad); }
.b-partial, .b-running, .b-queued, .b-dry_run, .b-waiting, .b-skipped, .b-deleted, .b-gone { color: var(--warn); }
.b-triggered { color: var(--ok); } .b-refused { color: var(--bad); } .b-ignored, .b-joined { color: var(--muted); }
.bad { color: var(--bad); font-weight: 600; } .ok { color: var(--ok); } .warn { color: var(--warn); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.card .v { font-size: 22px; font-weight: 600; } .card .k { color: var(--muted); font-size: 12px; }
.budget { width: 110px; height: 8px; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
.budget > div { height: 100%; background: #0969da; border-radius: 4px; }
form.filters { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
input[type=search], select { padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
button { padding: 5px 12px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg);
         font: inherit; cursor: pointer; }
button.primary { background: #1f883d; color: #fff; border-color: #1a7f37; }
button:disabled { opacity: .5; cursor: default; }
#resync-result { margin: 8px 0; padding: 8px 12px; border-radius: 6px; display: none; }
#resync-result.show { display: block; background: #ddf4ff; border: 1px solid #54aeff; }
#resync-result.error { background: #ffebe9; border-color: #ff8182; }
.reason { max-width: 420px; overflow-wrap: anywhere; }
svg.chart text { font-size: 10px; fill: var(--muted); }
.legend span { margin-right: 12px; } .sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
"""

RESYNC_JS = """
(function () {
  const cfg = JSON.parse(document.getElementById('lsafas-config').textContent);
  const box = document.getElementById('resync-result');
  const button = document.getElementById('resync-button');
  const picks = () => Array.from(document.querySelectorAll('input.pick:checked')).map(e => e.value);
  const refresh = () => { button.disabled = picks().length === 0;
    button.textContent = 'Re-sync selected (' + picks().length + ')'; };
  document.querySelectorAll('input.pick').forEach(e => e.addEventListener('change', refresh));
  const all = document.getElementById('pick-all');
  if (all) all.addEventListener('change', () => {
    document.querySelectorAll('input.pick').forEach(e => { e.checked = all.checked; }); refresh(); });
  refresh();
  function show(html, error) { box.innerHTML = html; box.className = 'show' + (error ? ' error' : ''); }
  function esc(s) { const d = document.createElement('div'); d.textContent = String(s); return d.innerHTML; }
  async function poll(run) {
    for (let i = 0; i < 200; i++) {
      let state = null;
      try {
        const r = await fetch(cfg.airflowRoot + '/api/v2/dags/' + encodeURIComponent(run.dag_id) +
          '/dagRuns/' + encodeURIComponent(run.run_id), {credentials: 'same-origin'});
        if (r.ok) state = (await r.json()).state;
      } catch (e) { /* keep the last state shown */ }
      if (state) {
        const el = document.getElementById('resync-state');
        el.textContent = state; el.className = 'badge b-' + state;
        if (state === 'success' || state === 'failed') return;
      }
      await new Promise(res => setTimeout(res, 3000));
    }
  }
  button.addEventListener('click', async () => {
    const numbers = picks();
    if (!numbers.length) return;
    button.disabled = true;
    show('Triggering ' + esc(cfg.dagId) + ' for ' + numbers.length + ' order(s) …');
    try {
      const r = await fetch(cfg.prefix + '/api/tenants/' + encodeURIComponent(cfg.tenant) + '/resync', {
        method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({order_numbers: numbers})});
      const data = await r.json();
      if (!r.ok) { show('Re-sync refused: ' + esc(data.detail || r.statusText), true); refresh(); return; }
      show('Triggered run <a id="resync-run" target="_top" href="' + esc(data.url) + '">' + esc(data.run_id) +
        '</a> of ' + esc(data.dag_id) + ' for ' + esc(data.order_numbers.join(', ')) +
        ' — state <span id="resync-state" class="badge b-' + esc(data.state) + '">' + esc(data.state) + '</span>' +
        (data.warning ? '<br><span class="warn">' + esc(data.warning) + '</span>' : ''));
      poll(data);
    } catch (e) { show('Re-sync failed: ' + esc(e), true); }
    refresh();
  });
})();
"""
