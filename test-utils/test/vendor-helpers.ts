/** What the vendor profile tests share: a server with their clients, raw token requests, JWTs. */
import { type CryptoKey, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  type AuthServer,
  type ClientRecord,
  DEFAULT_CLIENTS,
  JWT_BEARER,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '../src/index.ts';

/** An auth server with the default clients and `clients()`, for one test file. */
export function useVendorServer(clients: () => ClientRecord[] | Promise<ClientRecord[]>) {
  const holder = {} as { auth: AuthServer };
  beforeAll(async () => {
    holder.auth = await startAuthServer({ clients: [...DEFAULT_CLIENTS, ...(await clients())] });
  });
  afterAll(() => holder.auth.close());
  beforeEach(() => {
    holder.auth.stats.reset();
    holder.auth.control.setClockOffset(0);
  });
  return holder;
}

/** A protected API that trusts `servers.auth`, for one test file. */
export function useApi(servers: { auth: AuthServer }) {
  const holder = {} as { api: ResourceServer };
  beforeAll(async () => {
    holder.api = await startResourceServer({ authServer: servers.auth });
  });
  afterAll(() => holder.api.close());
  return holder;
}

/** `form` with `change` merged over it; an `undefined` in `change` leaves that parameter out. */
export const changed = (
  form: Record<string, string>,
  change: Record<string, string | undefined>,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries({ ...form, ...change }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One form-encoded token request, the answer's JSON parsed. */
export async function tokenRequest(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** `Authorization: Basic` with RFC 6749 §2.3.1 encoding. */
export const basic = (id: string, secret: string) => {
  const enc = (s: string) => new URLSearchParams([['', s]]).toString().slice(1);
  return { authorization: `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}` };
};

/** A JWT with these claims and header, `iat` now unless given, signed with `key`. */
export async function signJwt(
  claims: JWTPayload,
  key: CryptoKey | Uint8Array,
  header: { alg: string; [name: string]: unknown },
): Promise<string> {
  return new SignJWT({ iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader(header)
    .sign(key);
}

export const assertionForm = (jwt: string, extra: Record<string, string> = {}) => ({
  client_assertion_type: JWT_BEARER,
  client_assertion: jwt,
  ...extra,
});

export const seconds = (fromNow = 0) => Math.floor(Date.now() / 1000) + fromNow;

/** `{ status, error }` of an answer: what the tests compare with the vendor's documented failure. */
export const failure = (answer: RawAnswer) => ({
  status: answer.status,
  error: answer.body['error'],
});
