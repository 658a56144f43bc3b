import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins on 127.0.0.1 for the two services OIDC touches: the runner's ID-token
 * endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) and AWS STS (AWS_ENDPOINT_URL_STS).
 */
export async function startFakeOidc(opts: { deny?: boolean } = {}) {
  const tokenRequests: { audience: string | null; auth: string | undefined }[] = [];
  const stsRequests: Record<string, string>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/token') {
        tokenRequests.push({ audience: url.searchParams.get('audience'), auth: req.headers.authorization });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ value: 'oidc-token-for-acme-app' }));
        return;
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      stsRequests.push(form);
      res.setHeader('content-type', 'text/xml');
      if (opts.deny) {
        res.statusCode = 403;
        res.end(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
            '<Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>r1</RequestId></ErrorResponse>',
        );
        return;
      }
      res.end(
        '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>' +
          '<Credentials><AccessKeyId>ASIAFAKEFAKEFAKE</AccessKeyId><SecretAccessKey>fake-secret-from-sts</SecretAccessKey>' +
          '<SessionToken>fake-session-token-from-sts</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
          '<SubjectFromWebIdentityToken>repo:acme/app</SubjectFromWebIdentityToken>' +
          '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>' +
          '</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>',
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token',
      AWS_ENDPOINT_URL_STS: `${base}/sts`,
    },
    tokenRequests,
    stsRequests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
