/** The message of an error for the user (tRPC errors carry the server's message). */
export function errorText(error: unknown, fallback = "Something went wrong. Please try again."): string {
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}
