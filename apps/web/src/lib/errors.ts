// The one way an error becomes words on screen, for HTTP and realtime calls alike (no React here: the media
// engines use it too).
import { TRPCClientError } from "@trpc/client";

const SOMETHING_WENT_WRONG = "Something went wrong. Please try again.";
const UNREACHABLE = "The server could not be reached. Check your connection; we will keep trying.";

/**
 * The message to show for an error from any tRPC call. Only messages the server wrote for people (a tRPC error
 * with its `data`) are shown; a transport failure (no answer, a proxy's error page) gets plain words instead.
 */
export function errorMessage(error: unknown, fallback = SOMETHING_WENT_WRONG): string {
  if (error instanceof TRPCClientError) return error.data && error.message ? error.message : UNREACHABLE;
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}
