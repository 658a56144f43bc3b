import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import type { AwsCredentialIdentityProvider, Command } from '@smithy/types';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './dynamodb-defaults.js';
import { redactUrl } from './redact.js';

export { DEFAULT_REQUEST_TIMEOUT_MS };
import { byTime, NEVER, StoreError, type Claim, type HistoryEvent, type LockItem, type LockStore, type QueueEntry, type ReleaseBy, type WriteOutcome } from '../lock/types.js';

export interface DynamoStoreConfig {
  table: string;
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | AwsCredentialIdentityProvider;
  /** Per-request timeout: a request past it is ambiguous and settled by retrying. */
  requestTimeoutMs?: number;
}

const LOCK_SK = 'LOCK';

/** A request that got no answer within its deadline: it may or may not have landed. */
class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  constructor(readonly ms: number) {
    super(`no answer within ${ms}ms`);
  }
}
type Item = Record<string, AttributeValue>;

/**
 * The production store. Every state change is one UpdateItem with a condition that
 * mirrors `lock/rules.ts`; on a failed condition the old item comes back with the
 * error (ALL_OLD), so the holder is known without a second read. Engines that do not
 * return it (dynalite) get one GetItem instead.
 */
export class DynamoStore implements LockStore {
  readonly description: string;
  readonly client: DynamoDBClient;
  private readonly requestTimeoutMs: number;

  constructor(readonly config: DynamoStoreConfig) {
    this.requestTimeoutMs = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const cfg: DynamoDBClientConfig = {
      maxAttempts: 3,
      requestHandler: {
        requestTimeout: this.requestTimeoutMs,
        // Without this the SDK only logs a warning on a request past its timeout and keeps waiting.
        throwOnRequestTimeout: true,
        connectionTimeout: Math.min(this.requestTimeoutMs, 3000),
      },
    };
    if (config.region) cfg.region = config.region;
    if (config.endpoint) cfg.endpoint = config.endpoint;
    if (config.credentials) cfg.credentials = config.credentials;
    this.client = new DynamoDBClient(cfg);
    this.description = `DynamoDB table ${config.table}${config.region ? ` in ${config.region}` : ''}${config.endpoint ? ` at ${redactUrl(config.endpoint)}` : ''}`;
  }

  close(): void {
    this.client.destroy();
  }

  /**
   * Every request has a hard deadline, SDK retries included: an endpoint that accepts
   * and never answers (or a socket that stalls mid-response) fails the request after
   * `requestTimeoutMs` as an ambiguous outcome, which the lock client settles by retrying.
   */
  private send<In extends ServiceInputTypes, Out extends ServiceOutputTypes>(command: Command<ServiceInputTypes, In, ServiceOutputTypes, Out, DynamoDBClientResolvedConfig>): Promise<Out> {
    const signal = AbortSignal.timeout(this.requestTimeoutMs);
    return this.client.send(command, { abortSignal: signal as never }).catch((err: unknown) => {
      if (signal.aborted) throw new DeadlineExceeded(this.requestTimeoutMs);
      throw err;
    });
  }

  private key(name: string): Item {
    return { pk: { S: name }, sk: { S: LOCK_SK } };
  }

  private async update(name: string, input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<WriteOutcome> {
    try {
      const out = await this.send(
        new UpdateItemCommand({
          TableName: this.config.table,
          Key: this.key(name),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...input,
        }),
      );
      return { ok: true, item: fromItem(out.Attributes ?? {}, name) };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') {
        const old = (err as ConditionalCheckFailedException).Item;
        if (old) return { ok: false, current: fromItem(old, name) };
        return { ok: false, current: await this.get(name) };
      }
      throw classify(err, this.config);
    }
  }

  acquire(name: string, c: Claim, now: number): Promise<WriteOutcome> {
    const values: Item = {
      ':me': { S: c.lockId },
      ':user': { S: c.user },
      ':meta': { S: c.meta },
      ':uber': { BOOL: c.uberlock },
      ':now': { N: String(now) },
      ':exp': { N: String(c.uberlock ? NEVER : now + c.leaseMs) },
      ':lease': { N: String(c.uberlock ? 0 : c.leaseMs) },
      ':zero': { N: '0' },
      ':one': { N: '1' },
      ':none': { S: 'none' },
    };
    let set =
      'SET #owner = :me, #user = :user, meta = :meta, uberlock = :uber, acquiredAt = :now, updatedAt = :now, expiresAt = :exp, leaseMs = :lease, fence = if_not_exists(fence, :zero) + :one, ' +
      'prevOwner = if_not_exists(#owner, :none), prevUser = if_not_exists(#user, :none), prevExpiresAt = if_not_exists(expiresAt, :zero)';
    let remove = ` REMOVE forcedBy, forcedFrom, forceReason${c.uberlock ? ', uberPendingUntil' : ''}`;
    let condition: string;
    if (c.force) {
      if (c.force.seenOwner === undefined) {
        condition = 'attribute_not_exists(#owner)';
      } else {
        condition = '#owner = :seen';
        values[':seen'] = { S: c.force.seenOwner };
      }
      set += ', forcedBy = :user, forcedFrom = if_not_exists(#user, :empty), forceReason = :reason';
      values[':empty'] = { S: '' };
      values[':reason'] = { S: c.force.reason };
      remove = '';
    } else {
      // Ours (a retried write that landed), or free/lapsed and we are next in line.
      let next = c.uberlock ? '' : ' AND (attribute_not_exists(uberPendingUntil) OR uberPendingUntil < :now)';
      if (c.ticket !== undefined) {
        next += ' AND nowServing = :prev';
        values[':prev'] = { N: String(c.ticket - 1) };
        values[':ticket'] = { N: String(c.ticket) };
        set += ', nowServing = :ticket';
      } else if (!c.uberlock) {
        next += ' AND (attribute_not_exists(nextTicket) OR nextTicket = nowServing)';
      }
      // Free, or still exactly the lapsed lease the caller watched (rules.sameLease).
      let free = 'attribute_not_exists(#owner)';
      if (c.takeover) {
        free = '(attribute_not_exists(#owner) OR (#owner = :seenOwner AND fence = :seenFence AND expiresAt = :seenExp))';
        values[':seenOwner'] = { S: c.takeover.owner };
        values[':seenFence'] = { N: String(c.takeover.fence) };
        values[':seenExp'] = { N: String(c.takeover.expiresAt) };
      }
      condition = next ? `#owner = :me OR (${free}${next})` : `#owner = :me OR ${free}`;
    }
    return this.update(name, {
      UpdateExpression: set + remove,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#owner': 'owner', '#user': 'user' },
      ExpressionAttributeValues: values,
    });
  }

  renew(name: string, lockId: string, fence: number, expiresAt: number, now: number): Promise<WriteOutcome> {
    return this.update(name, {
      // An uberlock keeps its NEVER expiry: renewing must not give it a lease.
      UpdateExpression: 'SET expiresAt = :exp, leaseMs = :lease, updatedAt = :now',
      ConditionExpression: '#owner = :me AND fence = :fence AND (attribute_not_exists(uberlock) OR uberlock = :false)',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':me': { S: lockId },
        ':fence': { N: String(fence) },
        ':exp': { N: String(expiresAt) },
        ':lease': { N: String(expiresAt - now) },
        ':now': { N: String(now) },
        ':false': { BOOL: false },
      },
    }).then(async (r) => {
      // An uberlock holder's renew is a no-op success, as in rules.ts.
      if (!r.ok && r.current?.owner === lockId && r.current.fence === fence && r.current.uberlock) return { ok: true, item: r.current };
      return r;
    });
  }

  release(name: string, by: ReleaseBy, now: number): Promise<WriteOutcome> {
    const byLock = 'lockId' in by;
    return this.update(name, {
      UpdateExpression:
        'SET lastOwner = #owner, lastUser = #user, lastAcquiredAt = acquiredAt, releasedAt = :now, updatedAt = :now REMOVE #owner, #user, meta, uberlock, acquiredAt, expiresAt, leaseMs, forcedBy, forcedFrom, forceReason',
      ConditionExpression: byLock ? '#owner = :who' : 'attribute_exists(#owner) AND #user = :who',
      ExpressionAttributeNames: { '#owner': 'owner', '#user': 'user' },
      ExpressionAttributeValues: { ':who': { S: byLock ? by.lockId : by.user }, ':now': { N: String(now) } },
    });
  }

  extend(name: string, by: ReleaseBy, expiresAt: number, now: number): Promise<WriteOutcome> {
    const byLock = 'lockId' in by;
    return this.update(name, {
      UpdateExpression: 'SET expiresAt = :exp, leaseMs = :lease, updatedAt = :now',
      ConditionExpression: `${byLock ? '#owner = :who' : 'attribute_exists(#owner) AND #user = :who'} AND (attribute_not_exists(uberlock) OR uberlock = :false)`,
      ExpressionAttributeNames: { '#owner': 'owner', ...(byLock ? {} : { '#user': 'user' }) },
      ExpressionAttributeValues: { ':who': { S: byLock ? by.lockId : by.user }, ':exp': { N: String(expiresAt) }, ':lease': { N: String(expiresAt - now) }, ':now': { N: String(now) }, ':false': { BOOL: false } },
    });
  }

  async markUberPending(name: string, until: number, now: number): Promise<void> {
    await this.update(name, {
      UpdateExpression: until > 0 ? 'SET uberPendingUntil = :until, updatedAt = :now' : 'SET updatedAt = :now REMOVE uberPendingUntil',
      ExpressionAttributeValues: until > 0 ? { ':until': { N: String(until) }, ':now': { N: String(now) } } : { ':now': { N: String(now) } },
    });
  }

  async takeTicket(name: string, joinToken: string, now: number): Promise<{ ticket: number; item: LockItem }> {
    const r = await this.update(name, {
      UpdateExpression:
        'SET nextTicket = if_not_exists(nextTicket, :zero) + :one, nowServing = if_not_exists(nowServing, :zero), fence = if_not_exists(fence, :zero), lastJoin = :join, lastJoinAt = :now, updatedAt = :now',
      // A repeated join whose first write landed (and nobody joined since) gets its ticket back.
      ConditionExpression: 'attribute_not_exists(lastJoin) OR lastJoin <> :join',
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':now': { N: String(now) }, ':join': { S: joinToken } },
    });
    const item = r.ok ? r.item : r.current;
    if (!item || item.nextTicket === undefined) throw new StoreError('other', 'could not take a queue ticket', false);
    return { ticket: item.nextTicket, item };
  }

  async skipTicket(name: string, seenServing: number, now: number): Promise<boolean> {
    const r = await this.update(name, {
      UpdateExpression: 'SET nowServing = :next, updatedAt = :now',
      ConditionExpression: 'nowServing = :seen AND nextTicket > :seen',
      ExpressionAttributeValues: { ':seen': { N: String(seenServing) }, ':next': { N: String(seenServing + 1) }, ':now': { N: String(now) } },
    });
    return r.ok;
  }

  private async put(item: Item): Promise<void> {
    try {
      await this.send(new PutItemCommand({ TableName: this.config.table, Item: item }));
    } catch (err) {
      throw classify(err, this.config);
    }
  }

  /** Every page of a Query or Scan. */
  private async pages(page: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    try {
      do {
        const out = await page(start);
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      throw classify(err, this.config);
    }
    return items;
  }

  private query(name: string, prefix: string): Promise<Item[]> {
    return this.pages((start) =>
      this.send(
        new QueryCommand({
          TableName: this.config.table,
          ConsistentRead: true,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: name }, ':prefix': { S: prefix } },
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  /** Scans the table for items whose sort key starts with `prefix`. */
  private scan(prefix: string): Promise<Item[]> {
    return this.pages((start) =>
      this.send(
        new ScanCommand({
          TableName: this.config.table,
          ConsistentRead: true,
          FilterExpression: 'begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':prefix': { S: prefix } },
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  putQueueEntry(entry: QueueEntry): Promise<void> {
    return this.put({
      pk: { S: entry.name },
      sk: { S: `Q#${String(entry.ticket).padStart(20, '0')}` },
      entry: { S: JSON.stringify(entry) },
      // Garbage collection only; liveness is judged by expiresAt inside the entry.
      ttl: { N: String(Math.floor(entry.expiresAt / 1000) + 86_400) },
    });
  }

  async getQueueEntry(name: string, ticket: number): Promise<QueueEntry | undefined> {
    try {
      const out = await this.send(
        new GetItemCommand({
          TableName: this.config.table,
          Key: { pk: { S: name }, sk: { S: `Q#${String(ticket).padStart(20, '0')}` } },
          ConsistentRead: true,
        }),
      );
      return out.Item?.entry?.S ? (JSON.parse(out.Item.entry.S) as QueueEntry) : undefined;
    } catch (err) {
      throw classify(err, this.config);
    }
  }

  async listQueue(name: string): Promise<QueueEntry[]> {
    return (await this.query(name, 'Q#')).map((i) => JSON.parse(i.entry?.S ?? '{}') as QueueEntry);
  }

  addHistory(event: HistoryEvent): Promise<void> {
    return this.put({
      pk: { S: event.name },
      sk: { S: `H#${new Date(event.at).toISOString()}#${event.id}` },
      event: { S: JSON.stringify(event) },
      ttl: { N: String(Math.floor(event.keepUntil / 1000)) },
    });
  }

  async listHistory(name?: string): Promise<HistoryEvent[]> {
    const items = name ? await this.query(name, 'H#') : await this.scan('H#');
    const now = Date.now();
    return items
      .map((i) => JSON.parse(i.event?.S ?? '{}') as HistoryEvent)
      .filter((e) => e.keepUntil > now)
      .sort(byTime);
  }

  async get(name: string): Promise<LockItem | undefined> {
    try {
      const out = await this.send(
        new GetItemCommand({ TableName: this.config.table, Key: this.key(name), ConsistentRead: true }),
      );
      return out.Item ? fromItem(out.Item, name) : undefined;
    } catch (err) {
      throw classify(err, this.config);
    }
  }

  async list(): Promise<LockItem[]> {
    return (await this.scan(LOCK_SK)).filter((it) => it.sk?.S === LOCK_SK).map((it) => fromItem(it, it.pk?.S ?? '?'));
  }

  async init(): Promise<boolean> {
    let created = false;
    try {
      await this.send(
        new CreateTableCommand({
          TableName: this.config.table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      created = true;
    } catch (err) {
      if ((err as Error).name !== 'ResourceInUseException') throw classify(err, this.config);
    }
    try {
      for (let i = 0; i < 120; i++) {
        const d = await this.send(new DescribeTableCommand({ TableName: this.config.table }));
        checkKeySchema(this.config.table, d.Table);
        if (d.Table?.TableStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      await this.client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: this.config.table,
            TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
          }),
        )
        .catch((err: Error) => {
          // Already enabled is the second-run case.
          if (!/already enabled|TimeToLive is already/i.test(err.message)) throw err;
        });
    } catch (err) {
      throw classify(err, this.config);
    }
    return created;
  }
}

type KeyPart = { name: string; type: string; attr: string };
const KEY_SCHEMA: KeyPart[] = [
  { name: 'pk', type: 'HASH', attr: 'S' },
  { name: 'sk', type: 'RANGE', attr: 'S' },
];
const showKeys = (keys: KeyPart[]) => keys.map((k) => `${k.name}(${k.type}, ${k.attr})`).join(' + ');

/**
 * `init` on a table that already exists: its key schema must be daplaya's, or every
 * lock would fail later with ValidationException.
 */
function checkKeySchema(table: string, t: TableDescription | undefined): void {
  if (!t?.KeySchema) return;
  const types = new Map((t.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const keys = t.KeySchema.map((k) => ({ name: k.AttributeName ?? '?', type: k.KeyType ?? '?', attr: types.get(k.AttributeName) ?? '?' })).sort((a, b) =>
    a.type === b.type ? 0 : a.type === 'HASH' ? -1 : 1,
  );
  if (showKeys(keys) !== showKeys(KEY_SCHEMA)) {
    throw new StoreError('other', `table ${table} exists with key schema ${showKeys(keys) || 'none'}; daplaya needs ${showKeys(KEY_SCHEMA)}: pick another --table`, false);
  }
}

function num(v: AttributeValue | undefined): number | undefined {
  return v?.N !== undefined ? Number(v.N) : undefined;
}

function fromItem(it: Item, name: string): LockItem {
  const item: LockItem = { name: it.pk?.S ?? name, fence: num(it.fence) ?? 0 };
  const str = (k: keyof LockItem & string) => {
    const v = it[k]?.S;
    if (v !== undefined) (item as unknown as Record<string, unknown>)[k] = v;
  };
  const n = (k: keyof LockItem & string) => {
    const v = num(it[k]);
    if (v !== undefined) (item as unknown as Record<string, unknown>)[k] = v;
  };
  for (const k of ['owner', 'user', 'meta', 'lastJoin', 'lastOwner', 'lastUser', 'forcedBy', 'forcedFrom', 'forceReason', 'prevOwner', 'prevUser'] as const) str(k);
  for (const k of ['acquiredAt', 'updatedAt', 'expiresAt', 'releasedAt', 'nextTicket', 'nowServing', 'prevExpiresAt', 'uberPendingUntil', 'lastAcquiredAt', 'leaseMs', 'lastJoinAt'] as const) n(k);
  if (it.uberlock?.BOOL !== undefined) item.uberlock = it.uberlock.BOOL;
  // A held item whose expiry is no number (edited by hand): NaN, so every reader sees an
  // unknown expiry (held, see rules.ts isHeld) rather than a missing one read as 0.
  if (item.owner !== undefined && item.expiresAt === undefined) item.expiresAt = NaN;
  return item;
}

/** Names the cause of an SDK failure, and whether repeating the same write may settle it. */
export function classify(err: unknown, config: DynamoStoreConfig): StoreError {
  if (err instanceof StoreError) return err;
  // Messages name the endpoint, never its password.
  const cfg = config.endpoint ? { ...config, endpoint: redactUrl(config.endpoint) } : config;
  const e = err as Error & { $metadata?: { httpStatusCode?: number }; code?: string; $fault?: string };
  const name = e?.name ?? '';
  const msg = redactUrl(e?.message ?? String(err));
  const status = e?.$metadata?.httpStatusCode;
  if (name === 'ResourceNotFoundException') {
    return new StoreError('no-table', `no such table: ${cfg.table}${cfg.region ? ` in ${cfg.region}` : ''} (create it with \`daplaya init\`, or pass --table)`, false);
  }
  if (/region is missing/i.test(msg) || name === 'RegionMissingError') {
    return new StoreError('no-region', 'no AWS region: set AWS_REGION or pass --region', false);
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(msg)) {
    return new StoreError('no-credentials', 'no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, DAPLAYA_AWS_ACCESS_KEY_ID/DAPLAYA_AWS_SECRET_KEY, or a role', false);
  }
  if (
    ['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'MissingAuthenticationTokenException'].includes(name)
  ) {
    return new StoreError('access-denied', `access denied to DynamoDB table ${cfg.table}: ${name}: ${firstLine(msg)}`, false);
  }
  if (['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException'].includes(name)) {
    return new StoreError('throttled', `DynamoDB throttled the request: ${firstLine(msg)}`, true);
  }
  const code = e?.code ?? (e as { cause?: { code?: string } })?.cause?.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    // Nothing reached the engine; repeating is safe and may ride out a blip.
    return new StoreError('unreachable', `DynamoDB endpoint unreachable${cfg.endpoint ? ` at ${cfg.endpoint}` : ''}: ${code}`, true);
  }
  if (name === 'DeadlineExceeded' || name === 'AbortError') {
    return new StoreError('ambiguous', `DynamoDB ${cfg.endpoint ? `at ${cfg.endpoint}` : `table ${cfg.table}`} did not answer within ${(err as DeadlineExceeded).ms ?? cfg.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS}ms`, true);
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || code === 'ECONNRESET' || code === 'EPIPE' || (status !== undefined && status >= 500) || e?.$fault === 'server') {
    return new StoreError('ambiguous', `DynamoDB request outcome unknown (${name || code || status}): ${firstLine(msg)}`, true);
  }
  return new StoreError('other', `DynamoDB error ${name}: ${firstLine(msg)}`, false);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
