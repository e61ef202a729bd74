/**
 * Cloudflare Workers (workerd): a module Worker, as a user deploys one. The config is the
 * `M2M_SMOKE` binding (a JSON var); any request runs the smoke and answers its result as
 * JSON. No `nodejs_compat` flag: the packages must need nothing of Node.
 */
import { runSmoke, type SmokeConfig } from './smoke.ts';

interface Env {
  M2M_SMOKE: SmokeConfig;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    try {
      return Response.json(await runSmoke(env.M2M_SMOKE));
    } catch (error) {
      return Response.json({ ok: false, fatal: String(error) }, { status: 500 });
    }
  },
};
