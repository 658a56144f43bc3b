// Imported first by every entry point. The AWS SDK prints a multi-line Node-version
// notice on Node 20, which would break the one-line error contract of the CLI and
// clutter job logs; the SDK itself is loaded lazily, after this has run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
