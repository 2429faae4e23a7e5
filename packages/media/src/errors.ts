export type MediaErrorCode = "NOT_FOUND" | "BAD_REQUEST" | "CLOSED" | "UNSUPPORTED";

/**
 * The only error the media model throws on purpose. `code` lets the signaling layer map it
 * (NOT_FOUND -> 404-ish, BAD_REQUEST -> 400-ish, ...); `message` is meant for humans.
 */
export class MediaError extends Error {
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MediaError";
    this.code = code;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
