import '../quiet-sdk-warning.js';
import { loadSlackConfig } from '../config/slack.js';
import { LockClient } from '../lock/client.js';
import { openNotifier, type Notifier } from '../notify/notifier.js';
import { openStore } from '../store/open.js';
import { handleSlack } from './handler.js';

// AWS Lambda entry (function URL or API Gateway, payload v1 or v2).

interface ApiGatewayEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

let client: Promise<LockClient> | undefined;
let notifier: Notifier | undefined;
// Load the AWS SDK while the Lambda initialises (free CPU on a cold start) rather than inside
// Slack's 3-second window; the store itself is still opened only for a verified request.
const sdkLoading = import('../store/dynamodb.js').catch(() => undefined);

export async function handler(event: ApiGatewayEvent) {
  const config = loadSlackConfig(process.env);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v ?? undefined;
  const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  const deferred: Promise<void>[] = [];
  const res = await handleSlack(
    { headers, body },
    {
      signingSecret: config.signingSecret,
      ...(config.appId ? { appId: config.appId } : {}),
      leaseMs: config.leaseMs,
      ...(config.admins ? { admins: config.admins } : {}),
      ...(config.proxy ? { proxy: config.proxy } : {}),
      client: () =>
        (client ??= sdkLoading
          .then(() => openStore(config.store))
          .then((s) => {
            notifier = openNotifier(config.notify, s, (l) => console.warn(`daplaya: warning: ${l}`));
            return new LockClient(s, { ...config.protocol, ...(notifier ? { observer: notifier.observer } : {}) });
          })),
      onDeferred: (w) => deferred.push(w),
    },
  );
  // A frozen Lambda cannot post later: finish the slow work before answering.
  await Promise.all(deferred);
  // Nor send a notification after it answers: each is bounded by its timeout (2 s).
  await notifier?.settle();
  return { statusCode: res.status, headers: res.headers, body: res.body };
}
