/** Per-request settings, on any axios request config as `m2mAuth`. */
export interface AxiosAuthRequestOptions {
  /** Send this request without our token. @default false */
  skip?: boolean;
  /** Use `provider.forScope(scope)` for this request. */
  scope?: string | readonly string[];
}
