import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOtherOrigin } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider, ErrorCode, TokenHttpError } from '../src/index.ts';

// A token endpoint that redirects: the credentials must not follow (a 307 would resend the
// body, secret included). Refused as a typed error, on every runtime (no `redirect: 'error'`).
describe('a token endpoint that redirects', () => {
  let other: Awaited<ReturnType<typeof startOtherOrigin>>;
  let server: ReturnType<typeof createServer>;
  let tokenUrl: string;
  beforeAll(async () => {
    other = await startOtherOrigin();
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${other.url}/oauth/token` }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  });
  afterAll(async () => {
    await other.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is refused with a TokenHttpError naming the redirect, and the target sees nothing', async () => {
    const tokens = createTokenProvider({
      tokenUrl,
      clientId: 'svc',
      clientSecret: 'svc-secret',
      clientAuth: 'client_secret_post',
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenHttpError);
    expect(error).toMatchObject({ code: ErrorCode.HTTP, status: 307 });
    expect((error as Error).message).toMatch(/redirect .*never follow/);
    expect(other.received).toEqual([]);
  });
});
