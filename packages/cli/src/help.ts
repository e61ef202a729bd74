/** `--help` texts for `token` and `request`: the flags, exit codes and one example per seed vendor. */
import { ExitCode } from './exit-codes.ts';
import { DEFAULT_SECRET_ENV } from './token-options.ts';

const TOKEN_FLAGS = `Token options (token and request):
  --token-url URL           the token endpoint: https:, or http: on loopback
  --client-id ID            your client id, sent as given (':', spaces, '+' are fine)
  --client-secret-env NAME  read the secret from environment variable NAME
                            (default: ${DEFAULT_SECRET_ENV})
  --client-secret-stdin     read the secret from the first line of stdin (its line ending
                            is dropped, nothing else)
  --auth METHOD             how the client authenticates:
                              basic      HTTP Basic, id and secret form-encoded first
                                         (RFC 6749 2.3.1) (default)
                              basic-raw  HTTP Basic without that encoding
                              post       client_id and client_secret in the body
                              auto       basic, then basic-raw, then post, on invalid_client
  --client-id-in-body       with basic, also send client_id in the body (AWS Cognito)
  --scope S                 a scope to ask for; repeat for several
  --audience A              the audience parameter (Auth0 and similar)
  --param NAME=VALUE        an extra form parameter; repeat for several
  --timeout-ms N            per token request attempt (default 10000; network errors, 408,
                            429 and 5xx are retried, 3 attempts in all)
  --allow-insecure-http     allow plain http: to a host that is not loopback

The secret is never taken as an argument: other users see arguments in \`ps\`, and your
shell keeps them in its history. --client-secret and --secret are refused.`;

const EXIT_CODES = `Exit codes:
  ${ExitCode.OK} success                      ${ExitCode.OAUTH} the token endpoint refused (OAuth error)
  ${ExitCode.UNEXPECTED} unexpected error             ${ExitCode.TOKEN_HTTP} the token endpoint answered an HTTP error
  ${ExitCode.USAGE} bad usage                    ${ExitCode.NETWORK} network error or timeout
  ${ExitCode.CONFIG} options that cannot work     ${ExitCode.INVALID_RESPONSE} the token response is unusable`;

export const TOKEN_HELP = `Usage: m2m-auth token --token-url URL --client-id ID [options]

Gets an OAuth 2.0 client-credentials access token and prints it.

Output (one of):
  (default)   the access token and a newline
  --json      {access_token, token_type, expires_in (seconds left), expires_at (ISO 8601), scope}
  --decode    the JWT's header and claims as JSON (decoded, not verified)

${TOKEN_FLAGS}

${EXIT_CODES}
  ${ExitCode.NOT_A_JWT} --decode: the token is not a JWT

Examples:
  # Fenris Digital (AWS Cognito-based): HTTP Basic and client_id in the body
  m2m-auth token --token-url https://auth.fenris.example/oauth2/token \\
    --client-id "$FENRIS_CLIENT_ID" --client-secret-env FENRIS_CLIENT_SECRET --client-id-in-body

  # Fenergo: credentials in the body, one token per tenant scope
  m2m-auth token --token-url "$FENERGO_TOKEN_URL" --client-id "$FENERGO_CLIENT_ID" \\
    --client-secret-env FENERGO_CLIENT_SECRET --auth post --scope tenant/acme --json

  # A POST /oauth/v2/token platform, self-chosen client id, default Basic, secret piped in
  pass show platform/secret | m2m-auth token --client-secret-stdin \\
    --token-url https://api.platform.example/oauth/v2/token --client-id 'my:client id+1' --decode

  # In a script
  TOKEN=$(m2m-auth token --token-url "$URL" --client-id "$ID") || exit
`;

export const REQUEST_HELP = `Usage: m2m-auth request URL [-X METHOD] [-H 'Name: value' ...] [-d BODY | --json BODY] [-i] [-v] [-o FILE] [--fail] [token options]

Makes one request with a bearer token, like a curl that gets its own token. The token goes
only to URL's origin; a 401 gets one fresh token and one retry. Redirects are always
followed (as with curl -L); a redirect to another origin carries no token.

Request options (curl's names):
  -X, --request METHOD      the method (default GET, or POST with a body)
  -H, --header 'N: V'       a request header; repeat for several. An Authorization header
                            of your own is sent as is, and no token is fetched.
  -d, --data BODY           the body; repeat and the pieces are joined with '&'. @FILE reads
                            a file, @- stdin, without their CR and LF (as curl -d). Without
                            a Content-Type header it is application/x-www-form-urlencoded.
                            A body starting with '-' is written --data=-...
  --data-binary BODY        like -d, but @FILE and @- keep every byte
  --data-raw BODY           like -d, but a leading @ is just a character
  --json BODY               the body as it is (@FILE and @- too), with Content-Type and
                            Accept application/json unless -H sets them (as curl --json)
  -o, --output FILE         write the body (with -i the head too) to FILE, not stdout
  -i, --include             print the status line (HTTP 200 OK) and the response headers
                            on stdout, then a blank line, before the body (as curl -i)
  -s, --silent              print no status line and headers on stderr. Errors still show
  -S, --show-error          accepted for -sS: errors always show
  -v, --verbose             on stderr, each request sent (> method, URL, headers) and each
                            answer (< status, headers), token requests too. Authorization,
                            Proxy-Authorization and DPoP show their scheme only (Bearer
                            [redacted]); a credential echoed in a response header is masked.
                            No bodies: a token request carries the secret.
  -L, --location            accepted: redirects are followed anyway
  -f, --fail                on HTTP >= 400 print no body and exit ${ExitCode.HTTP_FAILED}, like curl --fail

Output: the status line and the response headers on stderr (-v: the trace instead), then
the body on stdout as it came (bytes, binary too), so \`> file\` or a pipe gets the body
alone. Any response, 4xx and 5xx included, exits 0 unless --fail: the request worked, the
server answered.

${TOKEN_FLAGS}

${EXIT_CODES}
  ${ExitCode.HTTP_FAILED} --fail: the server answered HTTP >= 400
  ${ExitCode.WRITE_FAILED} -o: the file could not be written
  ${ExitCode.READ_FAILED} -d @FILE, --json @FILE: the file (or stdin) could not be read
  Network errors reaching URL itself also exit ${ExitCode.NETWORK}, naming its host and port.

Examples:
  # Fenris Digital (AWS Cognito-based): HTTP Basic and client_id in the body
  m2m-auth request --json @applicant.json \\
    https://api.fenris.example/v1/prefill --token-url https://auth.fenris.example/oauth2/token \\
    --client-id "$FENRIS_CLIENT_ID" --client-secret-env FENRIS_CLIENT_SECRET --client-id-in-body

  # Fenergo: credentials in the body, tenant scope, status line and headers too
  m2m-auth request -i https://api.fenergo.example/tm/alerts --token-url "$FENERGO_TOKEN_URL" \\
    --client-id "$FENERGO_CLIENT_ID" --client-secret-env FENERGO_CLIENT_SECRET \\
    --auth post --scope tenant/acme

  # A POST /oauth/v2/token platform, self-chosen client id, default Basic; fail on 403
  pass show platform/secret | m2m-auth request --fail https://api.platform.example/v1/invoices \\
    --token-url https://api.platform.example/oauth/v2/token --client-id 'my:client id+1' \\
    --client-secret-stdin
`;
