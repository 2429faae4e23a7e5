// The context the examples run in (examples/context.ts), built on a web app and realtime node a test started.
import { createDb } from "@qualmeet/db";
import type { ExampleContext } from "../../examples/context.ts";
import { newUser, webClient } from "./clients.ts";
import type { RealtimeServer, WebServer } from "./servers.ts";

export function exampleContext(web: Pick<WebServer, "url">, node: Pick<RealtimeServer, "wsUrl">, log: (line: string) => void = () => {}): ExampleContext {
  return {
    webUrl: web.url,
    realtimeUrl: node.wsUrl,
    log,
    async newPerson(name, options = {}) {
      const user = await newUser(web.url, name);
      if (options.admin) {
        const db = createDb(process.env.DATABASE_URL!);
        try {
          await db.user.update({ where: { id: user.id }, data: { role: "ADMIN" } });
        } finally {
          await db.$disconnect();
        }
      }
      return {
        id: user.id,
        cookie: user.cookie,
        async token(scopes) {
          const expiresAt = new Date(Date.now() + 86_400_000);
          const created = await webClient(web.url, user.cookie).apiTokens.create.mutate({ name: `${name} example`, scopes, expiresAt });
          return created.secret;
        },
      };
    },
  };
}
