import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown.js';

describe('renderMarkdown', () => {
  it('renders tables, emphasis and safe links', () => {
    const html = renderMarkdown('| step | weight |\n| --- | --- |\n| 1 | **20%** |\n\n[docs](https://example.com/a?b=1)');
    expect(html).toContain('<table>');
    expect(html).toContain('<strong>20%</strong>');
    expect(html).toContain('<a href="https://example.com/a?b=1" rel="nofollow noopener">docs</a>');
  });

  it('hides HTML comments, as GitHub does (apps keep markers in them)', () => {
    const html = renderMarkdown('<!-- gradual:sticky -->\n**Rollouts**');
    expect(html).not.toContain('gradual:sticky');
    expect(html).toContain('<strong>Rollouts</strong>');
  });

  it('shows raw HTML as text and drops script URLs', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![i](data:text/html,1)',
    );
    expect(html).not.toMatch(/<script|<img src=x|href="javascript|src="data/);
    expect(html).toContain('&lt;script&gt;');
  });
});
