export type { AnyAxiosInstance, AxiosAuthOptions, AxiosAuthRequestOptions } from './axios-auth.ts';
export { axiosAuth } from './axios-auth.ts';
