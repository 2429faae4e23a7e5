"use client";
// What an admin does to an account from its page: the admin role, signing it out everywhere, a random-chat ban.
import { useId } from "react";
import { trpc } from "@/lib/trpc";
import { ReasonAction } from "./ReasonAction";

/** Ban lengths offered (minutes; null: until an admin lifts it). */
const BAN_LENGTHS = [
  { label: "1 hour", minutes: 60 },
  { label: "1 day", minutes: 60 * 24 },
  { label: "7 days", minutes: 60 * 24 * 7 },
  { label: "30 days", minutes: 60 * 24 * 30 },
  { label: "Until lifted", minutes: null },
] as const;

export function UserActions({ user }: { user: { id: string; name: string; role: "USER" | "ADMIN"; isGuest: boolean } }) {
  const client = trpc.useUtils().client;
  const lengthId = useId();
  const makeAdmin = user.role !== "ADMIN";
  return (
    <div className="flex flex-col gap-4">
      {makeAdmin && user.isGuest ? null : (
        <ReasonAction
          label={makeAdmin ? "Make administrator" : "Remove administrator role"}
          confirmLabel={makeAdmin ? `Make ${user.name} an administrator` : `Remove ${user.name}'s administrator role`}
          doneMessage="Role changed."
          run={(reason) => client.admin.users.setRole.mutate({ userId: user.id, role: makeAdmin ? "ADMIN" : "USER", reason })}
        />
      )}
      <ReasonAction
        label="Sign out everywhere"
        confirmLabel={`Sign ${user.name} out everywhere`}
        doneMessage="Signed out on every device and open page."
        run={(reason) => client.admin.users.signOutEverywhere.mutate({ userId: user.id, reason })}
      />
      <ReasonAction
        label="Ban from random chat"
        confirmLabel={`Ban ${user.name}`}
        danger
        doneMessage="Banned from random chat."
        run={(reason, form) => {
          const choice = BAN_LENGTHS[Number(form.get("length") ?? 0)] ?? BAN_LENGTHS[0];
          return client.admin.users.ban.mutate({ userId: user.id, reason, durationMinutes: choice.minutes });
        }}
      >
        <div>
          <label htmlFor={lengthId} className="field-label">
            Ban length
          </label>
          <select id={lengthId} name="length" className="field-input" defaultValue="1">
            {BAN_LENGTHS.map((length, index) => (
              <option key={length.label} value={index}>
                {length.label}
              </option>
            ))}
          </select>
        </div>
      </ReasonAction>
    </div>
  );
}
