import { MessagePage } from "@/components/MessagePage";

export default function NotFound() {
  return (
    <MessagePage title="Page not found">
      <p className="mt-2 text-slate-600">There is nothing at this address. Check the link, or start again from the home page.</p>
    </MessagePage>
  );
}
