/** The one HTML page: the browser app routes by path (`/` the list, `/rollouts/NS/NAME` a rollout). */
export function renderPage(options: { enableActions: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gradual dashboard</title>
<link rel="stylesheet" href="/assets/uplot.css">
<link rel="stylesheet" href="/assets/dashboard.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body data-actions="${options.enableActions ? 'enabled' : 'disabled'}">
<header class="top"><a href="/" class="brand">Gradual</a><span class="mode">${options.enableActions ? 'actions enabled' : 'read-only'}</span></header>
<main id="app"><p class="loading">Loading…</p></main>
</body>
</html>
`;
}

/** Same-origin everything, no inline script, no framing (the buttons must not be clickjacked). */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
