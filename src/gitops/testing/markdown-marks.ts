/** The characters of Markdown links, escapes and headings, which the fuzz tests mix into comment and answer text. */
export const markdownLinkMarks = ['[', ']', '(', ')', '\\', '#'];
