// The demo app page, in the spirit of Argo's rollouts-demo: it fires requests
// through the gateway, draws each answer as a dot of the colour that served
// it, a bar per colour with its share, and a slider per colour that sets the
// error rate of that colour's backends. Plain DOM and fetch, served by the
// gateway itself: no framework, no CDN, nothing to build. Query parameters:
// `rate` (requests per second, default 20) and `count` (stop after that many).
// The DOM carries the numbers as data attributes, so a browser test can read them.

export const demoPageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gradual demo app</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; background: #f6f8fa; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .muted { color: #59636e; }
  main { display: grid; grid-template-columns: 1fr 320px; gap: 24px; margin-top: 16px; }
  section { background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 16px; }
  #dots { display: grid; grid-template-columns: repeat(25, 18px); gap: 4px; align-content: start; min-height: 300px; }
  .dot { width: 18px; height: 18px; border-radius: 50%; box-sizing: border-box; }
  .dot.error { border: 4px solid #cf222e; opacity: 0.55; }
  .bar { display: grid; grid-template-columns: 70px 1fr 60px; align-items: center; gap: 8px; margin: 6px 0; }
  .bar .track { background: #eef1f4; height: 18px; border-radius: 4px; overflow: hidden; }
  .bar .fill { height: 100%; }
  .slider { display: grid; grid-template-columns: 70px 1fr 48px; align-items: center; gap: 8px; margin: 6px 0; }
  h2 { font-size: 15px; margin: 0 0 8px; }
</style>
</head>
<body>
<h1>Gradual demo app</h1>
<div class="muted">Each dot is one request through the gateway, coloured by the version that answered; a red ring is an HTTP error. <span id="total" data-total="0" data-errors="0">0 responses</span></div>
<main>
  <section><div id="dots"></div></section>
  <aside>
    <section><h2>Share per colour</h2><div id="bars"></div></section>
    <section style="margin-top:16px"><h2>Error rate per colour</h2><div id="sliders"></div></section>
  </aside>
</main>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

export const demoPageScript = String.raw`
const params = new URLSearchParams(location.search);
const rate = Math.max(1, Math.min(500, Number(params.get('rate') ?? 20) || 20));
const limit = params.has('count') ? Math.max(0, Number(params.get('count')) || 0) : Infinity;
const maxDots = 500;
const counts = new Map();
let total = 0;
let errors = 0;
let fired = 0;

const dots = document.getElementById('dots');
const bars = document.getElementById('bars');
const sliders = document.getElementById('sliders');
const totalLabel = document.getElementById('total');

// Softer shades of the colours Argo's demo images are tagged with; other CSS colour names as they are.
const palette = { blue: '#2f81f7', yellow: '#f2cc0c', green: '#2da44e', red: '#e5534b', orange: '#f0883e', purple: '#a371f7' };

function paint(color) {
  return palette[color] ?? (CSS.supports('color', color) ? color : '#8c959f');
}

function ensureSlider(color, errorRate) {
  if (color === 'unknown' || sliders.querySelector('[data-color="' + CSS.escape(color) + '"]')) return;
  const row = document.createElement('label');
  row.className = 'slider';
  row.dataset.color = color;
  const name = document.createElement('span');
  name.textContent = color;
  const input = document.createElement('input');
  input.type = 'range';
  input.min = '0';
  input.max = '100';
  input.value = String(Math.round(errorRate * 100));
  input.setAttribute('aria-label', 'error rate of ' + color);
  const value = document.createElement('span');
  value.textContent = input.value + ' %';
  input.addEventListener('input', () => { value.textContent = input.value + ' %'; });
  input.addEventListener('change', () => {
    fetch('/api/error-rate', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ color, errorRate: Number(input.value) / 100 }) });
  });
  row.append(name, input, value);
  sliders.append(row);
}

function drawBars() {
  bars.replaceChildren(...[...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([color, count]) => {
    const share = total === 0 ? 0 : count / total;
    const row = document.createElement('div');
    row.className = 'bar';
    row.dataset.color = color;
    row.dataset.count = String(count);
    row.dataset.share = share.toFixed(4);
    const name = document.createElement('span');
    name.textContent = color;
    const track = document.createElement('div');
    track.className = 'track';
    const fill = document.createElement('div');
    fill.className = 'fill';
    fill.style.width = (share * 100).toFixed(1) + '%';
    fill.style.background = paint(color);
    track.append(fill);
    const label = document.createElement('span');
    label.textContent = (share * 100).toFixed(1) + ' %';
    row.append(name, track, label);
    return row;
  }));
  totalLabel.dataset.total = String(total);
  totalLabel.dataset.errors = String(errors);
  totalLabel.textContent = total + ' responses, ' + errors + ' errors';
}

function record(color, failed) {
  total += 1;
  if (failed) errors += 1;
  counts.set(color, (counts.get(color) ?? 0) + 1);
  const dot = document.createElement('div');
  dot.className = failed ? 'dot error' : 'dot';
  dot.style.background = paint(color);
  dot.title = color + (failed ? ' (error)' : '');
  dots.prepend(dot);
  while (dots.childElementCount > maxDots) dots.lastElementChild.remove();
  ensureSlider(color, 0);
  drawBars();
  if (total >= limit) document.body.dataset.done = 'true';
}

async function fire() {
  try {
    const response = await fetch('/color', { cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    record(typeof body.color === 'string' ? body.color : 'unknown', !response.ok);
  } catch {
    record('unknown', true);
  }
}

function tick() {
  if (fired >= limit) return;
  fired += 1;
  fire();
  setTimeout(tick, 1000 / rate);
}

fetch('/api/colors').then((response) => response.json()).then((body) => {
  for (const state of body.colors) ensureSlider(state.color, state.errorRate);
}).finally(tick);
`;
