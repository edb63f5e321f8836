/**
 * The status page's only style, inline (the Content-Security-Policy allows nothing else).
 * Follows the system's dark mode; on a narrow screen each target becomes a card.
 */
export const STATUS_PAGE_STYLE = `
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --bg: #ffffff;
  --up: #176f2c; --down: #b3261e; --mixed: #d2691e; --stalled: #8a5a00; --track: #eceef1; --spark: #2456a6; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8ea; --muted: #a9adb3; --line: #3a3d42; --bg: #151619;
    --up: #5cc77a; --down: #ff8a80; --mixed: #ffab40; --stalled: #f0b35a; --track: #2a2d31; --spark: #8ab4f8; }
}
body { font: 15px/1.4 system-ui, sans-serif; margin: 0; padding: 1em 1.5em; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.3em; margin: 0 0 0.2em; }
h2 { font-size: 1.1em; margin: 1.5em 0 0.4em; }
#overall { font-weight: 600; margin: 0 0 1em; }
#overall.ready { color: var(--up); }
#overall.unready { color: var(--down); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.4em; }
th, td { text-align: left; vertical-align: top; padding: 0.45em 0.8em 0.45em 0; border-bottom: 1px solid var(--line); }
thead th { font-weight: 600; color: var(--muted); }
.detail, .reason, .raw, .latency { display: block; font-size: 0.87em; color: var(--muted); }
.reason { color: var(--fg); }
.raw { font-family: ui-monospace, monospace; font-size: 0.8em; overflow-wrap: anywhere; }
.name { font-weight: 600; overflow-wrap: anywhere; }
.badge { font-weight: 700; text-transform: uppercase; font-size: 0.85em; letter-spacing: 0.03em; }
tr.up .badge { color: var(--up); }
tr.down .badge { color: var(--down); }
tr.pending .badge { color: var(--muted); }
td.history { min-width: 12em; width: 30%; }
svg { display: block; width: 100%; }
svg.strip { height: 14px; border-radius: 2px; }
svg.spark { height: 28px; margin-top: 4px; }
.strip .track { fill: var(--track); }
.strip .up { fill: var(--up); }
.strip .down { fill: var(--down); }
.strip .mixed { fill: var(--mixed); }
.strip .stalled { fill: var(--stalled); }
.spark polyline { fill: none; stroke: var(--spark); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark circle { fill: var(--spark); }
#events ol { list-style: none; padding: 0; margin: 0; }
#events li { padding: 0.2em 0; border-bottom: 1px solid var(--line); }
#events time { color: var(--muted); font-variant-numeric: tabular-nums; }
#events li.down strong, #events li.opened strong { color: var(--down); }
#events li.up strong, #events li.closed strong { color: var(--up); }
#events li.stall strong { color: var(--stalled); }
#pressure { color: var(--stalled); }
a { color: var(--spark); }
footer { margin-top: 1.5em; color: var(--muted); font-size: 0.87em; }
@media (max-width: 700px) {
  body { padding: 0.8em; }
  thead { display: none; }
  table, caption, tbody, tr, th, td { display: block; width: auto; }
  tr { border: 1px solid var(--line); border-radius: 6px; padding: 0.5em 0.7em; margin-bottom: 0.8em; }
  th, td { border: 0; padding: 0.2em 0; }
  td.history { width: auto; }
}
`;
