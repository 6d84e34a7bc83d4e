// Output helpers shared by the benchmark sections: one number per line, its unit in the label.
import { performance } from 'node:perf_hooks';

export function header(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

export function row(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(64)} ${value}\n`);
}

export function note(text: string): void {
  process.stdout.write(`   (${text})\n`);
}

export function percentile(sortedMs: number[], p: number): number {
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] ?? Number.NaN;
}

export function seconds(sinceMs: number): string {
  return ((performance.now() - sinceMs) / 1000).toFixed(2);
}

export function mebibytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}
