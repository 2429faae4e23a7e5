import type { Metadata, Viewport } from "next";
import localFont from "next/font/local";
import { env } from "@qualmeet/config";
import type { ReactNode } from "react";
import { Providers } from "@/components/Providers";
import { ChatGlobal } from "@/components/chat/ChatGlobal";
import { currentUser } from "@/server/session";
import "./globals.css";

const inter = localFont({
  src: "../../../../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2",
  variable: "--font-inter",
  weight: "100 900",
  display: "swap",
});

export const metadata: Metadata = {
  title: { default: "QualMeet", template: "%s · QualMeet" },
  description: "Self-hostable video meetings and chat",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // accounts get incoming calls and message toasts on every page; a page still renders when this fails
  const user = await currentUser().catch(() => null);
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-dvh font-sans">
        <Providers>
          <div className="mx-auto flex min-h-dvh w-full max-w-3xl flex-col px-4 py-8 sm:py-12">{children}</div>
          {user && !user.isGuest ? <ChatGlobal realtimeUrl={env.REALTIME_PUBLIC_URL} userId={user.id} userName={user.name} /> : null}
        </Providers>
      </body>
    </html>
  );
}
