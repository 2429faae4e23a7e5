// Meeting codes as people type them (mirrors `meetingCode` in packages/api/src/schemas.ts, which the browser
// bundle must not import): case, spaces and dashes don't matter.
export const MEETING_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const MEETING_CODE = new RegExp(`^[${MEETING_CODE_ALPHABET}]{8}$`);

export const INVALID_CODE_MESSAGE = "A meeting code has 8 letters and digits, like abcd2345.";

export const normaliseMeetingCode = (input: string): string => input.replace(/[\s-]/g, "").toLowerCase();

/** The canonical code, or null when `input` cannot be one. Accepts a pasted meeting link too. */
export function parseMeetingCode(input: string): string | null {
  let candidate = input.trim();
  const fromLink = /\/m\/([^/?#\s]+)/.exec(candidate);
  if (fromLink?.[1]) candidate = decodeURIComponent(fromLink[1]);
  const code = normaliseMeetingCode(candidate);
  return MEETING_CODE.test(code) ? code : null;
}
