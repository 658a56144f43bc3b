import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 819:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   EY: () => (/* binding */ backoffDelay),
/* harmony export */   VU: () => (/* binding */ DEFAULT_BACKOFF),
/* harmony export */   dR: () => (/* binding */ monotonicMs),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 5000, jitter: 0.5 };
/** Exponential backoff, capped, with jitter: delay for the attempt numbered from 0. */
function backoffDelay(attempt, p, random = Math.random) {
    const base = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(attempt, 30));
    return base * (1 - p.jitter) + base * p.jitter * random();
}
/** Sleeps, waking early (and resolving false) if the signal aborts. */
function sleep(ms, signal) {
    return new Promise((resolve) => {
        if (signal?.aborted)
            return resolve(false);
        const done = (ok) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(ok);
        };
        const onAbort = () => done(false);
        // Node's timers are 32-bit: a longer delay would fire at once. Sleep at most ~24 days.
        const timer = setTimeout(() => done(true), Math.min(2_147_483_647, Math.max(0, ms)));
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC on Linux): not moved by
 * NTP steps or a wrong wall clock, and the same clock for every process on the machine,
 * so a renewer can continue a lease timed by the process that took the lock.
 */
function monotonicMs() {
    return Number(process.hrtime.bigint() / 1000000n);
}


/***/ }),

/***/ 3889:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  QS: () => (/* binding */ DEFAULT_HISTORY_MS),
  "if": () => (/* binding */ DEFAULT_SKEW_MS),
  pM: () => (/* binding */ LockClient)
});

// UNUSED EXPORTS: DEFAULT_QUEUE, heldBy, lapseId, toHolder

;// CONCATENATED MODULE: ./node_modules/is-network-error/index.js
const objectToString = Object.prototype.toString;

const isError = value => objectToString.call(value) === '[object Error]';

const errorMessages = new Set([
	'network error', // Chrome
	'NetworkError when attempting to fetch resource.', // Firefox
	'The Internet connection appears to be offline.', // Safari 16
	'Network request failed', // `cross-fetch`
	'fetch failed', // Undici (Node.js)
	'terminated', // Undici (Node.js)
	' A network error occurred.', // Bun (WebKit)
	'Network connection lost', // Cloudflare Workers (fetch)
]);

function isNetworkError(error) {
	const isValid = error
		&& isError(error)
		&& error.name === 'TypeError'
		&& typeof error.message === 'string';

	if (!isValid) {
		return false;
	}

	const {message, stack} = error;

	// Safari 17+ has generic message but no stack for network errors
	if (message === 'Load failed' || (message.startsWith('Load failed (') && message.endsWith(')'))) {
		return stack === undefined
			// Sentry adds its own stack trace to the fetch error, so also check for that
			|| '__sentry_captured__' in error;
	}

	// Deno network errors start with specific text
	if (message.startsWith('error sending request for url')) {
		return true;
	}

	// Chrome: exact "Failed to fetch" or with hostname: "Failed to fetch (example.com)"
	if (message === 'Failed to fetch' || (message.startsWith('Failed to fetch (') && message.endsWith(')'))) {
		return true;
	}

	// Standard network error messages
	return errorMessages.has(message);
}

;// CONCATENATED MODULE: ./node_modules/p-retry/index.js


function validateRetries(retries) {
	if (typeof retries === 'number') {
		if (retries < 0) {
			throw new TypeError('Expected `retries` to be a non-negative number.');
		}

		if (Number.isNaN(retries)) {
			throw new TypeError('Expected `retries` to be a valid number or Infinity, got NaN.');
		}
	} else if (retries !== undefined) {
		throw new TypeError('Expected `retries` to be a number or Infinity.');
	}
}

function validateNumberOption(name, value, {min = 0, allowInfinity = false} = {}) {
	if (value === undefined) {
		return;
	}

	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new TypeError(`Expected \`${name}\` to be a number${allowInfinity ? ' or Infinity' : ''}.`);
	}

	if (!allowInfinity && !Number.isFinite(value)) {
		throw new TypeError(`Expected \`${name}\` to be a finite number.`);
	}

	if (value < min) {
		throw new TypeError(`Expected \`${name}\` to be \u2265 ${min}.`);
	}
}

class AbortError extends Error {
	constructor(message) {
		super();

		if (message instanceof Error) {
			this.originalError = message;
			({message} = message);
		} else {
			this.originalError = new Error(message);
			this.originalError.stack = this.stack;
		}

		this.name = 'AbortError';
		this.message = message;
	}
}

function calculateDelay(retriesConsumed, options) {
	const attempt = Math.max(1, retriesConsumed + 1);
	const random = options.randomize ? (Math.random() + 1) : 1;

	let timeout = Math.round(random * options.minTimeout * (options.factor ** (attempt - 1)));
	timeout = Math.min(timeout, options.maxTimeout);

	return timeout;
}

function calculateRemainingTime(start, max) {
	if (!Number.isFinite(max)) {
		return max;
	}

	return max - (performance.now() - start);
}

async function onAttemptFailure({error, attemptNumber, retriesConsumed, startTime, options}) {
	const normalizedError = error instanceof Error
		? error
		: new TypeError(`Non-error was thrown: "${error}". You should only throw errors.`);

	if (normalizedError instanceof AbortError) {
		throw normalizedError.originalError;
	}

	const retriesLeft = Number.isFinite(options.retries)
		? Math.max(0, options.retries - retriesConsumed)
		: options.retries;

	const maxRetryTime = options.maxRetryTime ?? Number.POSITIVE_INFINITY;

	const context = Object.freeze({
		error: normalizedError,
		attemptNumber,
		retriesLeft,
		retriesConsumed,
	});

	await options.onFailedAttempt(context);

	if (calculateRemainingTime(startTime, maxRetryTime) <= 0) {
		throw normalizedError;
	}

	const consumeRetry = await options.shouldConsumeRetry(context);

	const remainingTime = calculateRemainingTime(startTime, maxRetryTime);

	if (remainingTime <= 0 || retriesLeft <= 0) {
		throw normalizedError;
	}

	if (normalizedError instanceof TypeError && !isNetworkError(normalizedError)) {
		if (consumeRetry) {
			throw normalizedError;
		}

		options.signal?.throwIfAborted();
		return false;
	}

	if (!await options.shouldRetry(context)) {
		throw normalizedError;
	}

	if (!consumeRetry) {
		options.signal?.throwIfAborted();
		return false;
	}

	const delayTime = calculateDelay(retriesConsumed, options);
	const finalDelay = Math.min(delayTime, remainingTime);

	options.signal?.throwIfAborted();

	if (finalDelay > 0) {
		await new Promise((resolve, reject) => {
			const onAbort = () => {
				clearTimeout(timeoutToken);
				options.signal?.removeEventListener('abort', onAbort);
				reject(options.signal.reason);
			};

			const timeoutToken = setTimeout(() => {
				options.signal?.removeEventListener('abort', onAbort);
				resolve();
			}, finalDelay);

			if (options.unref) {
				timeoutToken.unref?.();
			}

			options.signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	options.signal?.throwIfAborted();

	return true;
}

async function pRetry(input, options = {}) {
	options = {...options};

	validateRetries(options.retries);

	if (Object.hasOwn(options, 'forever')) {
		throw new Error('The `forever` option is no longer supported. For many use-cases, you can set `retries: Infinity` instead.');
	}

	options.retries ??= 10;
	options.factor ??= 2;
	options.minTimeout ??= 1000;
	options.maxTimeout ??= Number.POSITIVE_INFINITY;
	options.maxRetryTime ??= Number.POSITIVE_INFINITY;
	options.randomize ??= false;
	options.onFailedAttempt ??= () => {};
	options.shouldRetry ??= () => true;
	options.shouldConsumeRetry ??= () => true;

	// Validate numeric options and normalize edge cases
	validateNumberOption('factor', options.factor, {min: 0, allowInfinity: false});
	validateNumberOption('minTimeout', options.minTimeout, {min: 0, allowInfinity: false});
	validateNumberOption('maxTimeout', options.maxTimeout, {min: 0, allowInfinity: true});
	validateNumberOption('maxRetryTime', options.maxRetryTime, {min: 0, allowInfinity: true});

	// Treat non-positive factor as 1 to avoid zero backoff or negative behavior
	if (!(options.factor > 0)) {
		options.factor = 1;
	}

	options.signal?.throwIfAborted();

	let attemptNumber = 0;
	let retriesConsumed = 0;
	const startTime = performance.now();

	while (Number.isFinite(options.retries) ? retriesConsumed <= options.retries : true) {
		attemptNumber++;

		try {
			options.signal?.throwIfAborted();

			const result = await input(attemptNumber);

			options.signal?.throwIfAborted();

			return result;
		} catch (error) {
			if (await onAttemptFailure({
				error,
				attemptNumber,
				retriesConsumed,
				startTime,
				options,
			})) {
				retriesConsumed++;
			}
		}
	}

	// Should not reach here, but in case it does, throw an error
	throw new Error('Retry attempts exhausted without throwing an error.');
}

function makeRetriable(function_, options) {
	return function (...arguments_) {
		return pRetry(() => function_.apply(this, arguments_), options);
	};
}

// EXTERNAL MODULE: ./src/lock/backoff.ts
var backoff = __nccwpck_require__(819);
// EXTERNAL MODULE: ./src/lock/types.ts
var types = __nccwpck_require__(1254);
;// CONCATENATED MODULE: ./src/lock/acquire.ts


const DEFAULT_QUEUE = {
    ttlMs: 36_000,
    refreshMs: 12_000,
    nearHeadTtlMs: 7_500,
    nearHeadRefreshMs: 2_500,
    headPollMs: 1_500,
    minPollMs: 150,
    maxPollMs: 6_000,
    missingGraceMs: 3_000,
    uberPendingMs: 8_000,
};
function toHolder(item) {
    return {
        name: item.name,
        lockId: item.owner,
        user: item.user ?? 'unknown',
        meta: item.meta ?? '',
        uberlock: item.uberlock === true,
        since: item.acquiredAt ?? 0,
        expiresAt: item.expiresAt ?? 0,
        fence: item.fence,
    };
}
function heldBy(item) {
    return item?.owner !== undefined ? toHolder(item) : undefined;
}
function claimOf(req, extra = {}) {
    const c = { lockId: req.lockId, user: req.user, meta: req.meta, uberlock: req.uberlock === true, leaseMs: req.leaseMs, ...extra };
    if (req.uberlock && req.freezeUntil !== undefined)
        c.freezeUntil = req.freezeUntil;
    if (req.metaData)
        c.metaData = req.metaData;
    return c;
}
/** The takeover part of a claim, when `item` holds a lease the watch says has lapsed. */
function takeoverOf(item) {
    if (item?.owner === undefined || typeof item.expiresAt !== 'number')
        return {};
    return { takeover: { owner: item.owner, fence: item.fence, expiresAt: item.expiresAt } };
}
function clamp(x, lo, hi) {
    return Math.max(lo, Math.min(hi, x));
}
async function acquireLock(ctx, req) {
    return new Acquisition(ctx, req).run();
}
class Acquisition {
    ctx;
    req;
    start;
    watch;
    attempts = 0;
    constructor(ctx, req) {
        this.ctx = ctx;
        this.req = req;
        this.start = ctx.clock();
        this.watch = ctx.leaseWatch(req.name);
    }
    async run() {
        const { req } = this;
        if (req.signal?.aborted)
            return this.notAcquired('cancelled');
        if (req.force)
            return this.byForce();
        // The fast path: one conditional write that succeeds when the lock is free and nobody is queued.
        let r = await this.attempt(claimOf(req));
        if (r.ok)
            return r.result;
        let cur = r.current;
        if (!req.uberlock) {
            // A free lock is never refused because of tickets nobody will use: clear dead ones first.
            if (cur?.owner === undefined && !(await this.clearDeadTickets())) {
                // Live waiters are ahead: the caller joins the line below (or gives up, naming them).
            }
            else if (cur?.owner === undefined || this.canTakeOver(cur)) {
                r = await this.attempt(claimOf(req, takeoverOf(cur)));
                if (r.ok)
                    return r.result;
                cur = r.current;
            }
        }
        const now = this.ctx.clock();
        // A freeze does not end when a job finishes: waiting on it burns a runner for nothing.
        const frozen = !req.uberlock && !req.waitOnFreeze && cur?.owner !== undefined && cur.uberlock === true && !this.canTakeOver(cur);
        if (frozen || now >= this.start + req.waitMs) {
            const holder = heldBy(cur);
            if (holder)
                req.onBusy?.({ holder, attempt: this.attempts, waitedMs: now - this.start, nextAttemptInMs: 0 });
            if (holder)
                return this.notAcquired('busy', holder);
            const who = await this.inTheWay();
            return this.notAcquired('busy', who.holder, who.queuedAhead);
        }
        // An uberlock goes ahead of queued waiters: it polls the lock itself, taking no ticket.
        if (req.uberlock)
            return this.byPolling(cur);
        return this.inQueue();
    }
    canTakeOver(item) {
        return this.watch.takeoverIn(item, this.ctx.mono(), this.ctx.clock(), this.ctx.skewMs) <= 0;
    }
    /** One acquire write, settling ambiguity by repeating it; on failure gives back a write that may have landed. */
    async attempt(claim) {
        const { ctx, req } = this;
        const sentAt = ctx.mono();
        let outcome;
        try {
            outcome = await ctx.write(() => ctx.store.acquire(req.name, claim, ctx.clock()));
        }
        catch (err) {
            try {
                await ctx.store.release(req.name, { lockId: req.lockId }, ctx.clock());
            }
            catch {
                // The lease frees it if even this fails.
            }
            throw err;
        }
        this.attempts++;
        if (outcome.ok)
            return { ok: true, result: this.acquired(outcome.item, sentAt) };
        this.watch.see(outcome.current, ctx.mono());
        return { ok: false, current: outcome.current };
    }
    acquired(item, confirmedAt) {
        const r = {
            acquired: true,
            lock: toHolder(item),
            waitedMs: this.ctx.clock() - this.start,
            attempts: this.attempts,
            confirmedAt,
        };
        if (item.prevOwner && item.prevOwner !== 'none' && item.prevOwner !== item.owner) {
            r.replaced = { lockId: item.prevOwner, user: item.prevUser ?? 'unknown', expiresAt: item.prevExpiresAt ?? 0 };
        }
        return r;
    }
    notAcquired(reason, holder, queuedAhead) {
        const r = { acquired: false, reason, waitedMs: this.ctx.clock() - this.start, attempts: this.attempts };
        if (holder)
            r.holder = holder;
        if (queuedAhead)
            r.queuedAhead = queuedAhead;
        return r;
    }
    forcedFrom;
    async byForce() {
        const { ctx, req } = this;
        let seen = heldBy(await ctx.write(() => ctx.store.get(req.name)));
        for (let i = 1; i <= 5; i++) {
            this.forcedFrom = seen && seen.lockId !== req.lockId ? seen : undefined;
            const r = await this.attempt(claimOf(req, { force: { seenOwner: seen?.lockId, reason: req.force.reason } }));
            if (r.ok) {
                if (r.result.acquired && this.forcedFrom)
                    r.result.tookOverFrom = this.forcedFrom;
                return r.result;
            }
            seen = heldBy(r.current);
        }
        throw new types/* StoreError */.AD('other', `could not force env ${req.name}: its holder kept changing`, false);
    }
    /**
     * Who stands in the way of a caller that found the lock free but could not take it:
     * the holder if someone took it meanwhile (often the queue's head), else the live
     * waiters ahead. The refusal then always names someone.
     */
    async inTheWay() {
        const { ctx, req } = this;
        const item = await ctx.write(() => ctx.store.get(req.name));
        const holder = heldBy(item);
        if (holder)
            return { holder };
        const served = item?.nowServing ?? 0;
        const now = ctx.clock();
        const live = (await ctx.write(() => ctx.store.listQueue(req.name))).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - ctx.skewMs);
        const first = live[0];
        return first ? { queuedAhead: { count: live.length, first: { user: first.user, meta: first.meta } } } : {};
    }
    /**
     * Skips tickets at the head of the queue whose waiters are gone (cancelled, expired,
     * or never wrote an entry). Returns true when the queue ended up empty.
     */
    async clearDeadTickets() {
        const { ctx, req } = this;
        for (let i = 0; i < 1000; i++) {
            const item = await ctx.write(() => ctx.store.get(req.name));
            const serving = item?.nowServing ?? 0;
            if ((item?.nextTicket ?? 0) <= serving)
                return true;
            if (!(await this.headIsDead(item, serving + 1)))
                return false;
            await ctx.write(() => ctx.store.skipTicket(req.name, serving, ctx.clock()));
        }
        return false;
    }
    headWatch = new Map();
    /**
     * Whether the waiter holding `ticket` (at the head) is gone: its entry cancelled, past
     * its expiry (allowing for skew), unchanged on our monotonic clock for its time to live,
     * or missing although its ticket was issued long enough ago to have written one.
     */
    async headIsDead(item, ticket) {
        const { ctx, req } = this;
        const e = await ctx.write(() => ctx.store.getQueueEntry(req.name, ticket));
        const now = ctx.clock();
        const mono = ctx.mono();
        const version = e ? `${e.expiresAt}|${e.cancelled === true}` : 'missing';
        const w = this.headWatch.get(ticket);
        const since = w && w.version === version ? w.since : mono;
        this.headWatch.set(ticket, { version, since });
        if (!e) {
            const issuedLongAgo = item.lastJoinAt !== undefined && item.lastJoinAt < now - ctx.queue.missingGraceMs - ctx.skewMs;
            return issuedLongAgo || mono - since > ctx.queue.missingGraceMs;
        }
        if (e.cancelled || e.expiresAt < now - ctx.skewMs)
            return true;
        const ttl = e.ttlMs ?? ctx.queue.ttlMs;
        return mono - since > Math.min(ttl, ctx.queue.nearHeadTtlMs + ctx.queue.maxPollMs);
    }
    /**
     * Waiting without a ticket (uberlocks): announce the pending freeze, so queued
     * normal waiters hold back, and poll with capped exponential backoff and jitter.
     */
    async byPolling(last) {
        const { ctx, req } = this;
        const deadline = this.start + req.waitMs;
        let lastItem = last;
        let lastHolder = heldBy(last);
        let announcedUntil = 0;
        const announce = async () => {
            if (announcedUntil - ctx.clock() > (ctx.queue.uberPendingMs * 2) / 3)
                return;
            announcedUntil = ctx.clock() + ctx.queue.uberPendingMs;
            await ctx.write(() => ctx.store.markUberPending(req.name, announcedUntil, ctx.clock())).catch(() => undefined);
        };
        const withdraw = async () => {
            await ctx.write(() => ctx.store.markUberPending(req.name, 0, ctx.clock())).catch(() => undefined);
        };
        try {
            for (let poll = 0;; poll++) {
                await announce();
                const now = ctx.clock();
                // A freeze in waiting keeps normal waiters back, so it polls briskly.
                let delay = Math.min((0,backoff/* backoffDelay */.EY)(poll, ctx.backoff, ctx.random), 5 * ctx.queue.minPollMs, (ctx.queue.uberPendingMs / 3) | 0);
                if (lastHolder && lastItem?.owner !== undefined) {
                    const lapse = this.watch.takeoverIn(lastItem, ctx.mono(), now, ctx.skewMs);
                    if (lapse > 0 && lapse < delay)
                        delay = lapse + 20;
                    req.onBusy?.({ holder: lastHolder, attempt: this.attempts, waitedMs: now - this.start, nextAttemptInMs: Math.max(0, Math.min(delay, deadline - now)) });
                }
                if (!(await (0,backoff/* sleep */.yy)(Math.max(0, Math.min(delay, deadline - now)), req.signal))) {
                    await withdraw();
                    return this.notAcquired('cancelled', lastHolder);
                }
                const cur = await ctx.write(() => ctx.store.get(req.name));
                this.watch.see(cur, ctx.mono());
                lastItem = cur;
                const takeover = cur?.owner !== undefined && this.canTakeOver(cur) ? takeoverOf(cur) : {};
                if (cur?.owner === undefined || 'takeover' in takeover) {
                    const r = await this.attempt(claimOf(req, takeover));
                    if (r.ok)
                        return r.result;
                    if (r.current)
                        lastItem = r.current;
                }
                lastHolder = heldBy(lastItem) ?? lastHolder;
                if (ctx.clock() >= deadline) {
                    await withdraw();
                    return this.notAcquired('busy', lastHolder);
                }
            }
        }
        catch (err) {
            await withdraw();
            throw err;
        }
    }
    /**
     * FIFO waiting: take a ticket, keep a queue entry alive, and take the lock when we
     * are the head of the queue and the lock is free (or its lease has lapsed). Waiters
     * far back poll slowly, the head polls fast. A dead or cancelled head is skipped by a
     * conditional advance of nowServing. Mutual exclusion still rests only on the acquire
     * condition. Whatever ends the wait (success, giving up, an error), a waiter that
     * did not take the lock steps aside.
     */
    async inQueue() {
        const { ctx, req } = this;
        const q = ctx.queue;
        const deadline = this.start + req.waitMs;
        let joins = 0;
        const join = async () => {
            // The join token makes a repeated ticket write (lost answer) return the same ticket.
            const token = `${req.lockId}#${joins++}#${ctx.random().toString(36).slice(2, 8)}`;
            const t = (await ctx.write(() => ctx.store.takeTicket(req.name, token, ctx.clock()))).ticket;
            return t;
        };
        let ticket = await join();
        let nearHead = false;
        const entry = () => {
            const ttlMs = nearHead ? q.nearHeadTtlMs : q.ttlMs;
            return { name: req.name, ticket, lockId: req.lockId, user: req.user, meta: req.meta, enqueuedAt: this.start, expiresAt: ctx.clock() + ttlMs, ttlMs };
        };
        const refresh = async () => {
            await ctx.write(() => ctx.store.putQueueEntry(entry())).catch(() => undefined);
            refreshedAt = ctx.mono();
        };
        let refreshedAt = ctx.mono();
        await ctx.write(() => ctx.store.putQueueEntry(entry()));
        let lastHolder;
        let servingSeen = -1;
        let servingSince = ctx.mono();
        let acquired = false;
        const stepAside = async () => {
            // Leave no trace: mark our entry cancelled, and step aside at once if we are the head.
            await ctx.write(() => ctx.store.putQueueEntry({ ...entry(), cancelled: true, expiresAt: ctx.clock() })).catch(() => undefined);
            await ctx.write(() => ctx.store.skipTicket(req.name, ticket - 1, ctx.clock())).catch(() => false);
        };
        try {
            for (;;) {
                if (req.signal?.aborted) {
                    await stepAside();
                    return this.notAcquired('cancelled', lastHolder);
                }
                const item = await ctx.write(() => ctx.store.get(req.name));
                const now = ctx.clock();
                const mono = ctx.mono();
                this.watch.see(item, mono);
                const serving = item?.nowServing ?? 0;
                if (serving !== servingSeen) {
                    servingSeen = serving;
                    servingSince = mono;
                }
                lastHolder = heldBy(item);
                if (serving >= ticket) {
                    // We were skipped (our entry looked dead): rejoin at the back.
                    nearHead = false;
                    ticket = await join();
                    await refresh();
                    continue;
                }
                const position = ticket - serving;
                if (position <= 2 && !nearHead) {
                    // Near the head, refresh often so a dead head is noticed quickly.
                    nearHead = true;
                    await refresh();
                }
                const lapse = item?.owner !== undefined ? this.watch.takeoverIn(item, mono, now, ctx.skewMs) : 0;
                let delay;
                if (position === 1) {
                    if (lapse <= 0) {
                        const r = await this.attempt(claimOf(req, { ticket, ...takeoverOf(item) }));
                        if (r.ok) {
                            acquired = true;
                            return r.result;
                        }
                        // Taken meanwhile, or free but an uberlock is about to freeze it: wait like any head.
                        lastHolder = heldBy(r.current);
                    }
                    delay = this.pollBase(lastHolder, now);
                    if (lapse > 0 && lapse < delay)
                        delay = lapse + 20;
                }
                else {
                    // Further back, poll proportionally less: each place ahead is one more handoff away.
                    delay = Math.min(q.maxPollMs, this.pollBase(lastHolder, now) * position);
                    // Only a lock the head could take can be stuck behind a dead head: check the
                    // head then, from second place at once, from further back once the line has not moved for a while.
                    if (lapse <= 0 && (position === 2 || mono - servingSince > q.missingGraceMs)) {
                        if (await this.headIsDead(item, serving + 1)) {
                            await ctx.write(() => ctx.store.skipTicket(req.name, serving, ctx.clock()));
                            continue;
                        }
                    }
                }
                const waitedMs = now - this.start;
                if (now >= deadline) {
                    if (lastHolder)
                        req.onBusy?.({ holder: lastHolder, attempt: this.attempts, waitedMs, nextAttemptInMs: 0, position });
                    await stepAside();
                    if (lastHolder)
                        return this.notAcquired('busy', lastHolder);
                    const who = await this.inTheWay().catch(() => ({}));
                    return this.notAcquired('busy', who.holder, who.queuedAhead);
                }
                delay = Math.max(0, Math.min(delay * (0.8 + 0.4 * ctx.random()), deadline - now));
                req.onBusy?.({ ...(lastHolder ? { holder: lastHolder } : {}), attempt: this.attempts, waitedMs, nextAttemptInMs: delay, position });
                if (mono - refreshedAt >= (nearHead ? q.nearHeadRefreshMs : q.refreshMs))
                    await refresh();
                if (!(await (0,backoff/* sleep */.yy)(delay, req.signal))) {
                    await stepAside();
                    return this.notAcquired('cancelled', lastHolder);
                }
            }
        }
        catch (err) {
            // A waiter that fails on an error must not leave its place looking alive.
            if (!acquired)
                await stepAside();
            throw err;
        }
    }
    /**
     * The longer the holder has held, the longer it is likely to keep holding (deploys run
     * for minutes): poll at a fifth of the time held so far, within bounds. Short holds
     * hand over in a couple of hundred milliseconds; long ones cost about 40 reads a minute.
     */
    pollBase(holder, now) {
        const q = this.ctx.queue;
        return holder ? clamp((now - holder.since) / 5, q.minPollMs, q.headPollMs) : q.minPollMs * 2;
    }
}

;// CONCATENATED MODULE: ./src/lock/events.ts
/** The id every process gives the lapse of the holder with this fence on this env. */
const lapseId = (fence) => `lapsed:${fence}`;

;// CONCATENATED MODULE: ./src/lock/lease-watch.ts

/**
 * When another holder's lease may be taken over, judged without trusting anyone's
 * wall clock. A lease is taken over only after this process has seen the lock item
 * unchanged (same owner, fence and expiry) for a full lease on its own monotonic
 * clock, as the AWS DynamoDB lock client does: if the holder had renewed, the item
 * would have changed. The holder, for its part, treats its lease as lost before a
 * full lease has passed since its last confirmed write (renewal.ts), so the two
 * never overlap in wall time, whatever their clocks say.
 *
 * One shortcut keeps a long-dead lock from needing a full lease of watching: a lease
 * whose wall-clock expiry is more than `LAPSED_LONG_AGO_MS` plus the skew allowance in
 * the past may be taken at once. That relies on clocks agreeing within that margin.
 */
const LAPSED_LONG_AGO_MS = 10 * 60_000;
/**
 * The lease the holder last wrote. Items written before `leaseMs` was recorded fall back
 * to expiry minus acquisition (both from the holder's clock, so skew cancels), which is
 * never shorter than the real lease.
 */
function leaseOf(item) {
    if (typeof item.leaseMs === 'number')
        return item.leaseMs;
    return Math.max(0, (item.expiresAt ?? 0) - (item.acquiredAt ?? item.expiresAt ?? 0));
}
function version(item) {
    return `${item.owner ?? ''}|${item.fence}|${item.expiresAt ?? ''}`;
}
class LeaseWatch {
    seen;
    since = 0;
    /** Records a sighting of the item at monotonic time `mono`. */
    see(item, mono) {
        const v = item ? version(item) : undefined;
        if (v !== this.seen) {
            this.seen = v;
            this.since = mono;
        }
    }
    /**
     * Milliseconds until the held lease in `item` may be taken over (≤ 0: now).
     * `item` must have been passed to `see` first.
     */
    takeoverIn(item, mono, now, skewMs) {
        if (typeof item.expiresAt !== 'number' || !Number.isFinite(item.expiresAt))
            return Number.POSITIVE_INFINITY;
        // A freeze is a declared window, not a lease a running holder renews: it ends at its time.
        if (item.uberlock)
            return item.expiresAt >= types/* NEVER */.tm ? Number.POSITIVE_INFINITY : item.expiresAt - now;
        const watched = this.seen === version(item) ? this.since + leaseOf(item) - mono : leaseOf(item);
        const byWallClock = item.expiresAt + skewMs + LAPSED_LONG_AGO_MS - now;
        return Math.min(watched, byWallClock);
    }
}

// EXTERNAL MODULE: ./src/lock/rules.ts
var rules = __nccwpck_require__(5456);
;// CONCATENATED MODULE: ./src/lock/client.ts









const DEFAULT_HISTORY_MS = 30 * 86_400_000;
const DEFAULT_SKEW_MS = 5_000;
/**
 * The lock protocol: acquire (waiting with capped exponential backoff and jitter),
 * renew, release and reads over any LockStore. No printing, no CI specifics:
 * callers learn about progress through callbacks and results.
 */
class LockClient {
    store;
    clock;
    mono;
    skewMs;
    backoff;
    random;
    queue;
    retries;
    retryMinMs;
    historyMs;
    observer;
    constructor(store, opts = {}) {
        this.store = store;
        this.clock = opts.clock ?? Date.now;
        this.mono = opts.monotonic ?? backoff/* monotonicMs */.dR;
        this.skewMs = opts.skewMs ?? DEFAULT_SKEW_MS;
        this.backoff = opts.backoff ?? backoff/* DEFAULT_BACKOFF */.VU;
        this.random = opts.random ?? Math.random;
        this.retries = opts.transientRetries ?? 4;
        this.retryMinMs = opts.transientMinDelayMs ?? 200;
        this.queue = { ...DEFAULT_QUEUE, ...opts.queue };
        this.historyMs = opts.historyMs ?? DEFAULT_HISTORY_MS;
        this.observer = opts.observer;
    }
    /** Tells the observer, if any; an observer's failure is never the lock's. */
    tell(e) {
        try {
            this.observer?.event(e);
        }
        catch {
            // Notifications are not the lock.
        }
    }
    /**
     * Settles an ambiguous write by repeating it: every write here is idempotent
     * for its own caller (acquire accepts `owner = me`, release records `lastOwner`).
     */
    write(op) {
        // No abort signal here on purpose: a cancelled wait still lets an in-flight write
        // settle, so a write that landed is known (and given back) rather than dropped.
        return pRetry(op, {
            retries: this.retries,
            minTimeout: this.retryMinMs,
            factor: 2,
            randomize: true,
            shouldRetry: ({ error }) => error instanceof types/* StoreError */.AD && error.transient,
        });
    }
    watches = new Map();
    leaseWatch(name) {
        let w = this.watches.get(name);
        if (!w)
            this.watches.set(name, (w = new LeaseWatch()));
        return w;
    }
    async acquire(req) {
        const result = await acquireLock(this, req);
        if (result.acquired)
            await this.recordAcquired(req, result);
        else if (result.reason === 'busy')
            await this.recordGaveUp(req, result);
        return result;
    }
    async recordAcquired(req, r) {
        const base = { name: req.name, lockId: req.lockId, user: req.user, fence: r.lock.fence };
        // The events are independent items: written side by side, one round trip, not two.
        const events = [];
        if (r.tookOverFrom) {
            events.push(this.history({ ...base, kind: 'forced', by: req.user, from: r.tookOverFrom.user, reason: req.force?.reason ?? '', meta: req.meta }));
        }
        else if (r.replaced) {
            // We replaced a holder whose lease had lapsed: that holder's job died or hung.
            events.push(this.history({ name: req.name, kind: 'expired', user: r.replaced.user, lockId: r.replaced.lockId, at: r.replaced.expiresAt }));
        }
        events.push(this.history({ ...base, kind: 'acquired', meta: req.meta, ...(req.metaData ? { metaData: req.metaData } : {}), uberlock: req.uberlock === true, waitedMs: r.waitedMs }));
        await Promise.all(events);
        const at = this.clock();
        const fence = r.lock.fence;
        if (r.tookOverFrom) {
            this.tell({ kind: 'forced', id: `forced:${fence}`, name: req.name, at, by: req.user, from: r.tookOverFrom, reason: req.force?.reason ?? '', fence, uberlock: req.uberlock === true });
        }
        else if (r.replaced) {
            this.tell({ kind: 'lapsed', id: lapseId(fence - 1), name: req.name, at, holder: r.replaced, fence: fence - 1, replacedBy: req.user });
        }
        if (req.uberlock && !r.tookOverFrom) {
            const until = r.lock.expiresAt < types/* NEVER */.tm ? { until: r.lock.expiresAt } : {};
            this.tell({ kind: 'uberlock-set', id: `uberlock-set:${fence}`, name: req.name, at, user: req.user, meta: req.meta, fence, ...until });
        }
    }
    /** A wait that ended with the lock still busy: a failure to acquire, for the history (and stats). */
    async recordGaveUp(req, r) {
        await this.history({ name: req.name, kind: 'gave-up', user: req.user, lockId: req.lockId, meta: req.meta, waitedMs: r.waitedMs, ...(r.holder ? { holder: r.holder.user } : {}) });
        // A single try (--wait 0, Slack) that finds the lock busy is an answer, not a waiter giving up.
        if (req.waitMs > 0) {
            this.tell({ kind: 'gave-up', id: `gave-up:${req.lockId}:${Math.random().toString(36).slice(2, 10)}`, name: req.name, at: this.clock(), user: req.user, waitedMs: r.waitedMs, ...(r.holder ? { holder: r.holder } : {}) });
        }
    }
    /** Appends to the history; best-effort, never in the way of the lock itself. */
    async history(e) {
        if (this.historyMs <= 0)
            return;
        const at = e.at ?? this.clock();
        try {
            await this.store.addHistory({ ...e, at, id: Math.random().toString(36).slice(2, 10), keepUntil: this.clock() + this.historyMs });
        }
        catch {
            // History is a record, not the lock.
        }
    }
    async cancelled(req, attempts, holder, start) {
        const r = { acquired: false, reason: 'cancelled', waitedMs: this.clock() - start, attempts };
        if (holder)
            r.holder = holder;
        return r;
    }
    async bestEffortRelease(name, lockId) {
        try {
            await this.store.release(name, { lockId }, this.clock());
        }
        catch {
            // The short lease frees it if even this fails.
        }
    }
    /** Extends the lease of a lock we hold. A failure means the lock was lost: the result says to whom. */
    async renew(lock, leaseMs) {
        const outcome = await this.write(() => this.store.renew(lock.name, lock.lockId, lock.fence, this.clock() + leaseMs, this.clock()));
        if (outcome.ok)
            return { renewed: true, lock: toHolder(outcome.item) };
        const cur = outcome.current;
        return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
    }
    /**
     * Releases a lock held by `by` (a lock id, or any lock of a user). Idempotent.
     * With `force`, releases whoever holds it (conditioned on the holder just seen).
     */
    async release(name, by, opts = {}) {
        let target = by;
        let forcedFrom;
        // Whether a freeze ends here is news for the observer only: read the holder first just for it.
        let before;
        if (opts.force) {
            // Break-glass: release whoever holds it now, conditioned on that holder.
            const seen = await this.store.get(name);
            if (!isHeldAtAll(seen))
                return { outcome: 'not-held' };
            target = { lockId: seen.owner };
            forcedFrom = toHolder(seen);
        }
        else if (this.observer) {
            const seen = await this.store.get(name).catch(() => undefined);
            if (isHeldAtAll(seen))
                before = toHolder(seen);
        }
        let tries = 0;
        const outcome = await this.write(() => {
            tries++;
            return this.store.release(name, target, this.clock());
        });
        if (outcome.ok) {
            // The item after release names who held it (last*): no read needed for the record.
            const it = outcome.item;
            const released = forcedFrom ??
                (it.lastOwner
                    ? { name, lockId: it.lastOwner, user: it.lastUser ?? 'unknown', meta: '', uberlock: false, since: it.lastAcquiredAt ?? 0, expiresAt: 0, fence: it.fence }
                    : undefined);
            const base = { name, user: released?.user ?? 'unknown', fence: it.fence, ...(released ? { lockId: released.lockId, heldMs: this.clock() - released.since } : {}) };
            if (opts.force)
                await this.history({ ...base, kind: 'force-released', by: opts.force.user, from: released?.user ?? '', reason: opts.force.reason });
            else
                await this.history({ ...base, kind: 'released', outcome: opts.outcome ?? 'unknown' });
            if (opts.force && forcedFrom) {
                this.tell({ kind: 'force-released', id: `force-released:${forcedFrom.fence}`, name, at: this.clock(), by: opts.force.user, from: forcedFrom, reason: opts.force.reason });
            }
            else if (before?.uberlock && before.lockId === it.lastOwner) {
                this.tell({ kind: 'uberlock-lifted', id: `uberlock-lifted:${before.fence}`, name, at: this.clock(), user: before.user, by: before.user, fence: before.fence });
            }
            return { outcome: 'released', released };
        }
        const cur = outcome.current;
        // A retried release whose first try landed finds our own token in lastOwner, even if
        // the next waiter has taken the lock since: this release freed it.
        if ('lockId' in target && cur?.lastOwner === target.lockId && (tries > 1 || !isHeldAtAll(cur)))
            return { outcome: 'released', released: undefined };
        if (!isHeldAtAll(cur))
            return { outcome: 'not-held' };
        return { outcome: 'held-by-other', holder: toHolder(cur) };
    }
    /** Extends the lease of a held lock to `leaseMs` from now. */
    async extend(name, by, leaseMs) {
        const outcome = await this.write(() => this.store.extend(name, by, this.clock() + leaseMs, this.clock()));
        if (outcome.ok) {
            const lock = toHolder(outcome.item);
            await this.history({ name, kind: 'extended', user: lock.user, lockId: lock.lockId, fence: lock.fence });
            return { renewed: true, lock };
        }
        const cur = outcome.current;
        return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
    }
    /** Live waiters in queue order; `known.item` is the lock item if it was just read (no second read). */
    async waiters(name, known) {
        const item = known ? known.item : await this.store.get(name);
        const served = item?.nowServing ?? 0;
        const now = this.clock();
        return (await this.store.listQueue(name)).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - this.skewMs);
    }
    /**
     * The newest history events, newest first: one env's (a Query of its own items), or every
     * env's (no scan: the store reads day by day, back to `since`, by default as far back as
     * history is kept). At most `limit` (all when absent); `more` says older ones were left out.
     */
    async recentHistory(q = {}) {
        const since = q.since ?? (q.name === undefined ? this.clock() - (this.historyMs > 0 ? this.historyMs : DEFAULT_HISTORY_MS) : undefined);
        return this.store.queryHistory({ ...q, ...(since !== undefined ? { since } : {}) });
    }
    /** Every kept event (of one env, or all), oldest first. */
    async historyOf(name) {
        return (await this.recentHistory(name !== undefined ? { name } : {})).events.reverse();
    }
    /** The current holder, or undefined when free or expired (rules.lockState, with the skew allowance). */
    async holder(name) {
        const item = await this.write(() => this.store.get(name));
        const state = (0,rules/* lockState */.HE)(item, this.clock(), this.skewMs);
        return state === 'held' || state === 'frozen' ? toHolder(item) : undefined;
    }
    async item(name) {
        const item = await this.store.get(name);
        if (item)
            this.saw([item]);
        return item;
    }
    async list() {
        const items = (await this.store.list()).sort((a, b) => a.name.localeCompare(b.name));
        this.saw(items);
        return items;
    }
    /** What a reader saw, for an observer that judges it (a lease lapsed without release, a lock held too long). */
    saw(items) {
        try {
            this.observer?.seen?.(items, this.clock(), this.skewMs);
        }
        catch {
            // Notifications are not the lock.
        }
    }
    /**
     * Waits until the lock is free or expired (without taking it), judged by rules.lockState.
     * Returns the last holder seen if it never freed.
     */
    async waitUntilFree(name, waitMs, onBusy, signal) {
        const start = this.clock();
        for (let attempt = 0;; attempt++) {
            const item = await this.write(() => this.store.get(name));
            const now = this.clock();
            const state = (0,rules/* lockState */.HE)(item, now, this.skewMs);
            if (state === 'free' || state === 'expired')
                return { free: true, ...(state === 'expired' ? { expired: true } : {}), waitedMs: now - start };
            const h = toHolder(item);
            onBusy?.(h, now - start);
            if (now >= start + waitMs)
                return { free: false, holder: h, waitedMs: now - start };
            const delay = Math.min((0,backoff/* backoffDelay */.EY)(attempt, this.backoff, this.random), start + waitMs - now);
            if (!(await (0,backoff/* sleep */.yy)(delay, signal)))
                return { free: false, holder: h, waitedMs: this.clock() - start };
        }
    }
}
function isHeldAtAll(item) {
    return item?.owner !== undefined;
}


/***/ }),

/***/ 3559:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ historyPage),
/* harmony export */   l: () => (/* binding */ newestFirst)
/* harmony export */ });
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1254);

/** Newest first: later time first; in the same millisecond, the protocol's order reversed. */
function newestFirst(a, b) {
    return (0,_types_js__WEBPACK_IMPORTED_MODULE_0__/* .byTime */ .XL)(b, a);
}
/**
 * A query's page cut from events already in memory (the memory and file stores): those of
 * `q.name` (every env when absent), at or after `q.since`, not past their keepUntil, the
 * newest `q.limit` of them, newest first.
 */
function historyPage(events, q, now) {
    const matching = events
        .filter((e) => (q.name === undefined || e.name === q.name) && (q.since === undefined || e.at >= q.since) && e.keepUntil > now)
        .sort(newestFirst);
    if (q.limit === undefined || matching.length <= q.limit)
        return { events: matching, more: false };
    return { events: matching.slice(0, q.limit), more: true };
}


/***/ }),

/***/ 2687:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   u: () => (/* binding */ keepRenewed)
/* harmony export */ });
/* unused harmony export leaseTiming */
/* harmony import */ var _backoff_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(819);

/**
 * The timing of a renewed lease, all measured on this process's monotonic clock from
 * the moment the last confirmed write was sent (the lease cannot have started earlier):
 *
 *   renew every lease/3 (never more than once a second);
 *   at lease − 2·grace with no confirmation, the lease counts as lost (`run` sends SIGTERM);
 *   at lease − grace, `run` sends SIGKILL;
 *   nobody else can be granted the lock before lease has passed (a taker must see the
 *   lock item unchanged for a full lease on its own monotonic clock, see lease-watch.ts).
 *
 * So the holder's command is stopped at least `grace` before another holder can enter,
 * whatever the clocks of the two machines say.
 */
function leaseTiming(leaseMs) {
    const graceMs = Math.round(Math.min(10_000, Math.max(250, leaseMs / 6)));
    return { renewEveryMs: Math.max(1000, Math.floor(leaseMs / 3)), graceMs, lostAfterMs: leaseMs - 2 * graceMs, killAfterMs: leaseMs - graceMs };
}
/**
 * Keeps short leases alive for locks held by a job. A failed renew means the lock
 * was taken over (or lapsed and was taken): that ends the renewal with the new holder.
 * A renewal that cannot be confirmed (errors, or a request that never answers) is
 * retried quickly; if none is confirmed by the loss deadline the renewal ends as
 * `unconfirmed` even while a request is still in flight.
 */
async function keepRenewed(client, locks, opts, clock = _backoff_js__WEBPACK_IMPORTED_MODULE_0__/* .monotonicMs */ .dR) {
    const timing = leaseTiming(opts.leaseMs);
    const end = clock() + opts.maxLifetimeMs;
    const held = locks.map((l) => ({ ...l }));
    const lostAt = () => Math.min(...held.map((l) => l.confirmedAt)) + timing.lostAfterMs;
    let failures = 0;
    for (;;) {
        const oldest = Math.min(...held.map((l) => l.confirmedAt));
        const due = failures === 0 ? oldest + timing.renewEveryMs : clock() + Math.min(timing.renewEveryMs, 250 * 2 ** Math.min(failures - 1, 4));
        const wake = Math.min(due, end, lostAt());
        if (!(await (0,_backoff_js__WEBPACK_IMPORTED_MODULE_0__/* .sleep */ .yy)(Math.max(0, wake - clock()), opts.signal)))
            return { reason: 'stopped' };
        if (clock() >= end)
            return { reason: 'lifetime' };
        const overdue = held.find((l) => clock() >= l.confirmedAt + timing.lostAfterMs);
        if (overdue)
            return { reason: 'unconfirmed', name: overdue.name, sinceMs: clock() - overdue.confirmedAt };
        if (clock() < due)
            continue;
        let failed = false;
        for (const lock of held) {
            const sentAt = clock();
            const attempt = client.renew(lock, opts.leaseMs);
            // A request that hangs must not hold the renewal past the loss deadline.
            const deadline = new AbortController();
            const outcome = await Promise.race([
                attempt.then((r) => ({ kind: 'done', r }), (err) => ({ kind: 'error', err })),
                (0,_backoff_js__WEBPACK_IMPORTED_MODULE_0__/* .sleep */ .yy)(Math.max(0, lock.confirmedAt + timing.lostAfterMs - clock()), deadline.signal).then(() => ({ kind: 'deadline' })),
            ]);
            deadline.abort();
            if (outcome.kind === 'deadline') {
                attempt.catch(() => undefined);
                return { reason: 'unconfirmed', name: lock.name, sinceMs: clock() - lock.confirmedAt };
            }
            if (outcome.kind === 'error') {
                if (opts.signal?.aborted)
                    return { reason: 'stopped' };
                opts.onError?.(outcome.err);
                failed = true;
                continue;
            }
            const r = outcome.r;
            if (!r.renewed)
                return r.holder ? { reason: 'lost', name: lock.name, holder: r.holder } : { reason: 'lost', name: lock.name };
            lock.confirmedAt = sentAt;
            opts.onRenewed?.(lock.name, r.lock.expiresAt);
        }
        failures = failed ? failures + 1 : 0;
    }
}


/***/ }),

/***/ 5456:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Dk: () => (/* binding */ applyExtend),
/* harmony export */   HE: () => (/* binding */ lockState),
/* harmony export */   Js: () => (/* binding */ applyAcquire),
/* harmony export */   QO: () => (/* binding */ applyUberPending),
/* harmony export */   Yr: () => (/* binding */ applyRelease),
/* harmony export */   aU: () => (/* binding */ applyTakeTicket),
/* harmony export */   ig: () => (/* binding */ applyRenew),
/* harmony export */   s$: () => (/* binding */ applySkipTicket)
/* harmony export */ });
/* unused harmony exports unreadableExpiry, isHeld, queueEmpty, sameLease */
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1254);

/**
 * The conditions of every write, as pure functions over the current item.
 * In-process stores (file, memory) apply these directly; the DynamoDB store
 * writes the same conditions as expressions. Each returns the new item, or
 * undefined when the condition fails.
 */
/** An expiry that cannot be read: missing, or not a number (a lock item edited by hand). */
function unreadableExpiry(expiresAt) {
    return typeof expiresAt !== 'number' || Number.isNaN(expiresAt);
}
/**
 * An owner and a lease not lapsed. An owner with an unreadable expiry counts as held with
 * an unknown expiry, never as lapsed: DynamoDB's own condition judges it so (`expiresAt <
 * :stale` is false on a string), so reads and writes agree; its holder's release or a
 * forced one frees it.
 */
function isHeld(item, now, skewMs = 0) {
    return item?.owner !== undefined && (unreadableExpiry(item.expiresAt) || item.expiresAt >= now - skewMs);
}
function lockState(item, now, skewMs) {
    if (item?.owner === undefined)
        return 'free';
    // A freeze with an end (lock --uberlock --until) has lifted once its time is past.
    if (item.uberlock)
        return typeof item.expiresAt === 'number' && item.expiresAt < now ? 'expired' : 'frozen';
    return isHeld(item, now, skewMs) ? 'held' : 'expired';
}
/** True when no ticket is outstanding: nobody is queued. */
function queueEmpty(item) {
    return (item?.nextTicket ?? 0) === (item?.nowServing ?? 0);
}
/** True when `cur` still holds exactly the lease a takeover claim watched lapse. */
function sameLease(cur, seen) {
    return cur?.owner === seen.owner && cur.fence === seen.fence && cur.expiresAt === seen.expiresAt;
}
function applyAcquire(cur, name, c, now) {
    if (c.force) {
        if (cur?.owner !== c.force.seenOwner)
            return undefined;
    }
    else if (cur?.owner !== c.lockId) {
        // Ours (a retried write that already landed) passes; otherwise the lock must be free,
        // or still hold exactly the lapsed lease the caller watched (lease-watch.ts: no wall
        // clock is trusted here), and the caller must be next: the queue's head, an uberlock
        // (which goes ahead of queued waiters), or anyone when nobody is queued.
        const free = cur?.owner === undefined || (c.takeover !== undefined && sameLease(cur, c.takeover));
        if (!free)
            return undefined;
        if (!c.uberlock && (cur?.uberPendingUntil ?? 0) >= now)
            return undefined;
        if (c.ticket !== undefined) {
            if ((cur?.nowServing ?? 0) !== c.ticket - 1)
                return undefined;
        }
        else if (!c.uberlock && !queueEmpty(cur))
            return undefined;
    }
    const next = {
        ...(cur ?? { name, fence: 0 }),
        name,
        owner: c.lockId,
        user: c.user,
        meta: c.meta,
        uberlock: c.uberlock,
        acquiredAt: now,
        updatedAt: now,
        expiresAt: c.uberlock ? c.freezeUntil ?? _types_js__WEBPACK_IMPORTED_MODULE_0__/* .NEVER */ .tm : now + c.leaseMs,
        leaseMs: c.uberlock ? 0 : c.leaseMs,
        fence: (cur?.fence ?? 0) + 1,
        prevOwner: cur?.owner ?? 'none',
        prevUser: cur?.user ?? 'none',
        prevExpiresAt: cur?.expiresAt ?? 0,
    };
    if (c.uberlock)
        delete next.uberPendingUntil;
    if (c.metaData)
        next.metaData = c.metaData;
    else
        delete next.metaData;
    if (c.ticket !== undefined)
        next.nowServing = Math.max(cur?.nowServing ?? 0, c.ticket);
    delete next.forcedBy;
    delete next.forcedFrom;
    delete next.forceReason;
    if (c.force) {
        next.forcedBy = c.user;
        next.forcedFrom = cur?.user ?? '';
        next.forceReason = c.force.reason;
    }
    return next;
}
function applyRenew(cur, lockId, fence, expiresAt, now) {
    if (cur?.owner !== lockId || cur.fence !== fence)
        return undefined;
    if (cur.uberlock)
        return { ...cur, updatedAt: now };
    return { ...cur, expiresAt, leaseMs: expiresAt - now, updatedAt: now };
}
function applyRelease(cur, by, now) {
    if (cur?.owner === undefined)
        return undefined;
    if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user)
        return undefined;
    const { owner, user, meta: _meta, metaData: _md, uberlock: _u, acquiredAt: _a, expiresAt: _e, leaseMs: _l, forcedBy: _fb, forcedFrom: _ff, forceReason: _fr, ...rest } = cur;
    const out = { ...rest, lastOwner: owner, lastUser: user, releasedAt: now, updatedAt: now };
    if (cur.acquiredAt !== undefined)
        out.lastAcquiredAt = cur.acquiredAt;
    return out;
}
function applyExtend(cur, by, expiresAt, now) {
    if (cur?.owner === undefined)
        return undefined;
    if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user)
        return undefined;
    if (cur.uberlock)
        return { ...cur, updatedAt: now };
    return { ...cur, expiresAt, leaseMs: expiresAt - now, updatedAt: now };
}
/** The next ticket; a repeated join (same token, nobody joined since) gets back the item as it is. */
function applyTakeTicket(cur, name, joinToken, now) {
    if (cur?.lastJoin === joinToken)
        return cur;
    return { ...(cur ?? { name, fence: 0 }), name, nextTicket: (cur?.nextTicket ?? 0) + 1, nowServing: cur?.nowServing ?? 0, lastJoin: joinToken, lastJoinAt: now, updatedAt: now };
}
function applySkipTicket(cur, seenServing, now) {
    if ((cur?.nowServing ?? 0) !== seenServing || (cur?.nextTicket ?? 0) <= seenServing || !cur)
        return undefined;
    return { ...cur, nowServing: seenServing + 1, updatedAt: now };
}
function applyUberPending(cur, name, until, now) {
    const next = { ...(cur ?? { name, fence: 0 }), name, updatedAt: now };
    if (until > 0)
        next.uberPendingUntil = until;
    else
        delete next.uberPendingUntil;
    return next;
}


/***/ }),

/***/ 1254:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AD: () => (/* binding */ StoreError),
/* harmony export */   XL: () => (/* binding */ byTime),
/* harmony export */   tm: () => (/* binding */ NEVER)
/* harmony export */ });
/** Events in the same millisecond are told in the order they happen in the protocol. */
const KIND_ORDER = { expired: 0, forced: 1, acquired: 2, extended: 3, released: 4, 'force-released': 5, 'gave-up': 6 };
function byTime(a, b) {
    return a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}
/** A store failure named by cause. `transient` ones may be retried with the same write. */
class StoreError extends Error {
    kind;
    transient;
    constructor(kind, message, transient) {
        super(message);
        this.kind = kind;
        this.transient = transient;
        this.name = 'StoreError';
    }
}
/** Expiry used for uberlocks: they never lapse on their own. */
const NEVER = 8_640_000_000_000_000;


/***/ }),

/***/ 5755:
/***/ (() => {

// Imported first by every entry point. The AWS SDK prints a multi-line Node-version
// notice on Node 20, which would break the one-line error contract of the CLI and
// clutter job logs; the SDK itself is loaded lazily, after this has run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';



/***/ }),

/***/ 2574:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _quiet_sdk_warning_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5755);
/* harmony import */ var _settings_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(5569);
/* harmony import */ var _lock_client_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3889);
/* harmony import */ var _lock_renewal_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2687);
/* harmony import */ var _store_open_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7604);
/* harmony import */ var _status_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(1210);






// Entry of the detached renewer (dist/renewer/index.js): renews the job's leases
// until told to stop (SIGTERM), the lock is lost, or its lifetime runs out.
const config = (0,_settings_js__WEBPACK_IMPORTED_MODULE_1__/* .loadRenewerSettings */ .oZ)(process.env);
const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'])
    process.on(sig, () => controller.abort());
let credentials;
if (config.roleToAssume) {
    const { githubRoleCredentials } = await __nccwpck_require__.e(/* import() */ 850).then(__nccwpck_require__.bind(__nccwpck_require__, 6850));
    credentials = await githubRoleCredentials({
        roleArn: config.roleToAssume,
        sessionName: config.roleSessionName ?? 'daplaya-renewer',
        ...(config.store.kind === 'dynamodb' && config.store.region ? { region: config.store.region } : {}),
        ...(config.store.kind === 'dynamodb' && config.store.proxy ? { proxy: config.store.proxy } : {}),
        audience: config.audience ?? 'sts.amazonaws.com',
    });
}
const store = await (0,_store_open_js__WEBPACK_IMPORTED_MODULE_4__/* .openStore */ .C)(config.store, credentials);
const client = new _lock_client_js__WEBPACK_IMPORTED_MODULE_2__/* .LockClient */ .pM(store, config.protocol);
let lastRenewedAt;
(0,_status_js__WEBPACK_IMPORTED_MODULE_5__/* .writeStatus */ .Kn)(config.statusFile, { state: 'running', pid: process.pid });
try {
    const end = await (0,_lock_renewal_js__WEBPACK_IMPORTED_MODULE_3__/* .keepRenewed */ .u)(client, config.locks, {
        leaseMs: config.leaseMs,
        maxLifetimeMs: config.maxLifetimeMs,
        signal: controller.signal,
        onRenewed: () => {
            lastRenewedAt = Date.now();
        },
    });
    const base = { pid: process.pid, ...(lastRenewedAt ? { lastRenewedAt } : {}) };
    if (end.reason === 'lost') {
        (0,_status_js__WEBPACK_IMPORTED_MODULE_5__/* .writeStatus */ .Kn)(config.statusFile, { ...base, state: 'lost', lostEnv: end.name, ...(end.holder ? { takenBy: end.holder } : {}) });
    }
    else if (end.reason === 'unconfirmed') {
        // No renewal confirmed before the lease could pass to someone else: count it lost.
        (0,_status_js__WEBPACK_IMPORTED_MODULE_5__/* .writeStatus */ .Kn)(config.statusFile, { ...base, state: 'lost', lostEnv: end.name, unconfirmedForMs: end.sinceMs, error: `no renewal confirmed for ${Math.round(end.sinceMs / 1000)}s` });
    }
    else {
        (0,_status_js__WEBPACK_IMPORTED_MODULE_5__/* .writeStatus */ .Kn)(config.statusFile, { ...base, state: end.reason });
    }
}
catch (err) {
    (0,_status_js__WEBPACK_IMPORTED_MODULE_5__/* .writeStatus */ .Kn)(config.statusFile, { state: 'failed', pid: process.pid, error: err.message });
}
finally {
    store.close?.();
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 5569:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  oZ: () => (/* binding */ loadRenewerSettings)
});

// UNUSED EXPORTS: RENEWER_SETTINGS_ENV, encodeRenewerSettings

;// CONCATENATED MODULE: ./src/lock/errors.ts
/** Input that cannot be used as given: one clear line, exit 2, nothing written. */
class errors_InvalidInputError extends Error {
    constructor(message) {
        super(message);
        this.name = 'InvalidInputError';
    }
}

;// CONCATENATED MODULE: ./src/lock/durations.ts

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
/**
 * The longest lease, wait, extension or freeze accepted: beyond it timers overflow
 * (Node's are 32-bit) and a typo like `100d` would hold an env for months.
 */
const MAX_DURATION_MS = 30 * 86_400_000;
/** Parses `90s`, `15m`, `2h`, `1h30m`, `0` (plain numbers are seconds), at most MAX_DURATION_MS. */
function parseDuration(value, what = 'duration', maxMs = MAX_DURATION_MS) {
    const ms = parseAnyDuration(value, what);
    if (ms > maxMs)
        throw new errors_InvalidInputError(`${what} ${value} is longer than the maximum of ${formatDuration(maxMs)}`);
    return ms;
}
function parseAnyDuration(value, what) {
    const text = value.trim();
    if (text.startsWith('-'))
        throw new errors_InvalidInputError(`${what} must not be negative: ${value}`);
    if (/^\d+(\.\d+)?$/.test(text))
        return Math.round(Number(text) * 1000);
    let rest = text;
    let total = 0;
    if (rest === '')
        throw new errors_InvalidInputError(`${what} is empty`);
    while (rest !== '') {
        const m = DURATION.exec(rest);
        if (!m)
            throw new errors_InvalidInputError(`${what} ${JSON.stringify(value)} is not a duration like 90s, 15m or 2h`);
        total += Number(m[1]) * UNITS[m[2]];
        rest = rest.slice(m[0].length);
    }
    return Math.round(total);
}
function formatDuration(ms) {
    if (ms < 1000)
        return `${Math.max(0, Math.round(ms))}ms`;
    const s = Math.round(ms / 1000);
    if (s < 60)
        return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60)
        return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
    const h = Math.floor(m / 60);
    if (h < 48)
        return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
    return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}

// EXTERNAL MODULE: ./src/lock/client.ts + 5 modules
var client = __nccwpck_require__(3889);
// EXTERNAL MODULE: ./src/store/dynamodb-defaults.ts
var dynamodb_defaults = __nccwpck_require__(164);
;// CONCATENATED MODULE: ./src/config/defaults.ts


/**
 * Every default of daplaya in one table. action.yml, the GitLab template and
 * component, package.json and `--version` must agree with it (test/unit/defaults.test.ts).
 * The protocol's own defaults (skew, history, request timeout) are defined where the
 * protocol and the store use them and only shown here.
 */
const DEFAULTS = {
    version: '0.1.0',
    table: 'DaPlayaLocks',
    /** `lock` from a terminal: nobody renews, so the lease is the whole hold. */
    cliLeaseMs: 60 * 60_000,
    /** `run`, a GitLab job, the action: renewed every third, so a dead job frees the lock soon. */
    renewedLeaseMs: 2 * 60_000,
    minLeaseMs: 3000,
    cliWait: '0',
    actionWait: '1h',
    /** GitLab jobs have a job timeout of their own (1h by default): wait half of it. */
    gitlabWait: '30m',
    actionLease: '2m',
    /** Scope run / pipeline: the lease between jobs, long enough for a queued job to start. */
    runLease: '30m',
    slackLease: '8h',
    /** A renewer outliving a forgotten job should not hold an env for days. */
    renewerMaxLifetimeMs: 24 * 3_600_000,
    historyDays: client/* DEFAULT_HISTORY_MS */.QS / 86_400_000,
    skewMs: client/* DEFAULT_SKEW_MS */["if"],
    requestTimeoutMs: dynamodb_defaults/* DEFAULT_REQUEST_TIMEOUT_MS */.Z,
    slackHost: '0.0.0.0',
};

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/config/common.ts



/** Bad usage: a flag, input or variable that cannot be used as given (exit 2). */
class UsageError extends errors_InvalidInputError {
    name = 'UsageError';
}
function nonEmpty(v) {
    return v !== undefined && v.trim() !== '' ? v : undefined;
}
function isCI(env) {
    return /^(true|1)$/i.test(env.CI ?? '') || env.GITHUB_ACTIONS === 'true' || env.GITLAB_CI === 'true';
}
/** DAPLAYA_DEBUG: print stack traces of unexpected errors. */
function debugEnabled(env) {
    return nonEmpty(env.DAPLAYA_DEBUG) !== undefined && !/^(0|false|no)$/i.test(env.DAPLAYA_DEBUG ?? '');
}
/** Where the embedded store lives unless DAPLAYA_STORE_DIR or --store-dir say otherwise. */
function defaultStoreDir(env) {
    return external_node_path_default().join(env.HOME ?? external_node_os_default().homedir(), '.daplaya', 'locks');
}
const MAX_META = 1000;
const MAX_USER = 256;
function validateText(what, value, max) {
    if (value.length > max)
        throw new InvalidInputError(`${what} is ${value.length} characters long; the limit is ${max}`);
    return value;
}

;// CONCATENATED MODULE: ./src/config/protocol.ts



function loadProtocolSettings(env) {
    const skew = nonEmpty(env.DAPLAYA_CLOCK_SKEW);
    const out = { historyMs: parseHistoryDays(env), skewMs: skew === undefined ? DEFAULTS.skewMs : parseDuration(skew, 'DAPLAYA_CLOCK_SKEW') };
    const queueTtl = nonEmpty(env.DAPLAYA_QUEUE_TTL);
    if (queueTtl !== undefined) {
        const ttlMs = parseDuration(queueTtl, 'DAPLAYA_QUEUE_TTL');
        if (ttlMs < 1000)
            throw new UsageError('DAPLAYA_QUEUE_TTL must be at least 1s');
        out.queue = { ttlMs, refreshMs: Math.floor(ttlMs / 3) };
    }
    return out;
}
/** DAPLAYA_HISTORY_DAYS: days to keep history (0 turns it off). */
function parseHistoryDays(env) {
    const raw = nonEmpty(env.DAPLAYA_HISTORY_DAYS);
    if (raw === undefined)
        return DEFAULTS.historyDays * 86_400_000;
    if (!/^\d+$/.test(raw))
        throw new UsageError(`DAPLAYA_HISTORY_DAYS must be a whole number of days, got ${JSON.stringify(raw)}`);
    return Number(raw) * 86_400_000;
}

// EXTERNAL MODULE: ./src/store/redact.ts
var redact = __nccwpck_require__(6216);
;// CONCATENATED MODULE: ./src/config/proxy.ts

/**
 * The proxy settings self-hosted runners behind a proxy set: `https_proxy`/`HTTPS_PROXY`,
 * `http_proxy`/`HTTP_PROXY` and `no_proxy`/`NO_PROXY`, the lower-case name winning when
 * both are set (as Node, curl and the runner read them). Used for DynamoDB, STS and
 * notifications. A proxy URL without a scheme means http://, as curl reads it.
 */
function resolveProxy(env) {
    const https = proxyUrl(env, 'https_proxy', 'HTTPS_PROXY');
    const http = proxyUrl(env, 'http_proxy', 'HTTP_PROXY');
    if (!https && !http)
        return undefined;
    const noProxy = (nonEmpty(env.no_proxy) ?? nonEmpty(env.NO_PROXY) ?? '')
        .split(/[\s,]+/)
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== '');
    return { ...(https ? { https } : {}), ...(http ? { http } : {}), noProxy };
}
function proxyUrl(env, lower, upper) {
    const name = nonEmpty(env[lower]) !== undefined ? lower : upper;
    const raw = nonEmpty(env[name])?.trim();
    if (raw === undefined)
        return undefined;
    // A proxy URL may carry a password, and a mistyped one may hide it anywhere: never echo it.
    const form = `use scheme://[user:password@]host:port, with the user and password percent-encoded (its value is not shown: it may hold a password)`;
    let url;
    try {
        url = new URL(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`);
    }
    catch {
        throw new UsageError(`${name} is not a URL: ${form}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new UsageError(`${name} uses ${url.protocol.replace(/:$/, '')}://, which daplaya does not support: use an http:// or https:// proxy`);
    }
    // A path (or query) means the URL was not split where it was meant to be, e.g. a `/` in an unencoded password.
    if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
        throw new UsageError(`${name} is not a proxy's address: ${form}`);
    }
    try {
        decodeURIComponent(url.username);
        decodeURIComponent(url.password);
    }
    catch {
        throw new UsageError(`${name} has a user or password that is not valid percent-encoding: ${form}`);
    }
    return url;
}

;// CONCATENATED MODULE: ./src/config/store.ts






function resolveStore(opts, env, 
/** `init`: DynamoDB unless the file store is asked for by name. */
dynamoUnlessFile = false) {
    const table = nonEmpty(opts.table) ?? nonEmpty(env.DAPLAYA_TABLE);
    const kind = nonEmpty(opts.store) ?? nonEmpty(env.DAPLAYA_STORE);
    if (kind !== undefined && kind !== 'file' && kind !== 'dynamodb') {
        throw new UsageError(`unknown store ${JSON.stringify(kind)}: use dynamodb or file`);
    }
    if (kind === 'file') {
        return { kind: 'file', dir: external_node_path_default().resolve(nonEmpty(opts.storeDir) ?? nonEmpty(env.DAPLAYA_STORE_DIR) ?? defaultStoreDir(env)) };
    }
    // An explicit --table, --endpoint or --region means DynamoDB (table DaPlayaLocks unless named).
    const dynamoAsked = dynamoUnlessFile || nonEmpty(opts.endpoint) !== undefined || nonEmpty(opts.region) !== undefined;
    if (table === undefined && kind !== 'dynamodb' && !dynamoAsked) {
        if (isCI(env)) {
            throw new UsageError('no lock table configured in CI: set DAPLAYA_TABLE (or pass --table) to a DynamoDB table created with `daplaya init`; ' +
                'a CI runner\'s local disk is not a shared lock (set DAPLAYA_STORE=file only if every job runs on this one machine)');
        }
        return { kind: 'file', dir: external_node_path_default().resolve(nonEmpty(opts.storeDir) ?? nonEmpty(env.DAPLAYA_STORE_DIR) ?? defaultStoreDir(env)) };
    }
    const name = table ?? DEFAULTS.table;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name))
        throw new UsageError(`table name ${JSON.stringify(name)} is not a valid DynamoDB table name`);
    const spec = { kind: 'dynamodb', table: name };
    const region = nonEmpty(opts.region) ?? nonEmpty(env.DAPLAYA_REGION) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
    if (region)
        spec.region = region;
    const endpoint = nonEmpty(opts.endpoint) ?? nonEmpty(env.DAPLAYA_ENDPOINT) ?? nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB);
    if (endpoint) {
        try {
            new URL(endpoint);
        }
        catch {
            throw new UsageError(`endpoint ${JSON.stringify((0,redact/* redactUrl */.B)(endpoint))} is not a URL`);
        }
        spec.endpoint = endpoint;
    }
    const requestTimeout = nonEmpty(env.DAPLAYA_REQUEST_TIMEOUT);
    if (requestTimeout !== undefined) {
        spec.requestTimeoutMs = parseDuration(requestTimeout, 'DAPLAYA_REQUEST_TIMEOUT');
        if (spec.requestTimeoutMs < 100 || spec.requestTimeoutMs > 60_000)
            throw new UsageError('DAPLAYA_REQUEST_TIMEOUT must be between 100ms and 60s');
    }
    const proxy = resolveProxy(env);
    if (proxy)
        spec.proxy = proxy;
    const keyId = nonEmpty(env.DAPLAYA_AWS_ACCESS_KEY_ID);
    const secret = nonEmpty(env.DAPLAYA_AWS_SECRET_KEY);
    if ((keyId === undefined) !== (secret === undefined)) {
        throw new UsageError('set both DAPLAYA_AWS_ACCESS_KEY_ID and DAPLAYA_AWS_SECRET_KEY, or neither');
    }
    if (keyId && secret) {
        spec.credentials = { accessKeyId: keyId, secretAccessKey: secret };
        const token = nonEmpty(env.DAPLAYA_AWS_SESSION_TOKEN);
        if (token)
            spec.credentials.sessionToken = token;
    }
    return spec;
}

;// CONCATENATED MODULE: ./src/renewer/settings.ts



const RENEWER_SETTINGS_ENV = 'DAPLAYA_RENEWER_SETTINGS';
/**
 * The settings blob a renewer is started with (in RENEWER_SETTINGS_ENV). Credentials never travel
 * in it, nor in argv: the renewer inherits the environment they were read from
 * (DAPLAYA_AWS_*, or the SDK's own chain) and loadRenewerSettings derives them again.
 */
function encodeRenewerSettings(config) {
    if (config.store.kind !== 'dynamodb')
        return JSON.stringify(config);
    // The proxy is derived again too: its URL may carry a password.
    const { credentials: _credentials, proxy: _proxy, ...store } = config.store;
    return JSON.stringify({ ...config, store });
}
function loadRenewerSettings(env) {
    const raw = env[RENEWER_SETTINGS_ENV];
    if (!raw)
        throw new UsageError(`${RENEWER_SETTINGS_ENV} is not set: the renewer is started by daplaya, not by hand`);
    const cfg = JSON.parse(raw);
    if (cfg.store.kind === 'dynamodb') {
        // Credentials come from the inherited environment (see encodeRenewerSettings), never from the blob.
        const again = resolveStore({ table: cfg.store.table, region: cfg.store.region, endpoint: cfg.store.endpoint, store: 'dynamodb' }, env);
        cfg.store = again;
    }
    return { ...cfg, protocol: loadProtocolSettings(env) };
}


/***/ }),

/***/ 1210:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Kn: () => (/* binding */ writeStatus)
/* harmony export */ });
/* unused harmony exports readStatus, takeStatus */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);


const O_NOFOLLOW = node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_NONBLOCK ?? 0;
/**
 * Writes the status as a new private file (O_EXCL | O_NOFOLLOW, 0600) beside the
 * target and renames it over the target: a symlink planted at the name is
 * replaced, never written through, and a reader never sees half a status.
 */
function writeStatus(file, status) {
    const tmp = `${file}.${process.pid}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}.tmp`;
    try {
        const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(tmp, node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_WRONLY | node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_CREAT | node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_EXCL | O_NOFOLLOW, 0o600);
        try {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.fchmodSync)(fd, 0o600);
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.writeFileSync)(fd, JSON.stringify(status));
        }
        finally {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
        }
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync)(tmp, file);
    }
    catch {
        // Nowhere to report to; the lock itself is the source of truth.
        try {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.unlinkSync)(tmp);
        }
        catch {
            // never made
        }
    }
}
/** Reads a status file, never through a symlink. */
function readStatus(file) {
    if (!file)
        return undefined;
    try {
        const fd = openSync(file, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        try {
            if (!fstatSync(fd).isFile())
                return undefined;
            return JSON.parse(readFileSync(fd, 'utf8'));
        }
        finally {
            closeSync(fd);
        }
    }
    catch {
        return undefined;
    }
}
/** Reads a status file and removes it (unlink removes a symlink, never its target). */
function takeStatus(file) {
    const status = readStatus(file);
    if (file) {
        try {
            unlinkSync(file);
        }
        catch {
            // none
        }
    }
    return status;
}


/***/ }),

/***/ 164:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Z: () => (/* binding */ DEFAULT_REQUEST_TIMEOUT_MS)
/* harmony export */ });
/** Per DynamoDB request, SDK retries included (README "Timeouts and bounds"). Apart from dynamodb.ts so configuration can name it without loading the SDK. */
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;


/***/ }),

/***/ 7604:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  C: () => (/* binding */ openStore)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/lock/rules.ts
var rules = __nccwpck_require__(5456);
// EXTERNAL MODULE: ./src/lock/history.ts
var lock_history = __nccwpck_require__(3559);
// EXTERNAL MODULE: ./src/lock/types.ts
var types = __nccwpck_require__(1254);
;// CONCATENATED MODULE: ./src/store/file.ts






const STALE_READ_MS = 30_000;
const PRUNE_AGE_MS = 10 * 60_000;
/** Lost compare-and-swap races in a row before a write gives up (each is a full re-read). */
const MAX_CAS_ATTEMPTS = 1000;
/** Re-reads after a version file vanished between readdir and read. */
const MAX_READ_ATTEMPTS = 50;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
// 0 where the platform has no such flag (Windows), so the open still works there.
const O_NOFOLLOW = external_node_fs_.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = external_node_fs_.constants.O_NONBLOCK ?? 0;
const READ_FLAGS = external_node_fs_.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const CREATE_FLAGS = external_node_fs_.constants.O_WRONLY | external_node_fs_.constants.O_CREAT | external_node_fs_.constants.O_EXCL | O_NOFOLLOW;
function code(err) {
    return err?.code;
}
/**
 * Embedded store for one machine. Each lock is a directory of numbered versions;
 * a write is a compare-and-swap: the new version is written to a temporary file
 * and hard-linked to the next number, and link(2) fails if another process took
 * that number first. No lock files, so a crashed process leaves nothing stale.
 *
 * Nothing planted in the store is obeyed: the store directory, the per-env
 * directories, `.queue` and `.history` are checked with lstat and refused if they
 * are symlinks, files are opened with O_NOFOLLOW (and created with O_EXCL), and
 * everything created is private (directories 0700, files 0600, whatever the umask).
 * Every retry loop is bounded.
 */
class FileStore {
    dir;
    description;
    constructor(dir) {
        this.dir = dir;
        this.description = `embedded file store at ${dir}`;
    }
    refuseSymlink(p) {
        return new types/* StoreError */.AD('other', `file store at ${this.dir}: refusing to follow the symlink ${p}`, false);
    }
    /** lstat-checks one directory of the store, creating it (0700) when asked. False when absent. */
    async checkDir(p, create) {
        for (let tries = 0; tries < 2; tries++) {
            let st;
            try {
                st = await external_node_fs_.promises.lstat(p);
            }
            catch (err) {
                if (code(err) !== 'ENOENT')
                    throw this.wrap(err);
                if (!create)
                    return false;
                try {
                    await external_node_fs_.promises.mkdir(p, { mode: DIR_MODE });
                    await external_node_fs_.promises.chmod(p, DIR_MODE);
                    return true;
                }
                catch (e) {
                    if (code(e) === 'EEXIST')
                        continue; // made meanwhile: check what it is
                    throw this.wrap(e, `cannot create ${p}`);
                }
            }
            if (st.isSymbolicLink())
                throw this.refuseSymlink(p);
            if (!st.isDirectory())
                throw new types/* StoreError */.AD('other', `file store at ${this.dir}: ${p} is not a directory`, false);
            return true;
        }
        throw new types/* StoreError */.AD('other', `file store at ${this.dir}: ${p} keeps changing`, false);
    }
    /**
     * The store directory itself, checked (and made, with any missing parents, when
     * asked). Node's own recursive mkdir is not used: it loops forever where mkdir
     * says ENOENT under a parent that exists (e.g. /proc/self/x).
     */
    async root(create) {
        const missing = [];
        for (let p = this.dir;;) {
            try {
                await external_node_fs_.promises.lstat(p);
                break;
            }
            catch (err) {
                if (code(err) !== 'ENOENT')
                    throw this.wrap(err);
                missing.push(p);
                const parent = external_node_path_default().dirname(p);
                if (parent === p)
                    break;
                p = parent;
            }
        }
        if (missing.length === 0)
            return { exists: await this.checkDir(this.dir, false), created: false };
        if (!create)
            return { exists: false, created: false };
        let created = false;
        for (const p of missing.reverse()) {
            try {
                await external_node_fs_.promises.mkdir(p, { mode: DIR_MODE });
                await external_node_fs_.promises.chmod(p, DIR_MODE);
                if (p === this.dir)
                    created = true;
            }
            catch (err) {
                if (code(err) !== 'EEXIST')
                    throw this.wrap(err, `cannot create ${p}`);
            }
        }
        await this.checkDir(this.dir, false);
        return { exists: true, created };
    }
    /** The directory dir/parts..., every level lstat-checked; undefined when absent and not created. */
    async subdir(parts, create) {
        if (!(await this.root(create)).exists)
            return undefined;
        let p = this.dir;
        for (const part of parts) {
            p = external_node_path_default().join(p, part);
            if (!(await this.checkDir(p, create)))
                return undefined;
        }
        return p;
    }
    /** Reads a JSON file without following a symlink (or blocking on a planted FIFO). */
    async readJson(file) {
        let fh;
        try {
            fh = await external_node_fs_.promises.open(file, READ_FLAGS);
        }
        catch (err) {
            if (code(err) === 'ELOOP' || code(err) === 'EMLINK')
                throw this.refuseSymlink(file);
            throw err;
        }
        try {
            const st = await fh.stat();
            if (!st.isFile())
                throw new types/* StoreError */.AD('other', `file store at ${this.dir}: ${file} is not a regular file`, false);
            return JSON.parse(await fh.readFile('utf8'));
        }
        finally {
            await fh.close();
        }
    }
    /** Creates a new private file (O_EXCL | O_NOFOLLOW, 0600 whatever the umask). */
    async writeNew(file, data) {
        const fh = await external_node_fs_.promises.open(file, CREATE_FLAGS, FILE_MODE).catch((err) => {
            throw this.wrap(err);
        });
        try {
            await fh.chmod(FILE_MODE);
            await fh.writeFile(data);
        }
        catch (err) {
            await external_node_fs_.promises.unlink(file).catch(() => undefined);
            throw this.wrap(err);
        }
        finally {
            await fh.close();
        }
    }
    async latest(name) {
        for (let tries = 0;; tries++) {
            const dir = await this.subdir([name], false);
            if (!dir)
                return { version: 0, item: undefined };
            let entries;
            try {
                entries = await external_node_fs_.promises.readdir(dir);
            }
            catch (err) {
                if (code(err) === 'ENOENT')
                    return { version: 0, item: undefined };
                throw this.wrap(err);
            }
            const versions = entries.filter((e) => /^v\d{12}\.json$/.test(e)).sort();
            const top = versions.at(-1);
            if (!top)
                return { version: 0, item: undefined };
            try {
                const item = await this.readJson(external_node_path_default().join(dir, top));
                return { version: Number(top.slice(1, 13)), item };
            }
            catch (err) {
                // Pruned by a writer between readdir and read: look again.
                if (code(err) === 'ENOENT' && tries < MAX_READ_ATTEMPTS)
                    continue;
                throw this.wrap(err);
            }
        }
    }
    async cas(name, update) {
        for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            const readAt = performance.now();
            const { version, item } = await this.latest(name);
            const next = update(item);
            if (!next)
                return { ok: false, current: item };
            const dir = (await this.subdir([name], true));
            const tmp = external_node_path_default().join(dir, `.tmp-${process.pid}-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`);
            await this.writeNew(tmp, JSON.stringify(next));
            const target = external_node_path_default().join(dir, `v${String(version + 1).padStart(12, '0')}.json`);
            try {
                // A version file can be pruned only once it is PRUNE_AGE_MS old; a writer whose
                // read is older than STALE_READ_MS re-reads, so it never links into a pruned gap.
                if (performance.now() - readAt > STALE_READ_MS)
                    continue;
                // link(2) neither follows a symlink at tmp nor writes through one at target.
                await external_node_fs_.promises.link(tmp, target);
            }
            catch (err) {
                if (code(err) === 'EEXIST')
                    continue; // lost the race: re-read and re-judge
                throw this.wrap(err);
            }
            finally {
                await external_node_fs_.promises.unlink(tmp).catch(() => undefined);
            }
            await this.prune(dir, version);
            return { ok: true, item: next };
        }
        throw new types/* StoreError */.AD('other', `file store at ${this.dir}: env ${name} changed under ${MAX_CAS_ATTEMPTS} writes in a row; giving up`, true);
    }
    /** Removes old versions below the newest two; readers retry on ENOENT. */
    async prune(dir, below) {
        const entries = await external_node_fs_.promises.readdir(dir).catch(() => []);
        const now = Date.now();
        for (const e of entries) {
            const m = /^v(\d{12})\.json$/.exec(e);
            if (!m || Number(m[1]) >= below)
                continue;
            const file = external_node_path_default().join(dir, e);
            const st = await external_node_fs_.promises.lstat(file).catch(() => undefined);
            if (st?.isFile() && now - st.mtimeMs > PRUNE_AGE_MS)
                await external_node_fs_.promises.unlink(file).catch(() => undefined);
        }
    }
    wrap(err, what) {
        if (err instanceof types/* StoreError */.AD)
            return err;
        const e = err;
        if (e.code === 'EACCES' || e.code === 'EPERM')
            return new types/* StoreError */.AD('access-denied', `cannot write ${this.dir}: ${e.message}`, false);
        return new types/* StoreError */.AD('other', `file store at ${this.dir}: ${what ? `${what}: ` : ''}${e.message}`, false);
    }
    acquire(name, claim, now) {
        return this.cas(name, (cur) => (0,rules/* applyAcquire */.Js)(cur, name, claim, now));
    }
    renew(name, lockId, fence, expiresAt, now) {
        return this.cas(name, (cur) => (0,rules/* applyRenew */.ig)(cur, lockId, fence, expiresAt, now));
    }
    release(name, by, now) {
        return this.cas(name, (cur) => (0,rules/* applyRelease */.Yr)(cur, by, now));
    }
    extend(name, by, expiresAt, now) {
        return this.cas(name, (cur) => (0,rules/* applyExtend */.Dk)(cur, by, expiresAt, now));
    }
    async markUberPending(name, until, now) {
        await this.cas(name, (cur) => (0,rules/* applyUberPending */.QO)(cur, name, until, now));
    }
    async takeTicket(name, joinToken, now) {
        const r = await this.cas(name, (cur) => (0,rules/* applyTakeTicket */.aU)(cur, name, joinToken, now));
        if (!r.ok)
            throw new types/* StoreError */.AD('other', 'could not take a queue ticket', false);
        return { ticket: r.item.nextTicket, item: r.item };
    }
    async skipTicket(name, seenServing, now) {
        return (await this.cas(name, (cur) => (0,rules/* applySkipTicket */.s$)(cur, seenServing, now))).ok;
    }
    /** Side files (queue entries, history) are whole-file replacements: write a temp file, rename it in. */
    async writeSide(parts, file, value) {
        const dir = (await this.subdir(parts, true));
        const tmp = external_node_path_default().join(dir, `.tmp-${process.pid}-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`);
        await this.writeNew(tmp, JSON.stringify(value));
        // rename(2) replaces whatever is at the name (a planted symlink included), never its target.
        await external_node_fs_.promises.rename(tmp, external_node_path_default().join(dir, file)).catch(async (err) => {
            await external_node_fs_.promises.unlink(tmp).catch(() => undefined);
            throw this.wrap(err);
        });
        return dir;
    }
    async readSide(parts) {
        const dir = await this.subdir(parts, false);
        if (!dir)
            return [];
        const names = await external_node_fs_.promises.readdir(dir).catch(() => []);
        const out = [];
        for (const n of names.filter((x) => x.endsWith('.json'))) {
            try {
                out.push(await this.readJson(external_node_path_default().join(dir, n)));
            }
            catch (err) {
                if (err instanceof types/* StoreError */.AD)
                    throw err;
                // removed meanwhile
            }
        }
        return out;
    }
    async putQueueEntry(entry) {
        const dir = await this.writeSide(['.queue', entry.name], `${String(entry.ticket).padStart(20, '0')}.json`, entry);
        // Entries far behind the line are garbage.
        const item = await this.get(entry.name);
        const served = item?.nowServing ?? 0;
        for (const n of await external_node_fs_.promises.readdir(dir).catch(() => [])) {
            if (n.endsWith('.json') && Number(n.slice(0, 20)) < served - 100)
                await external_node_fs_.promises.unlink(external_node_path_default().join(dir, n)).catch(() => undefined);
        }
    }
    async getQueueEntry(name, ticket) {
        const dir = await this.subdir(['.queue', name], false);
        if (!dir)
            return undefined;
        try {
            return await this.readJson(external_node_path_default().join(dir, `${String(ticket).padStart(20, '0')}.json`));
        }
        catch (err) {
            if (err instanceof types/* StoreError */.AD)
                throw err;
            return undefined;
        }
    }
    async listQueue(name) {
        return (await this.readSide(['.queue', name])).sort((a, b) => a.ticket - b.ticket);
    }
    async addHistory(event) {
        await this.writeSide(['.history', event.name], `${new Date(event.at).toISOString()}-${event.id}.json`, event);
    }
    async listHistory(name) {
        let names = name ? [name] : [];
        if (!name) {
            const dir = await this.subdir(['.history'], false);
            names = dir ? await external_node_fs_.promises.readdir(dir).catch(() => []) : [];
        }
        const now = Date.now();
        const all = [];
        for (const n of names)
            all.push(...(await this.readSide(['.history', n])));
        return all.filter((e) => e.keepUntil > now).sort(types/* byTime */.XL);
    }
    /** One machine's history is small: read it, then cut the page. */
    async queryHistory(q) {
        return (0,lock_history/* historyPage */.e)(await this.listHistory(q.name), q, Date.now());
    }
    /** A notice sent is a file created with O_EXCL: the first creator wins, in any process. */
    async claimNotice(name, id, keepUntil) {
        const dir = (await this.subdir(['.notices', name], true));
        const file = external_node_path_default().join(dir, `${encodeURIComponent(id)}.json`);
        let fh;
        try {
            fh = await external_node_fs_.promises.open(file, CREATE_FLAGS, FILE_MODE);
        }
        catch (err) {
            if (code(err) === 'EEXIST')
                return false;
            throw this.wrap(err);
        }
        try {
            await fh.writeFile(JSON.stringify({ name, id, keepUntil }));
        }
        finally {
            await fh.close();
        }
        return true;
    }
    async get(name) {
        return (await this.latest(name)).item;
    }
    async list() {
        if (!(await this.root(false)).exists)
            return [];
        let names;
        try {
            names = await external_node_fs_.promises.readdir(this.dir);
        }
        catch (err) {
            if (code(err) === 'ENOENT')
                return [];
            throw this.wrap(err);
        }
        const items = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => this.get(n)));
        return items.filter((i) => i !== undefined);
    }
    async init() {
        return (await this.root(true)).created;
    }
}

;// CONCATENATED MODULE: ./src/store/open.ts

/** Builds the configured store; the AWS SDK is loaded only when DynamoDB is used. */
async function openStore(spec, credentials) {
    if (spec.kind === 'file')
        return new FileStore(spec.dir);
    const { DynamoStore } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(305), __nccwpck_require__.e(508)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9508));
    const cfg = { table: spec.table };
    if (spec.region)
        cfg.region = spec.region;
    if (spec.endpoint)
        cfg.endpoint = spec.endpoint;
    if (spec.requestTimeoutMs)
        cfg.requestTimeoutMs = spec.requestTimeoutMs;
    if (spec.proxy)
        cfg.proxy = spec.proxy;
    if (spec.credentials)
        cfg.credentials = spec.credentials;
    if (credentials)
        cfg.credentials = credentials;
    return new DynamoStore(cfg);
}


/***/ }),

/***/ 6216:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B: () => (/* binding */ redactUrl)
/* harmony export */ });
/** `scheme://user:password@host` → `scheme://user:***@host`, wherever a URL appears in `text`: for anything printed. */
function redactUrl(text) {
    return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s\/?#@:]*):[^\s\/?#]*@/g, '$1:***@');
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(2574);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
