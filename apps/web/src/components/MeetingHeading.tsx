import type { ComponentProps } from "react";
import { StatusBadge } from "@/components/MyMeetings";

/** The meeting's title (the card's label, id "meeting-title") with its status badge. */
export function MeetingHeading({ title, status }: { title: string; status: ComponentProps<typeof StatusBadge>["status"] }) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-3">
      <h1 id="meeting-title" className="min-w-0 text-2xl font-bold tracking-tight break-words">
        {title}
      </h1>
      <StatusBadge status={status} />
    </div>
  );
}
