"use client";
// An admin ends a live meeting, or removes someone from it, as its host would (the server has the meeting's node do it).
import { trpc } from "@/lib/trpc";
import { ReasonAction } from "./ReasonAction";

export function EndMeetingAction({ meeting }: { meeting: { id: string; title: string } }) {
  const client = trpc.useUtils().client;
  return (
    <ReasonAction
      label="End meeting"
      accessibleLabel={`End meeting ${meeting.title}`}
      confirmLabel={`End ${meeting.title} for everyone`}
      danger
      doneMessage="Meeting ended."
      run={(reason) => client.admin.meetings.end.mutate({ meetingId: meeting.id, reason })}
    />
  );
}

export function RemoveParticipantAction({ meeting, person }: { meeting: { id: string; title: string }; person: { userId: string; displayName: string } }) {
  const client = trpc.useUtils().client;
  return (
    <ReasonAction
      label="Remove"
      accessibleLabel={`Remove ${person.displayName} from ${meeting.title}`}
      confirmLabel={`Remove ${person.displayName}`}
      danger
      doneMessage="Removed: they cannot rejoin on this link."
      run={(reason) => client.admin.meetings.removeParticipant.mutate({ meetingId: meeting.id, userId: person.userId, reason })}
    />
  );
}
