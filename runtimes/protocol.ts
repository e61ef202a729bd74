/** The line a command-line runtime prints its result on: `M2M_SMOKE_RESULT {json}`. */
export const RESULT_PREFIX = 'M2M_SMOKE_RESULT ';
