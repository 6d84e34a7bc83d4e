import { inlineCode } from '../report/index.js';

/** A comment line quoted back as inline code in a `>` quote, so the reply shows it and can never be read as a command. */
export function quoteLine(text: string): string {
  return `> ${inlineCode(text.trim())}`;
}
