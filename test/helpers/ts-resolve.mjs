// Resolve hook for ts-hooks.mjs: `./x.js` falls back to `./x.ts` (the source imports with .js, as NodeNext wants).
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw err;
  }
}
