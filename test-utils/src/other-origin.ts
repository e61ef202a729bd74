import { listen, sendJson } from './http.ts';

export interface OtherOrigin {
  url: string;
  /** Every request received, with its Authorization header (which must be absent). */
  received: Array<{ method: string; path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

/** Another origin, for leak tests: records any Authorization header it receives. */
export async function startOtherOrigin(): Promise<OtherOrigin> {
  const received: OtherOrigin['received'] = [];
  const listening = await listen((req, res) => {
    received.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authorization: req.headers.authorization,
    });
    sendJson(res, 200, { origin: 'other' });
  });
  return { url: listening.url, received, close: () => listening.close() };
}
