/**
 * oidc-provider's DPoP steps for grants (validate the proof, bind the token to its key,
 * refuse a DPoP-bound client without one), which it does not hand to custom grants: read
 * from its `lib/helpers` (the package has no `exports` map, so the paths resolve; they are
 * its internals, checked against 9.x), bound to this provider as it binds them for its own.
 */
import type { KoaContextWithOIDC, OidcAccessToken, OidcProvider } from './oidc-provider-types.ts';

export interface DpopSteps {
  /** The request's valid proof, `undefined` without one; `use_dpop_nonce` and bad proofs throw. */
  validate(ctx: KoaContextWithOIDC): Promise<unknown>;
  /** Checks the proof's replay and sets the token's `cnf.jkt`. */
  bind(ctx: KoaContextWithOIDC, proof: unknown, token: OidcAccessToken): Promise<void>;
  /** `invalid_grant` for a client registered with `dpop_bound_access_tokens` and no proof. */
  require(ctx: KoaContextWithOIDC, proof: unknown): void;
}

type Helper = (provider: OidcProvider, ...args: unknown[]) => unknown;

const GRANTS = 'oidc-provider/lib/helpers/grants.js';
const COMMON = 'oidc-provider/lib/helpers/grant_common.js';

export async function loadDpopSteps(provider: OidcProvider): Promise<DpopSteps> {
  const grants = (await import(GRANTS)) as Record<'validateDpop' | 'checkDpopRequired', Helper>;
  const common = (await import(COMMON)) as Record<'applyDpopBinding', Helper>;
  return {
    validate: async (ctx) => grants.validateDpop(provider, ctx),
    bind: async (ctx, proof, token) => {
      await common.applyDpopBinding(provider, ctx, proof, token);
    },
    require: (ctx, proof) => {
      grants.checkDpopRequired(provider, ctx, proof);
    },
  };
}
