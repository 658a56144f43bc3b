import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { LockStore } from '../lock/types.js';
import { type StoreSpec } from './spec.js';
import { FileStore } from './file.js';

/** Builds the configured store; the AWS SDK is loaded only when DynamoDB is used. */
export async function openStore(spec: StoreSpec, credentials?: AwsCredentialIdentityProvider): Promise<LockStore> {
  if (spec.kind === 'file') return new FileStore(spec.dir);
  const { DynamoStore } = await import('./dynamodb.js');
  const cfg: ConstructorParameters<typeof DynamoStore>[0] = { table: spec.table };
  if (spec.region) cfg.region = spec.region;
  if (spec.endpoint) cfg.endpoint = spec.endpoint;
  if (spec.requestTimeoutMs) cfg.requestTimeoutMs = spec.requestTimeoutMs;
  if (spec.proxy) cfg.proxy = spec.proxy;
  if (spec.credentials) cfg.credentials = spec.credentials;
  if (credentials) cfg.credentials = credentials;
  return new DynamoStore(cfg);
}
