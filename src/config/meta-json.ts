import type { MetaData } from '../lock/types.js';
import { MAX_META, UsageError } from './common.js';

/** At most this many keys: metadata is a few labels (a ticket, a risk level), not a document. */
const MAX_KEYS = 20;

/**
 * `--meta-json '{"ticket":"MAINT-123"}'`: a JSON object of plain values (strings, numbers,
 * booleans), kept on the lock item and in the history as structured metadata.
 */
export function parseMetaJson(text: string): MetaData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--meta-json is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--meta-json must be a JSON object, e.g. {"ticket":"MAINT-123"}');
  const entries = Object.entries(data as Record<string, unknown>);
  if (entries.length === 0) throw new UsageError('--meta-json is an empty object');
  if (entries.length > MAX_KEYS) throw new UsageError(`--meta-json has ${entries.length} keys; the limit is ${MAX_KEYS}`);
  const out: MetaData = {};
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9_.:/-]{1,64}$/.test(k)) throw new UsageError(`--meta-json key ${JSON.stringify(k)} must be 1-64 letters, digits or . _ - : /`);
    if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new UsageError(`--meta-json value of ${JSON.stringify(k)} must be a string, number or boolean`);
    }
    out[k] = v;
  }
  if (JSON.stringify(out).length > MAX_META) throw new UsageError(`--meta-json is longer than ${MAX_META} characters`);
  return out;
}

/** `ticket=MAINT-123 why="db migration"`: how metadata is shown (values with spaces or quotes are JSON-quoted). */
export function metaDataText(data: MetaData): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}=${typeof v === 'string' && (v === '' || /[\s"=,]/.test(v)) ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
