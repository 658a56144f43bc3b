import { describe, expect, it } from 'vitest';
import { actionEnabled, actionJobOutcome, loadActionConfig } from '../../src/config.js';

const defaults = { user: 'octocat@example.com', meta: 'https://github.example.com/acme/app/actions/runs/1', lockIdPrefix: 'github:acme/app:1:1:deploy' };
const inputs = { INPUT_ENV: 'production', INPUT_TABLE: 'DaPlayaLocks', AWS_REGION: 'eu-west-1' };

describe('action configuration', () => {
  it('names the input, not a CLI flag, in its errors', () => {
    expect(() => loadActionConfig({ ...inputs, INPUT_ENDPOINT: 'not a url' }, defaults)).toThrow(/^input endpoint is not a URL: "not a url"$/);
    expect(() => loadActionConfig({ ...inputs, INPUT_TABLE: 'x' }, defaults)).toThrow(/^input table "x" is not a valid DynamoDB table name/);
  });

  it('enabled: true unless the input says false; anything else is an error', () => {
    expect(actionEnabled({})).toBe(true);
    expect(actionEnabled({ INPUT_ENABLED: '' })).toBe(true);
    expect(actionEnabled({ INPUT_ENABLED: 'true' })).toBe(true);
    expect(actionEnabled({ INPUT_ENABLED: 'False' })).toBe(false);
    expect(() => actionEnabled({ INPUT_ENABLED: 'sometimes' })).toThrow(/input enabled must be true or false, got "sometimes"/);
  });

  it('job-status (job.status) becomes the release outcome of the history', () => {
    expect(actionJobOutcome({})).toEqual({});
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'success' })).toEqual({ outcome: 'success' });
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'failure' })).toEqual({ outcome: 'failed' });
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'cancelled' })).toEqual({ outcome: 'cancelled' });
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'skipped' })).toEqual({ warning: expect.stringMatching(/job-status .*"skipped"/) });
  });
});
