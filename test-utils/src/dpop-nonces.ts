/**
 * A server's DPoP nonce (RFC 9449 §8, §9): one current value a proof must carry while nonces
 * are required (the default, so every client exercises the nonce dance), rotated on demand.
 * A graceful rotation keeps accepting the previous nonce, the way a server that announces the
 * next nonce in a successful answer (§8.2) does, so a client can be tested for picking it up.
 */
import { randomBytes } from 'node:crypto';

/** How a proof's `nonce` compares with the server's. */
export type DpopNonceState = 'current' | 'previous' | 'stale' | 'missing';

export interface DpopRotateOptions {
  /** Keep accepting the nonce being replaced until the next rotation (default false). */
  acceptPrevious?: boolean;
}

export interface DpopNonces {
  /** The nonce proofs must carry now. */
  readonly current: string;
  readonly required: boolean;
  require(required: boolean): void;
  /** A new current nonce; returns it. */
  rotate(options?: DpopRotateOptions): string;
  judge(nonce: unknown): DpopNonceState;
  /** Whether a proof in `state` passes: no nonce required, or the current or accepted previous one. */
  accepts(state: DpopNonceState): boolean;
}

const newNonce = () => randomBytes(16).toString('base64url');

export function createDpopNonces(): DpopNonces {
  let current = newNonce();
  let previous: string | undefined;
  let required = true;
  return {
    get current() {
      return current;
    },
    get required() {
      return required;
    },
    require(value) {
      required = value;
    },
    rotate(options = {}) {
      previous = options.acceptPrevious ? current : undefined;
      current = newNonce();
      return current;
    },
    judge(nonce) {
      if (nonce === undefined) return 'missing';
      if (nonce === current) return 'current';
      return nonce === previous ? 'previous' : 'stale';
    },
    accepts: (state) => !required || state === 'current' || state === 'previous',
  };
}
