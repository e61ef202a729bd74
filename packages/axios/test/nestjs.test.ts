/**
 * The README's NestJS recipe: `HttpModule.register({ baseURL })` and, in the module's
 * `onModuleInit`, `axiosAuth(httpService.axiosRef, tokens)`, in a real Nest application
 * context (@nestjs/core, @nestjs/common, @nestjs/axios). The decorators are applied as plain
 * calls (`Module(...)(VendorModule)`), which is what `@Module(...)` compiles to: these tests are
 * not compiled with `experimentalDecorators`.
 */
import 'reflect-metadata';
import type { TokenProvider } from '@m2m-auth/core';
import { profileProvider } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import { HttpModule, HttpService } from '@nestjs/axios';
import { type INestApplicationContext, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { axiosAuth } from '../src/index.ts';

/** `@Module({ imports: [HttpModule.register({ baseURL })] }) class VendorModule implements OnModuleInit` */
function vendorModule(baseURL: string, tokens: TokenProvider) {
  class VendorModule implements OnModuleInit {
    readonly http: HttpService;
    constructor(http: HttpService) {
      this.http = http;
    }
    onModuleInit() {
      axiosAuth(this.http.axiosRef, tokens);
    }
  }
  Inject(HttpService)(VendorModule, undefined, 0);
  Module({ imports: [HttpModule.register({ baseURL })] })(VendorModule);
  return VendorModule;
}

describe('NestJS HttpModule with axiosAuth(httpService.axiosRef, tokens)', () => {
  const servers = useTestServers();
  let app: INestApplicationContext | undefined;
  afterEach(() => app?.close());

  async function httpService(): Promise<HttpService> {
    const tokens = profileProvider(servers.auth, 'generic');
    app = await NestFactory.createApplicationContext(vendorModule(servers.api.url, tokens), {
      logger: false,
    });
    return app.get(HttpService);
  }

  it('adds the token; a revocation costs one refresh and one replay, the POST body whole', async () => {
    const http = await httpService();
    const { data } = await firstValueFrom(http.get('/echo/things/1'));
    expect(data).toMatchObject({ path: '/echo/things/1' });
    servers.auth.control.revokeAll();
    const order = { sku: 'a-1', quantity: 3 };
    const posted = await firstValueFrom(http.post('/echo/orders', order));
    expect(posted.data).toMatchObject({ bodyLength: JSON.stringify(order).length });
    expect(servers.api.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/echo/things/1', 200],
      ['POST', '/echo/orders', 401],
      ['POST', '/echo/orders', 200],
    ]);
    expect(servers.api.requests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(servers.auth.stats.issued).toBe(2);
  });

  it("sends nothing to another origin, and a 403 comes back as Nest's AxiosError, unrefreshed", async () => {
    const http = await httpService();
    await firstValueFrom(http.get(`${servers.other.url}/elsewhere`));
    expect(servers.other.received).toEqual([
      { method: 'GET', path: '/elsewhere', authorization: undefined },
    ]);
    const error = await firstValueFrom(http.get('/forbidden')).catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && error.response?.status).toBe(403);
    expect(servers.auth.stats.issued).toBe(1);
  });

  it("the HttpModule without register() hands out axios' default instance (why the recipe registers one)", async () => {
    class PlainModule {}
    Module({ imports: [HttpModule] })(PlainModule);
    app = await NestFactory.createApplicationContext(PlainModule, { logger: false });
    expect(app.get(HttpService).axiosRef).toBe(axios);
  });
});
