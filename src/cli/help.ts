export const HELP = `daplaya — a deployment lock for CI, stored in DynamoDB

Usage: daplaya <command> [flags]

Commands:
  lock     --env ENV[,ENV...] [--user U] [--meta TEXT] [--uberlock] [--wait DUR] [--lease DUR]
           [--lock-id ID] [--force --reason TEXT] [--json]
                       take the lock, waiting up to --wait (default 0) while someone holds it
  release  --env ENV[,ENV...] [--user U] [--lock-id ID] [--force --reason TEXT] [--json]
                       give the lock back (only its holder can, unless forced)
  release  ... --force --reason TEXT   break-glass: release whoever holds it (recorded)
  lock     --env ENV --extend DUR      lengthen the lease of a lock you hold
  locks    [--env ENV] [--json]        list locks and their holders
  history  [--env ENV] [--json]        acquisitions, releases, expiries, forced takeovers
  status   --env ENV [--json]          who holds one lock
  wait     --env ENV [--wait DUR]      wait until a lock is free, without taking it
  run      --env ENV [lock flags] -- CMD ARGS...
                       lock, run CMD with the lease renewed, release, exit with CMD's code
  init                 create the DynamoDB table (safe to run twice)

Store flags (every command):
  --table NAME         DynamoDB table (env DAPLAYA_TABLE; default DaPlayaLocks when DynamoDB is used)
  --region REGION      AWS region (env AWS_REGION)
  --endpoint URL       DynamoDB endpoint (env AWS_ENDPOINT_URL_DYNAMODB)
  --store file|dynamodb  --store-dir DIR   the embedded file store (the default outside CI with no table)

Durations: 90s, 15m, 2h, 1h30m, 0.
Exit codes: 0 done; 1 failure (no such table, access denied, no region, engine unreachable);
            2 bad usage or input; 3 lock busy or held by someone else.
`;
