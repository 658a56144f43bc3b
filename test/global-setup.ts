import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './helpers/engine.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One DynamoDB Local for the whole run; each test file uses its own tables. */
export default async function setup(project: TestProject) {
  const engine = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', engine.endpoint);
  return () => engine.stop();
}
