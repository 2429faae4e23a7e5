// What `npm run examples` (and the examples' integration test) hands each example's `verify`: a running web app and
// realtime node, and a way to make people with tokens, as a developer who signed up would have.
import type { ApiTokenScope } from "@qualmeet/api/api-token-scopes";

export interface ExamplePerson {
  id: string;
  /** the session cookie header ("name=value; ..."), for what only a signed-in page may do */
  cookie: string;
  /** a new API token (`qm_...`) of this person with these scopes, valid for a day */
  token(scopes: ApiTokenScope[]): Promise<string>;
}

export interface ExampleContext {
  /** the web app, e.g. http://localhost:3000 */
  webUrl: string;
  /** the realtime node's WebSocket URL, e.g. ws://localhost:3001 */
  realtimeUrl: string;
  /** a new registered person; `admin` makes them an administrator */
  newPerson(name: string, options?: { admin?: boolean }): Promise<ExamplePerson>;
  /** a line for the runner's output ("  [name] ...") */
  log(line: string): void;
}

/**
 * One example: `verify` runs the example's program as a developer would (a child process with the environment its
 * README names) and throws, saying what was missing, unless the program did its job. It returns a one-line summary.
 */
export interface Example {
  name: string;
  verify(context: ExampleContext): Promise<string>;
}
