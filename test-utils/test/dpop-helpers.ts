/**
 * Helpers for the DPoP tests: a token request with a proof, the nonce dance a DPoP client
 * does (RFC 9449 §8), and an API call under either scheme.
 */
import {
  type AuthServer,
  createDpopProof,
  type DpopKeys,
  type DpopProofOptions,
  type ResourceServer,
} from '../src/index.ts';

export const DEMO_BASIC = `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`;

export type ProofTweaks = Partial<Omit<DpopProofOptions, 'privateKey' | 'publicJwk'>>;

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

export const proofFor = (keys: DpopKeys, htm: string, htu: string, tweaks: ProofTweaks = {}) =>
  createDpopProof({ privateKey: keys.privateKey, publicJwk: keys.publicJwk, htm, htu, ...tweaks });

/** A `dpop`-profile token request with Basic auth; `proof: null` sends no DPoP header. */
export async function requestToken(
  auth: AuthServer,
  keys: DpopKeys,
  options: { tweaks?: ProofTweaks; proof?: string | null; form?: Record<string, string> } = {},
): Promise<Answer> {
  const url = auth.tokenUrl('dpop');
  const proof =
    options.proof === undefined ? await proofFor(keys, 'POST', url, options.tweaks) : options.proof;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.form ? {} : { authorization: DEMO_BASIC }),
      ...(proof === null ? {} : { dpop: proof }),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...options.form }).toString(),
  });
  return answer(res);
}

/** The whole dance: without a nonce, then with the one the server answered. */
export async function dpopToken(auth: AuthServer, keys: DpopKeys): Promise<string> {
  const first = await requestToken(auth, keys);
  const nonce = first.headers.get('dpop-nonce') ?? undefined;
  const second = await requestToken(auth, keys, { tweaks: nonce ? { nonce } : {} });
  if (second.status !== 200) throw new Error(`token request failed: ${second.status}`);
  return String(second.body['access_token']);
}

/** An API call: `keys` given, a DPoP call with a proof for it (tweaked), else Bearer. */
export async function callApi(
  api: ResourceServer,
  path: string,
  token: string,
  options: {
    keys?: DpopKeys;
    tweaks?: ProofTweaks;
    scheme?: string;
    method?: string;
  } = {},
): Promise<Answer> {
  const method = options.method ?? 'GET';
  const url = `${api.url}${path}`;
  const scheme = options.scheme ?? (options.keys ? 'DPoP' : 'Bearer');
  const proof = options.keys
    ? await proofFor(options.keys, method, url, { accessToken: token, ...options.tweaks })
    : undefined;
  const res = await fetch(url, {
    method,
    headers: { authorization: `${scheme} ${token}`, ...(proof ? { dpop: proof } : {}) },
  });
  return answer(res);
}
