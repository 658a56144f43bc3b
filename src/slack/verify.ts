import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_AGE_SECONDS = 5 * 60;

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Slack's signing-secret check: X-Slack-Signature is `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>`, and the timestamp must be within five minutes.
 */
export function verifySlackSignature(
  headers: Record<string, string | undefined>,
  rawBody: string,
  signingSecret: string,
  nowSeconds: number,
): Verdict {
  const ts = headers['x-slack-request-timestamp'];
  const sig = headers['x-slack-signature'];
  if (!ts || !sig) return { ok: false, reason: 'missing Slack signature headers' };
  if (!/^\d+$/.test(ts)) return { ok: false, reason: 'bad timestamp' };
  if (Math.abs(nowSeconds - Number(ts)) > MAX_AGE_SECONDS) return { ok: false, reason: 'stale timestamp' };
  const expected = Buffer.from(`v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:${rawBody}`).digest('hex')}`);
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
