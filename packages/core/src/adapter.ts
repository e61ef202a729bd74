/**
 * `@m2m-auth/core/adapter`: what an adapter needs to put a provider's tokens on its client's
 * requests, and what a package that extends m2m-auth shares with core (the event sink the
 * Redis store reports through). Users do not need it; the root export is the user API.
 */
export type { HeaderLookup, HeaderTarget } from './authorization.ts';
export { eventSink } from './event-sink.ts';
export type { AnswerLike, AuthHeaders, Exchange } from './exchange.ts';
// For an adapter whose client sends each hop of a redirect itself (axios): core decides it.
export { type FollowedHop, followHop } from './follow-redirects.ts';
export type { ClientContext } from './origin-policy.ts';
// For a hook under core's own fetch (undici's global dispatcher): core's requests pass by.
export { isOwnRequest } from './own-requests.ts';
export { recordHeaders } from './record-headers.ts';
export type { RedirectHop } from './redirect-hop.ts';
export { firstHop } from './redirect-hop.ts';
// For an adapter whose transport takes a fetch Request (fetchAuth, kyAuth): its attempts and hops.
export type { RequestAttempt, RequestSend } from './request-attempts.ts';
export { requestAttempts } from './request-attempts.ts';
export type { OutgoingRequest, RequestPolicy, RequestPolicyOptions } from './request-policy.ts';
export { createRequestPolicy } from './request-policy.ts';
// For a transport that sends a streamed body by iterating it (undici): keep it for a replay.
export { isStreamed, type KeptBody, keptBody } from './resendable-body.ts';
// For tools that print what a server sent (the CLI): C0/C1 controls and DEL escaped.
export { escapeControls } from './server-text.ts';
// `policy.begin` answers at once with a cached token: an adapter that does not `await` checks.
export { isPromise, type MaybePromise, whenReady } from './token-now.ts';
