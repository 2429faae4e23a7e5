import { MessagePage } from "@/components/MessagePage";

export default function Forbidden() {
  return (
    <MessagePage title="Access denied">
      <p className="mt-2 text-slate-600">You need to be an administrator to see this page.</p>
    </MessagePage>
  );
}
