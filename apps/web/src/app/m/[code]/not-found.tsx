import { MeetingNotFound } from "@/components/MeetingNotFound";

export default function NotFound() {
  return <MeetingNotFound />;
}
