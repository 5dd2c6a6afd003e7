/** Generates a synthetic, well-formed trace (format v1) of about `spans` bars over `lanes` lanes. */
export function generateTrace(opts: { spans: number; lanes?: number; seed?: number }): string;
