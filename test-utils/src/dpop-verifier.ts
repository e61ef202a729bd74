/**
 * DPoP proofs (RFC 9449 §4.3) verified for real, for the token endpoint and the resource
 * server alike: one `DPoP` header, a JWS typed `dpop+jwt`, signed with an asymmetric `alg`
 * by the public `jwk` in its header, `htm` and `htu` of this request, a fresh `iat`, an
 * unused `jti`, `ath` and the token's `cnf.jkt` at the resource server, and the server's
 * nonce. Descriptions name the failed check and never echo the proof.
 */
import type { IncomingMessage } from 'node:http';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import type { DpopNonceState, DpopNonces } from './dpop-nonces.ts';
import { accessTokenHash } from './dpop-proof.ts';
import { createSeenJtis } from './seen-jtis.ts';

/** Accepted proof algorithms (`Ed25519` is the RFC 9864 name of `EdDSA`); never `none` or HMAC. */
export const DPOP_ALGS: readonly string[] = ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'];
/** How far a proof's `iat` may be from the server's clock, either way. */
export const DPOP_IAT_WINDOW_SECONDS = 60;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export type DpopOutcome = 'accepted' | 'use_dpop_nonce' | 'invalid_dpop_proof' | 'unchecked';

/** What a server saw of one request's proof, decoded as received, valid or not. */
export interface DpopProofRecord {
  /** A `DPoP` header came. */
  present: boolean;
  header: ProtectedHeaderParameters | undefined;
  claims: JWTPayload | undefined;
  /** RFC 7638 thumbprint of the header's `jwk`, when it is a usable key. */
  jkt: string | undefined;
  /** The proof's `nonce` against the server's (`previous`: after a graceful rotation). */
  nonce: DpopNonceState;
  /** The nonce passed: not required, or the current (or still accepted previous) one. */
  nonceOk: boolean;
  /** `unchecked`: the request failed before its proof was judged. */
  outcome: DpopOutcome;
  /** Why it was refused. */
  description: string | undefined;
}

export interface DpopExpectation {
  htm: string;
  /** The request URL; compared without query and fragment. */
  htu: string;
  /** At the resource server: the token the proof must hash into `ath`. */
  accessToken?: string;
  /** At the resource server: the token's `cnf.jkt`. */
  jkt?: string;
}

export type DpopCheck =
  | { ok: true; jkt: string; record: DpopProofRecord }
  | {
      ok: false;
      error: 'use_dpop_nonce' | 'invalid_dpop_proof';
      description: string;
      record: DpopProofRecord;
    };

export interface DpopVerifier {
  readonly nonces: DpopNonces;
  /** The proof as received, before any check (`outcome: 'unchecked'`). */
  decode(req: IncomingMessage): DpopProofRecord;
  check(req: IncomingMessage, expect: DpopExpectation): Promise<DpopCheck>;
}

const withoutQuery = (url: string) => {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    return parsed.href;
  } catch {
    return undefined;
  }
};

const proofsOf = (req: IncomingMessage) => req.headersDistinct['dpop'] ?? [];

export function createDpopVerifier(options: {
  now: () => number;
  nonces: DpopNonces;
}): DpopVerifier {
  const { now, nonces } = options;
  const seen = createSeenJtis(now, DPOP_IAT_WINDOW_SECONDS);

  function decode(req: IncomingMessage): DpopProofRecord {
    const proofs = proofsOf(req);
    let header: ProtectedHeaderParameters | undefined;
    let claims: JWTPayload | undefined;
    try {
      header = decodeProtectedHeader(proofs[0] ?? '');
      claims = decodeJwt(proofs[0] ?? '');
    } catch {}
    const nonce = nonces.judge(claims?.['nonce']);
    return {
      present: proofs.length > 0,
      header,
      claims,
      jkt: undefined,
      nonce,
      nonceOk: nonces.accepts(nonce),
      outcome: 'unchecked',
      description: undefined,
    };
  }

  async function check(req: IncomingMessage, expect: DpopExpectation): Promise<DpopCheck> {
    const record = decode(req);
    const refuse = (description: string): DpopCheck => {
      Object.assign(record, { outcome: 'invalid_dpop_proof', description });
      return { ok: false, error: 'invalid_dpop_proof', description, record };
    };
    const proofs = proofsOf(req);
    if (proofs.length === 0) return refuse('a DPoP proof (DPoP header) is required');
    if (proofs.length > 1) return refuse('exactly one DPoP header is allowed');
    const { header, claims } = record;
    if (!header || !claims) return refuse('the DPoP proof is not a JWT');
    const typ = header.typ?.toLowerCase().replace(/^application\//, '');
    if (typ !== 'dpop+jwt') return refuse('typ must be dpop+jwt');
    const { alg } = header;
    if (!alg || !DPOP_ALGS.includes(alg)) {
      return refuse(`alg must be an asymmetric algorithm (${DPOP_ALGS.join(', ')})`);
    }
    const jwk = header.jwk as JWK | undefined;
    if (!jwk || typeof jwk !== 'object') return refuse('the header must carry the public jwk');
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
      return refuse('the jwk in the header must be a public key (no private members)');
    }
    let payload: JWTPayload;
    let jkt: string;
    try {
      const key = await importJWK(jwk, alg);
      jkt = await calculateJwkThumbprint(jwk);
      record.jkt = jkt;
      ({ payload } = await jwtVerify(proofs[0] ?? '', key, {
        algorithms: [alg],
        currentDate: new Date(now()),
      }));
    } catch {
      return refuse('the signature does not verify with the jwk in the header for its alg');
    }
    const { jti, htm, htu, iat } = payload;
    if (typeof jti !== 'string' || jti === '') return refuse('jti must be a non-empty string');
    if (htm !== expect.htm) return refuse(`htm must be ${expect.htm}`);
    if (typeof htu !== 'string' || withoutQuery(htu) !== withoutQuery(expect.htu)) {
      return refuse(`htu must be ${withoutQuery(expect.htu)} (without query and fragment)`);
    }
    if (typeof iat !== 'number') return refuse('iat is required');
    if (Math.abs(iat - now() / 1000) > DPOP_IAT_WINDOW_SECONDS) {
      return refuse(`iat must be within ${DPOP_IAT_WINDOW_SECONDS} s of the server's time`);
    }
    if (
      expect.accessToken !== undefined &&
      payload['ath'] !== accessTokenHash(expect.accessToken)
    ) {
      return refuse('ath must be the base64url SHA-256 of the access token');
    }
    if (expect.jkt !== undefined && jkt !== expect.jkt) {
      return refuse("the proof's key is not the one the token is bound to (cnf.jkt)");
    }
    if (!record.nonceOk) {
      const description =
        record.nonce === 'missing'
          ? 'a DPoP nonce is required: use the DPoP-Nonce header'
          : 'the DPoP nonce is stale: use the DPoP-Nonce header';
      Object.assign(record, { outcome: 'use_dpop_nonce', description });
      return { ok: false, error: 'use_dpop_nonce', description, record };
    }
    // Claimed last, so a proof refused for its nonce does not use up its jti.
    if (!seen.claim(jkt, jti, iat + DPOP_IAT_WINDOW_SECONDS)) {
      return refuse('jti was already used (a replay)');
    }
    record.outcome = 'accepted';
    return { ok: true, jkt, record };
  }

  return { nonces, decode, check };
}

/**
 * Headers for a successful answer: RFC 9449 §8.2 lets a server announce the next nonce; done
 * whenever the proof did not carry the current one (after a graceful rotation, or while
 * nonces are not required).
 */
export const announceNonce = (
  dpop: DpopVerifier,
  record: DpopProofRecord,
): Record<string, string> =>
  record.nonce === 'current' ? {} : { 'dpop-nonce': dpop.nonces.current };
