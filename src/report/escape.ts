/** Escaping for the report's HTML: everything from a study (names, architectures, failure messages) is user-controlled. */

/** Text or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside a <script> element: no '<' (so neither '</script>' nor '<!--' can end or change the
 * element), no '>' or '&', and the two line separators JavaScript once rejected in strings.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
