/**
 * One row of table 6 in a fresh process (so nothing else is on the heap):
 *   node --expose-gc bench/compare/memory-child.ts <variant> <scopes>
 * with TOKEN_URL, CLIENT_ID, CLIENT_SECRET set. Caches one token per tenant scope, the way each
 * library would be used for many tenants, and prints `{ perToken, kept }`: the heap growth
 * after GC (everything still referenced) per scope, and the tokens still held.
 */
import { OAuth2Client, OAuth2Fetch } from '@badgateway/oauth2-client';
import { createTokenProvider, memoryStore } from '@m2m-auth/core';
import * as openid from 'openid-client';
import { handTokenCache } from '../contenders/hand-token-cache.ts';

const [variant = '', scopesArg = '10000'] = process.argv.slice(2);
const scopes = Array.from({ length: Number(scopesArg) }, (_, i) => `tenant/t${i}`);
const { TOKEN_URL = '', CLIENT_ID = '', CLIENT_SECRET = '' } = process.env;
const origin = new URL(TOKEN_URL).origin;

/** Returns a function that caches a token for one scope, and a count of tokens kept. */
function build(): { cache(scope: string): Promise<unknown>; kept(): number } {
  switch (variant) {
    case 'm2m-auth': {
      // One provider; forScope shares its LRU memory store (packages/core/README.md, "Many tenants").
      const store = memoryStore();
      const tokens = createTokenProvider({
        tokenUrl: TOKEN_URL,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        store,
      });
      return { cache: (scope) => tokens.forScope(scope).getToken(), kept: () => store.size };
    }
    case 'openid-client': {
      // clientCredentialsGrant per scope, each behind the hand-written cache users keep in a Map.
      const config = new openid.Configuration(
        { issuer: origin, token_endpoint: TOKEN_URL },
        CLIENT_ID,
        CLIENT_SECRET,
      );
      openid.allowInsecureRequests(config); // loopback http in the benchmark only
      const caches = new Map<string, ReturnType<typeof handTokenCache>>();
      const cache = (scope: string) => {
        let entry = caches.get(scope);
        if (!entry) {
          entry = handTokenCache(async () => {
            const r = await openid.clientCredentialsGrant(config, { scope });
            return { accessToken: r.access_token, expiresIn: r.expires_in ?? 3600 };
          });
          caches.set(scope, entry);
        }
        return entry.get();
      };
      return { cache, kept: () => caches.size };
    }
    case 'badgateway': {
      // An OAuth2Fetch holds one token, so many tenants means one wrapper per scope.
      const client = new OAuth2Client({
        server: origin,
        tokenEndpoint: new URL(TOKEN_URL).pathname,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      });
      const wrappers = new Map<string, OAuth2Fetch>();
      const cache = (scope: string) => {
        let wrapper = wrappers.get(scope);
        if (!wrapper) {
          wrapper = new OAuth2Fetch({
            client,
            getNewToken: () => client.clientCredentials({ scope: [scope] }),
          });
          wrappers.set(scope, wrapper);
        }
        return wrapper.getToken();
      };
      return { cache, kept: () => wrappers.size };
    }
    default:
      throw new Error('variant: m2m-auth | openid-client | badgateway');
  }
}

const gc = globalThis.gc as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

async function fill(subject: ReturnType<typeof build>, count: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < count) await subject.cache(scopes[next++] as string);
    }),
  );
}

// A first instance warms modules, connections and the JIT, then is dropped, so the baseline
// holds everything but the measured instance's tokens.
await fill(build(), 1000);
const before = heap();
const subject = build();
await fill(subject, scopes.length);
const perToken = (heap() - before) / scopes.length;
process.stdout.write(`${JSON.stringify({ perToken, kept: subject.kept() })}\n`);
process.exit(0); // badgateway keeps a refresh timer per wrapper
