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
    }
  | { kind: 'file'; dir: string };
