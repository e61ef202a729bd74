/**
 * `m2m-auth demo` (and `npm run demo`): every adapter against every seed vendor on local
 * servers (demo/run-demo.ts). That code and its packages are loaded only here, and only once
 * they are known to be installed, so `token` and `request` run on core and fetch alone.
 */
import { demoInstallHint, missingDemoPackages } from '../demo/demo-packages.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../io.ts';

export const DEMO_HELP = `m2m-auth demo: every adapter (fetch, axios, got, ky) against every seed vendor

Starts a local OAuth 2.0 authorization server (the Fenris/Cognito, Fenergo and platform
profiles) and a protected API on 127.0.0.1, then runs each adapter through a short story:
first call fetches a token, the next calls reuse it, a revoke-all costs one 401, one refresh
and one replay, a token nearing expiry is refreshed ahead with no call waiting, a 403 is
passed through, and two tenants share one client. A security-first vendor runs it too, with
private_key_jwt and DPoP-bound tokens. No network, no configuration.

It needs packages the CLI does not install (the test servers, the axios, got and ky adapters
and those clients); without them it says what to install and exits ${ExitCode.DEMO_UNAVAILABLE}.

Exit code 0 when every row is right, ${ExitCode.DEMO_FAILED} otherwise.
`;

export const demo: Command = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(DEMO_HELP);
    return ExitCode.OK;
  }
  if (args.length > 0) {
    io.stderr.write(`m2m-auth demo: takes no arguments\n\n${DEMO_HELP}`);
    return ExitCode.USAGE;
  }
  const missing = missingDemoPackages();
  if (missing.length > 0) {
    io.stderr.write(demoInstallHint(missing));
    return ExitCode.DEMO_UNAVAILABLE;
  }
  const { runDemo } = await import('../demo/run-demo.ts');
  return runDemo(io);
};
