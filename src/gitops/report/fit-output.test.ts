import { describe, expect, it } from 'vitest';
import { checkOutputLimit, commentLimit, cutMarkdown, fitCheckOutput, fitComment } from './fit-output.js';

function cutCount(text: string): number {
  const match = /… cut: ([\d,]+) characters$/u.exec(text);
  if (match === null) throw new Error(`no cut note at the end of …${text.slice(-80)}`);
  return Number((match[1] ?? '').replaceAll(',', ''));
}

function keptPart(text: string): string {
  return text.replace(/\n\n… cut: [\d,]+ characters$/u, '');
}

describe('cutMarkdown', () => {
  it('leaves a text within the limit alone', () => {
    expect(cutMarkdown('short', 5)).toBe('short');
  });

  it('keeps whole table rows and says how much it cut', () => {
    const rows = Array.from({ length: 20 }, (_, index) => `| ${String(index)} | ${'x'.repeat(20)} |`);
    const text = ['| n | value |', '| --- | --- |', ...rows].join('\n');
    const cut = cutMarkdown(text, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    const kept = keptPart(cut);
    for (const line of kept.split('\n')) expect(line).toMatch(/^\| .* \|$/u);
    expect(cutCount(cut)).toBe(text.length - kept.length);
    expect(text.startsWith(kept)).toBe(true);
  });

  it('closes a code fence it cuts through when the fence began early', () => {
    const text = ['intro', '```yaml', ...Array.from({ length: 100 }, (_, index) => `line: ${String(index)}`)].join('\n') + '\n```\n';
    const cut = cutMarkdown(text, 400);
    expect(cut.length).toBeLessThanOrEqual(400);
    const kept = keptPart(cut);
    expect(kept.startsWith('intro\n```yaml\nline: 0')).toBe(true);
    expect(kept.endsWith('\n```')).toBe(true);
    expect(kept.match(/```/gu)).toHaveLength(2);
  });

  it('cuts before a code fence that began late, rather than inside it', () => {
    const text = `${'prose line\n'.repeat(20)}~~~~\n${'code\n'.repeat(100)}~~~~\n`;
    const cut = cutMarkdown(text, 400);
    expect(keptPart(cut)).toBe('prose line\n'.repeat(20).trimEnd());
  });

  it('cuts a single long line where the budget ends, never between the halves of a surrogate pair', () => {
    const text = '😀'.repeat(1000);
    const cut = cutMarkdown(text, 500);
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(keptPart(cut)).toMatch(/^(😀)+$/u);
  });
});

describe('fitCheckOutput and fitComment', () => {
  it("cuts summary and text to GitHub's 65,535 characters and clips the buttons", () => {
    const long = '| a | b |\n'.repeat(10_000);
    const output = fitCheckOutput({
      name: 'gradual/rollout prod/web',
      status: 'in_progress',
      title: 't',
      summary: long,
      text: long,
      actions: [
        { label: 'A label much longer than twenty', description: 'x'.repeat(60), identifier: 'an-identifier-longer-than-twenty' },
        { label: 'b', description: 'b', identifier: 'b' },
        { label: 'c', description: 'c', identifier: 'c' },
        { label: 'd', description: 'd', identifier: 'd' },
      ],
    });
    expect(output.summary.length).toBeLessThanOrEqual(checkOutputLimit);
    expect(output.summary.length).toBeGreaterThan(checkOutputLimit - 200);
    expect(output.text?.length).toBeLessThanOrEqual(checkOutputLimit);
    expect(cutCount(output.summary)).toBe(long.length - keptPart(output.summary).length);
    expect(output.actions).toEqual([
      { label: 'A label much longer…', description: `${'x'.repeat(39)}…`, identifier: 'an-identifier-longer' },
      { label: 'b', description: 'b', identifier: 'b' },
      { label: 'c', description: 'c', identifier: 'c' },
    ]);
  });

  it("cuts a comment to GitHub's 65,536 characters", () => {
    const body = 'word '.repeat(20_000);
    const fitted = fitComment(body);
    expect(fitted.length).toBeLessThanOrEqual(commentLimit);
    expect(fitted).toMatch(/… cut: [\d,]+ characters$/u);
    expect(fitComment('small')).toBe('small');
  });
});
