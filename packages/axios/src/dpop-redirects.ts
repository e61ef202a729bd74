/**
 * The redirects of a DPoP-bound request, followed through core. follow-redirects (axios in
 * Node) sends a same-origin hop with the headers the request had, so the first URL's proof
 * goes to the next URL, which refuses it; and its `beforeRedirect` is synchronous, too early
 * to sign a proof in. So such a request goes with `maxRedirects: 0`, and each redirect it gets
 * is a hop core decides (`followHop`: the Fetch standard's method, body and header rules, a
 * new proof for the hop's URL on our origin, no token anywhere else), sent through the
 * instance as the next attempt of the same request. Bearer requests keep axios' own
 * following, with our guard (redirect-guard.ts); so do bodies that cannot be sent again
 * (streams), which follow-redirects buffers and we could not.
 */
import { type Exchange, firstHop, followHop, type RedirectHop } from '@m2m-auth/core/adapter';
import {
  AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** follow-redirects' own limit, which axios uses unless `maxRedirects` says otherwise. */
const FOLLOW_REDIRECTS_MAX = 21;

interface Hops {
  /** The hop this config sends. */
  readonly hop: RedirectHop;
  /** The caller's `maxRedirects`. */
  readonly max: number;
  /** The exchange core made for this hop, until the request interceptor takes it. */
  ready?: Exchange | undefined;
}

// Under a string key, as the exchange: axios copies it into every config made from this one
// (axios-retry's re-sends, our replay), so they keep following through core.
const HOPS = 'm2mAuthHops';
type HopsCarrier = InternalAxiosRequestConfig & { [HOPS]?: Hops | undefined };

/** The exchange core made for this config's hop, taken once; `undefined` for any other config. */
export function takeHopExchange(config: InternalAxiosRequestConfig): Exchange | undefined {
  const hops = (config as HopsCarrier)[HOPS];
  const ready = hops?.ready;
  if (hops) hops.ready = undefined;
  return ready;
}

/**
 * In the request interceptor, once the exchange is begun: a DPoP-bound request whose body
 * can be sent again leaves its redirects to us (`url`: the URL axios requests).
 */
export function takeRedirects(
  config: InternalAxiosRequestConfig,
  exchange: Exchange,
  url: () => string,
): void {
  const carrier = config as HopsCarrier;
  if (carrier[HOPS] || config.maxRedirects === 0) return; // ours already, or the caller's 0
  if (!exchange.followsRedirects || !exchange.resendable) return;
  const max = config.maxRedirects ?? FOLLOW_REDIRECTS_MAX;
  carrier[HOPS] = { hop: firstHop(url(), config.method), max };
  config.maxRedirects = 0;
}

/** core's refusal of a hop (fetch's TypeError), as follow-redirects' error would be. */
function redirectError(
  error: unknown,
  hops: Hops,
  config: InternalAxiosRequestConfig,
  response: AxiosResponse,
) {
  const code =
    hops.hop.count >= hops.max ? 'ERR_FR_TOO_MANY_REDIRECTS' : 'ERR_FR_REDIRECTION_FAILURE';
  return AxiosError.from(error, code, config, response.request, response);
}

/**
 * In the response interceptor: the answer of the hop `response` redirects to, sent through
 * `instance`; `undefined` (at once) when this config's redirects are not ours or `response`
 * is not a redirect.
 */
export function followRedirect(
  instance: AxiosInstance,
  config: InternalAxiosRequestConfig,
  response: AxiosResponse,
  exchange: Exchange,
): Promise<AxiosResponse | undefined> | undefined {
  const hops = (config as HopsCarrier)[HOPS];
  const location = response.headers['location'] as string | undefined;
  if (!hops || !location || response.status < 300 || response.status > 399) return undefined;
  return followHop(exchange, hops.hop, response.status, location, hops.max).then(
    (next) => {
      if (!next) return undefined;
      // A plain copy: the instance may be of another axios than ours, with its own AxiosHeaders.
      const headers = { ...config.headers.toJSON() } as InternalAxiosRequestConfig['headers'];
      for (const name of Object.keys(headers)) {
        if (next.hop.dropHeaders.includes(name.toLowerCase())) delete headers[name];
      }
      const hopConfig: HopsCarrier = {
        ...config,
        url: next.hop.url.href,
        allowAbsoluteUrls: true, // the hop's URL as it is, whatever baseURL
        params: {}, // already in the hop's URL
        method: next.hop.method,
        data: next.hop.body ? config.data : undefined,
        headers,
        [HOPS]: { hop: next.hop, max: hops.max, ready: next.exchange },
      };
      return instance.request(hopConfig);
    },
    (error: unknown) => {
      // A token error from the hop's exchange is ours to pass on as it is.
      throw error instanceof TypeError ? redirectError(error, hops, config, response) : error;
    },
  );
}
