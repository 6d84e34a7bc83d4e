import { Marked, type Tokens } from 'marked';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Links and images may point only where a browser cannot be made to run script. */
function safeUrl(href: string): string | undefined {
  const trimmed = href.trim();
  if (/^(https?:|mailto:|#|\/(?!\/))/i.test(trimmed)) return trimmed;
  return /^[\w./-]*$/.test(trimmed) && !trimmed.includes(':') ? trimmed : undefined;
}

/**
 * GitHub-flavoured markdown to HTML with marked. Sanitized by construction:
 * raw HTML in the source is shown as text (never passed through), and link
 * and image URLs are limited to http(s), mailto and relative ones, so a
 * comment or check summary cannot put script on the page.
 */
const marked = new Marked({
  gfm: true,
  renderer: {
    // GitHub drops HTML comments (apps hide markers in them) and sanitises the rest; the page escapes the rest.
    html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text.replace(/<!--[\s\S]*?-->/gu, '')),
    link(token: Tokens.Link) {
      const href = safeUrl(token.href);
      const text = this.parser.parseInline(token.tokens);
      return href === undefined ? text : `<a href="${escapeHtml(href)}" rel="nofollow noopener">${text}</a>`;
    },
    image: (token: Tokens.Image) => {
      const href = safeUrl(token.href);
      return href === undefined ? escapeHtml(token.text) : `<img src="${escapeHtml(href)}" alt="${escapeHtml(token.text)}">`;
    },
  },
});

export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false });
}
