import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ProxySettings } from '../net/proxy-route.js';
import { sdkRequestHandler } from '../net/tunnel.js';

/** One STS exchange may take this long, SDK retries included: nothing waits forever. */
const STS_DEADLINE_MS = 15_000;

export interface WebIdentityOptions {
  roleArn: string;
  sessionName: string;
  region?: string;
  /** Fetches a fresh OIDC token (GitHub: core.getIDToken('sts.amazonaws.com')). */
  getIdToken: () => Promise<string>;
  /** HTTPS_PROXY / NO_PROXY (config/proxy.ts): STS is reached the way DynamoDB is. */
  proxy?: ProxySettings;
}

/**
 * Credentials from STS AssumeRoleWithWebIdentity, refreshed five minutes before they
 * expire, so a renewer that lives longer than one session keeps working.
 */
export function webIdentityCredentials(opts: WebIdentityOptions): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
    const { STSClient, AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
    const handler = sdkRequestHandler(STS_DEADLINE_MS / 3, opts.proxy);
    const sts = new STSClient({ region: opts.region ?? 'us-east-1', requestHandler: handler.options });
    try {
      const token = await opts.getIdToken();
      const out = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: opts.roleArn,
          RoleSessionName: opts.sessionName,
          WebIdentityToken: token,
          DurationSeconds: 3600,
        }),
        { abortSignal: AbortSignal.timeout(STS_DEADLINE_MS) as never },
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
      cached = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
      return cached;
    } catch (err) {
      const e = err as Error;
      throw Object.assign(new Error(`could not assume role ${opts.roleArn} with the GitHub OIDC token: ${e.name}: ${e.message}`), {
        name: 'AccessDeniedException',
      });
    } finally {
      sts.destroy();
      handler.destroy();
    }
  };
}

/**
 * The GitHub job's role credentials (input role-to-assume): its OIDC token for `audience`,
 * exchanged with STS. One wiring for the action's phases and the renewer they start.
 */
export async function githubRoleCredentials(opts: { roleArn: string; sessionName: string; region?: string; audience: string; proxy?: ProxySettings }): Promise<AwsCredentialIdentityProvider> {
  const core = await import('@actions/core');
  return webIdentityCredentials({
    roleArn: opts.roleArn,
    sessionName: opts.sessionName,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    getIdToken: () => core.getIDToken(opts.audience),
  });
}
