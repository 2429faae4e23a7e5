// Splits message text into plain text and web links. Rendering uses these parts as React text and <a>
// elements, so nothing in a message is ever parsed as HTML.

export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

// http(s):// or www. up to whitespace or an angle bracket; trailing punctuation is not part of the link
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING = ".,;:!?]}'\"";

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = trimTrailing(match[0]);
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    parts.push({ kind: "link", text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

/** Drops sentence punctuation after an address; a ")" stays when it closes a "(" of the address (Wikipedia). */
function trimTrailing(raw: string): string {
  let end = raw.length;
  for (;;) {
    const c = raw[end - 1]!;
    const unbalanced = c === ")" && raw.slice(0, end).split("(").length < raw.slice(0, end).split(")").length;
    if (!TRAILING.includes(c) && !unbalanced) return raw.slice(0, end);
    end--;
  }
}

/** The address to link to, or null when it is not a plain http(s) URL. */
function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw.toLowerCase().startsWith("www.") ? `https://${raw}` : raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
