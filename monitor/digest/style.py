"""The digest's inline stylesheet: large type, traffic-light colours, a table that survives fifty pages."""

CSS = """
:root { --ok:#2e9e5b; --warning:#e0a100; --fail:#d64541; --error:#9aa3ad; --none:#cfd5db;
  --ink:#1f2933; --muted:#5f6b7a; --line:#e3e7eb; --bg:#f4f6f8; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 16px/1.5 "Segoe UI", "PT Sans", "DejaVu Sans", Arial, sans-serif; }
.report { max-width: 1180px; margin: 0 auto; padding: 24px 20px 40px; }
.top { background:#1d3b5e; color:#fff; border-radius:12px; padding:22px 26px; margin-bottom:18px; }
.top h1 { margin:4px 0 6px; font-size:28px; }
.kicker { text-transform:uppercase; letter-spacing:.08em; font-size:12px; opacity:.8; }
.period { font-size:19px; }
.generated { font-size:13px; opacity:.75; margin-top:4px; }
.card { background:#fff; border-radius:12px; padding:18px 22px; margin-bottom:18px;
  box-shadow: 0 1px 2px rgba(16,24,40,.06); }
.card h2 { margin:0 0 10px; font-size:21px; }
.card.muted { color:var(--muted); font-size:14px; }
.lead { font-size:18px; margin:0 0 14px; }
.tiles { display:grid; grid-template-columns: repeat(4, 1fr); gap:12px; }
.tile { border-radius:10px; padding:12px 14px; border-left:6px solid var(--none); background:#f8fafb; }
.tile .num { font-size:32px; font-weight:700; line-height:1.1; }
.tile .lbl { color:var(--muted); }
.tile.ok { border-color:var(--ok); } .tile.warning { border-color:var(--warning); }
.tile.fail { border-color:var(--fail); } .tile.error { border-color:var(--error); }
.hint { color:var(--muted); margin-top:0; }
.allgood { font-size:18px; color:var(--ok); }
.org { border-top:1px solid var(--line); padding:10px 0 4px; }
.org h3 { margin:0; font-size:17px; }
.who { color:var(--muted); font-size:13px; }
.fixlist { list-style:none; padding:0; margin:8px 0 6px; }
.fixlist li { padding:5px 0 5px 2px; }
.sub { color:var(--muted); font-size:13px; margin-left:22px; }
td .sub { margin-left:0; }
.dot { display:inline-block; width:12px; height:12px; border-radius:50%; margin-right:8px;
  vertical-align:-1px; background:var(--none); flex:none; }
.dot.ok { background:var(--ok); } .dot.warning { background:var(--warning); }
.dot.fail { background:var(--fail); } .dot.error { background:var(--error); }
.badge { display:inline-block; border-radius:999px; padding:2px 10px; font-size:13px; font-weight:600;
  white-space:nowrap; color:#fff; background:var(--error); }
.badge.ok { background:var(--ok); } .badge.warning { background:var(--warning); color:#3b2f00; }
.badge.fail { background:var(--fail); }
.tablewrap { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:14px; }
th { text-align:left; font-weight:600; color:var(--muted); border-bottom:2px solid var(--line);
  padding:8px 8px; vertical-align:bottom; }
td { border-bottom:1px solid var(--line); padding:8px 8px; vertical-align:top; }
table.pages td:first-child { min-width:200px; }
tr.fail td:first-child { box-shadow: inset 4px 0 0 var(--fail); }
tr.warning td:first-child { box-shadow: inset 4px 0 0 var(--warning); }
a { color:#1d5fa8; text-decoration:none; } a:hover { text-decoration:underline; }
figure { margin:18px 0 0; } figure img { max-width:100%; height:auto; display:block; }
figcaption { color:var(--muted); font-size:13px; margin-top:4px; }
.figures { display:grid; grid-template-columns: repeat(3, 1fr); gap:12px; margin-bottom:14px; }
.figure { background:#f8fafb; border-radius:10px; padding:10px 14px; }
.figure .num { font-size:26px; font-weight:700; }
.figure .lbl { color:var(--muted); font-size:14px; }
.figure .chg { font-size:13px; color:var(--muted); }
.figure.alert { background:#fff4f3; }
.cols { display:grid; grid-template-columns: 1fr 1fr; gap:18px; }
.legend { list-style:none; padding:0; display:flex; gap:18px; flex-wrap:wrap; }
@media (max-width: 760px) { .tiles, .figures, .cols { grid-template-columns: 1fr 1fr; } }
@media print { body { background:#fff; } .card { box-shadow:none; border:1px solid var(--line); } }
"""
