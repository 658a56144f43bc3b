/** Per DynamoDB request, SDK retries included (README "Timeouts and bounds"). Apart from dynamodb.ts so configuration can name it without loading the SDK. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
