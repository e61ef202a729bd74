/** What the authorization server saw: every token request, and tallies over them. */
import type { DecodedAssertion } from './client-assertion.ts';
import type { DiscoveryDocument } from './discovery.ts';
import type { DpopProofRecord } from './dpop-verifier.ts';

/** `both`: two or more ways at once (e.g. Basic and an assertion). */
export type AuthMethodSeen =
  | 'basic'
  | 'post'
  | 'private_key_jwt'
  | 'client_secret_jwt'
  | 'both'
  | 'none';

export interface TokenRequestRecord {
  at: number;
  profile: string;
  clientId: string | undefined;
  scope: string | undefined;
  authMethod: AuthMethodSeen;
  status: number;
  /** A token was issued (also under `delay` and `bad-expires-in` faults). */
  issued: boolean;
  fault: string | undefined;
  /** The client assertion's header and claims as received (decoded, whether valid or not). */
  assertion?: DecodedAssertion;
  /** On the `dpop` profile: the DPoP proof as received and what became of it. */
  dpop?: DpopProofRecord;
}

/** DPoP proofs a server judged, by outcome (the same shape on both servers). */
export interface DpopTally {
  /** Requests that carried a `DPoP` header. */
  proofs: number;
  accepted: number;
  /** Answers `use_dpop_nonce` (with a `DPoP-Nonce` header). */
  useDpopNonce: number;
  /** Answers `invalid_dpop_proof`. */
  invalidProof: number;
}

export const emptyDpopTally = (): DpopTally => ({
  proofs: 0,
  accepted: 0,
  useDpopNonce: 0,
  invalidProof: 0,
});

/** Adds one request's proof record to `tally`. */
export function countDpop(tally: DpopTally, record: DpopProofRecord | undefined): void {
  if (!record) return;
  if (record.present) tally.proofs++;
  if (record.outcome === 'accepted') tally.accepted++;
  if (record.outcome === 'use_dpop_nonce') tally.useDpopNonce++;
  if (record.outcome === 'invalid_dpop_proof') tally.invalidProof++;
}

export interface AuthStats {
  /** Token requests received, faults included. */
  readonly total: number;
  /** Token requests answered with a token. */
  readonly issued: number;
  readonly requests: readonly TokenRequestRecord[];
  byClient(): Record<string, number>;
  byScope(): Record<string, number>;
  byAuthMethod(): Record<AuthMethodSeen, number>;
  /** Every client assertion received, in order: `requests` that carried one. */
  readonly assertions: readonly DecodedAssertion[];
  /** Discovery requests per document (`oauth`: RFC 8414, `openid`: OpenID Connect). */
  readonly discovery: Readonly<Record<DiscoveryDocument, number>>;
  /** DPoP proofs on the `dpop` profile, by outcome (faults and early refusals: unjudged). */
  readonly dpop: Readonly<DpopTally>;
  reset(): void;
}

function tally(
  records: readonly TokenRequestRecord[],
  key: (r: TokenRequestRecord) => string | undefined,
) {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const name = key(record) ?? '(none)';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export interface RecordingStats extends AuthStats {
  record(entry: TokenRequestRecord): void;
  recordDiscovery(document: DiscoveryDocument): void;
}

export function createStats(): RecordingStats {
  const records: TokenRequestRecord[] = [];
  const discovery: Record<DiscoveryDocument, number> = { oauth: 0, openid: 0 };
  return {
    get total() {
      return records.length;
    },
    get issued() {
      return records.filter((r) => r.issued).length;
    },
    requests: records,
    byClient: () => tally(records, (r) => r.clientId),
    byScope: () => tally(records, (r) => r.scope),
    byAuthMethod: () => ({
      basic: 0,
      post: 0,
      private_key_jwt: 0,
      client_secret_jwt: 0,
      both: 0,
      none: 0,
      ...tally(records, (r) => r.authMethod),
    }),
    get assertions() {
      return records.flatMap((r) => (r.assertion ? [r.assertion] : []));
    },
    discovery,
    get dpop() {
      const tally = emptyDpopTally();
      for (const record of records) countDpop(tally, record.dpop);
      return tally;
    },
    reset() {
      records.length = 0;
      discovery.oauth = 0;
      discovery.openid = 0;
    },
    record(entry) {
      records.push(entry);
    },
    recordDiscovery(document) {
      discovery[document]++;
    },
  };
}
