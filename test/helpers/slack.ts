import { createHmac } from 'node:crypto';

export const SECRET = 'test-signing-secret-0123456789abcdef';
export const APP_ID = 'A0DAPLAYA';

export function slashBody(text: string, user = { id: 'U111', name: 'alice' }, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C1',
    channel_name: 'deploys',
    user_id: user.id,
    user_name: user.name,
    command: '/daplaya',
    text,
    api_app_id: APP_ID,
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: '1.2.3',
    ...extra,
  }).toString();
}

export function signedHeaders(body: string, opts: { secret?: string; ts?: number } = {}): Record<string, string> {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const sig = `v0=${createHmac('sha256', opts.secret ?? SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig };
}
