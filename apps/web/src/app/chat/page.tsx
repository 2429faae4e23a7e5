import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand } from "@/components/Brand";
import { ChatApp } from "@/components/chat/ChatApp";
import { currentUser } from "@/server/session";

export const metadata: Metadata = { title: "Chat" };

export default async function ChatPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await currentUser();
  const open = (await searchParams).c;
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(typeof open === "string" ? `/chat?c=${open}` : "/chat")}`);
  if (user.isGuest) {
    return (
      <>
        <Brand />
        <main className="card">
          <h1 className="text-2xl font-bold tracking-tight">Chat</h1>
          <p className="mt-2 text-slate-600">
            Guests can chat inside the meetings they join.{" "}
            <Link href="/register" className="link">
              Create an account
            </Link>{" "}
            to message people directly.
          </p>
        </main>
      </>
    );
  }
  return (
    // wider than the site's column: the list and the conversation side by side
    <div className="relative left-1/2 w-[min(76rem,calc(100vw-2rem))] -translate-x-1/2">
      <Brand />
      <ChatApp me={{ id: user.id, name: user.name, isGuest: false }} initialOpenId={typeof open === "string" ? open : null} />
    </div>
  );
}
