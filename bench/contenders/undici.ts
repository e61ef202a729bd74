/**
 * @m2m-auth/undici as a contender: undici's `request()` on an Agent composed with undiciAuth,
 * as packages/undici/README.md shows. Only in the overhead benchmarks (tables 4 and 7): the
 * comparison tables put each library beside what users pick instead, and no other library
 * authorizes undici's dispatcher.
 */
import { createTokenProvider } from '@m2m-auth/core';
import { undiciAuth } from '@m2m-auth/undici';
import { Agent, request } from 'undici';
import type { Contender, ContenderSpec } from './contender.ts';

export const undiciAdapter: ContenderSpec = {
  id: 'ours-undici',
  label: '**m2m-auth** `undiciAuth`',
  client: 'undici',
  source: 'packages/undici/README.md, the Agent example',
  create(options): Contender {
    const tokens = createTokenProvider({
      tokenUrl: options.tokenUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
    });
    const agent = new Agent();
    const dispatcher = agent.compose(undiciAuth(tokens, { origins: [options.apiOrigin] }));
    return {
      get: async (path) => {
        const response = await request(options.apiOrigin + path, { dispatcher });
        await response.body.arrayBuffer();
        return response.statusCode;
      },
      close: () => agent.close(),
    };
  },
};
