/**
 * The reason a failure carries: each message along its cause chain with its type (an activity's
 * failure is "Activity task failed" caused by the typed failure that says what was wrong). Without
 * it, "Workflow failed" in a worker's log said nothing about why.
 */
export function failureReason(err: unknown): string | undefined {
  const parts: string[] = [];
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { message, type } = e as { message?: unknown; type?: unknown };
    if (typeof message !== 'string' || !message) continue;
    const text = typeof type === 'string' && type && !message.startsWith(type) ? `${type}: ${message}` : message;
    if (!parts.includes(text)) parts.push(text);
  }
  // one line: a spec's issue list spans lines
  return parts.length ? parts.join(': ').replace(/\s*\n\s*/g, ' ') : undefined;
}
