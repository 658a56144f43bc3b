export const id = 850;
export const ids = [850];
export const modules = {

/***/ 6850:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   githubRoleCredentials: () => (/* binding */ githubRoleCredentials)
/* harmony export */ });
/* unused harmony export webIdentityCredentials */
/* harmony import */ var _net_tunnel_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8985);

/** One STS exchange may take this long, SDK retries included: nothing waits forever. */
const STS_DEADLINE_MS = 15_000;
/**
 * Credentials from STS AssumeRoleWithWebIdentity, refreshed five minutes before they
 * expire, so a renewer that lives longer than one session keeps working.
 */
function webIdentityCredentials(opts) {
    let cached;
    return async () => {
        if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000)
            return cached;
        const { STSClient, AssumeRoleWithWebIdentityCommand } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(695)]).then(__webpack_require__.t.bind(__webpack_require__, 1695, 19));
        const handler = (0,_net_tunnel_js__WEBPACK_IMPORTED_MODULE_0__/* .sdkRequestHandler */ .Mt)(STS_DEADLINE_MS / 3, opts.proxy);
        const sts = new STSClient({ region: opts.region ?? 'us-east-1', requestHandler: handler.options });
        try {
            const token = await opts.getIdToken();
            const out = await sts.send(new AssumeRoleWithWebIdentityCommand({
                RoleArn: opts.roleArn,
                RoleSessionName: opts.sessionName,
                WebIdentityToken: token,
                DurationSeconds: 3600,
            }), { abortSignal: AbortSignal.timeout(STS_DEADLINE_MS) });
            const c = out.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey)
                throw new Error('STS returned no credentials');
            cached = {
                accessKeyId: c.AccessKeyId,
                secretAccessKey: c.SecretAccessKey,
                ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
                ...(c.Expiration ? { expiration: c.Expiration } : {}),
            };
            return cached;
        }
        catch (err) {
            const e = err;
            throw Object.assign(new Error(`could not assume role ${opts.roleArn} with the GitHub OIDC token: ${e.name}: ${e.message}`), {
                name: 'AccessDeniedException',
            });
        }
        finally {
            sts.destroy();
            handler.destroy();
        }
    };
}
/**
 * The GitHub job's role credentials (input role-to-assume): its OIDC token for `audience`,
 * exchanged with STS. One wiring for the action's phases and the renewer they start.
 */
async function githubRoleCredentials(opts) {
    const core = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 6421));
    return webIdentityCredentials({
        roleArn: opts.roleArn,
        sessionName: opts.sessionName,
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.proxy ? { proxy: opts.proxy } : {}),
        getIdToken: () => core.getIDToken(opts.audience),
    });
}


/***/ })

};
