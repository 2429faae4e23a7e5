import { splitLinks } from "@/lib/chat/links";

/** A message body: web addresses as links opening in a new tab, everything else as plain text. */
export function MessageText({ text, className }: { text: string; className?: string }) {
  return (
    <p className={`break-words whitespace-pre-wrap ${className ?? ""}`}>
      {splitLinks(text).map((part, i) =>
        part.kind === "link" ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer" className="link break-all">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}
