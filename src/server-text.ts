/**
 * Text a peer chose (a fault's reason, a KDC's e-text, auth scheme names) quoted inside one of our
 * error messages: one line, and at most a bounded number of characters, so a hostile server cannot
 * flood a terminal or a log, or forge a line of its own. The error's own fields keep the full text.
 */

/** Characters of one quoted piece of server text in a message. */
export const MAX_QUOTED_SERVER_TEXT = 1024;

/** `text` on one line (runs of whitespace, line breaks included, become one space), cut at `max` characters. */
export function quoteServerText(text: string, max = MAX_QUOTED_SERVER_TEXT): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  // Never cut a surrogate pair in half.
  const end = /[\ud800-\udbff]/.test(line[max - 1]!) ? max - 1 : max;
  return `${line.slice(0, end)}... (${line.length - end} more characters)`;
}
