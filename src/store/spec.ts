import type { ProxySettings } from '../net/proxy-route.js';

/** Which store a command uses, as configuration resolved it (config/store.ts). */
export type StoreSpec =
  | {
      kind: 'dynamodb';
      table: string;
      region?: string;
      endpoint?: string;
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
      /** Deadline of each DynamoDB request, SDK retries included (DAPLAYA_REQUEST_TIMEOUT, default 3s). */
      requestTimeoutMs?: number;
      /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY, for DynamoDB and the STS calls of its credentials. */
      proxy?: ProxySettings;
    }
  | { kind: 'file'; dir: string };
