/** What the authorization server saw: every token request, and tallies over them. */
export type AuthMethodSeen = 'basic' | 'post' | 'both' | 'none';

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

export function createStats(): AuthStats & { record(entry: TokenRequestRecord): void } {
  const records: TokenRequestRecord[] = [];
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
      both: 0,
      none: 0,
      ...tally(records, (r) => r.authMethod),
    }),
    reset() {
      records.length = 0;
    },
    record(entry) {
      records.push(entry);
    },
  };
}
