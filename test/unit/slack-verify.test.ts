import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../src/slack/verify.js';

// Slack's published example request ("Verifying requests from Slack").
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const headers = { 'x-slack-request-timestamp': '1531420618', 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' };

describe('Slack request signatures', () => {
  it("accepts Slack's published example", () => {
    expect(verifySlackSignature(headers, body, secret, 1531420618 + 10)).toEqual({ ok: true });
  });
  it('rejects it five minutes later', () => {
    expect(verifySlackSignature(headers, body, secret, 1531420618 + 301)).toEqual({ ok: false, reason: 'stale timestamp' });
  });
  it('rejects a tampered body, a wrong secret and missing headers', () => {
    expect(verifySlackSignature(headers, body.replace('roadrunner', 'coyote'), secret, 1531420618)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifySlackSignature(headers, body, 'other', 1531420618)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifySlackSignature({}, body, secret, 1531420618)).toMatchObject({ ok: false, reason: 'missing Slack signature headers' });
    expect(verifySlackSignature({ ...headers, 'x-slack-signature': 'v0=abc' }, body, secret, 1531420618)).toMatchObject({ ok: false });
  });
});
