"use client";

import { useParams } from "next/navigation";
import { MessagePage } from "@/components/MessagePage";

export function MeetingNotFound() {
  const params = useParams<{ code?: string }>();
  let code = "";
  try {
    code = decodeURIComponent(params?.code ?? "");
  } catch {
    code = params?.code ?? "";
  }
  return (
    <MessagePage
      title={
        <>
          No meeting with code <span className="font-mono break-all">{code}</span>
        </>
      }
    >
      <p className="mt-2 text-sm text-slate-600">Check the code or link you were given. A meeting code has 8 letters and digits, like abcd2345.</p>
    </MessagePage>
  );
}
