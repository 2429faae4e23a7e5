"use client";

// Last resort when the root layout itself fails: it replaces the whole document, so no Tailwind or providers.
export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", display: "grid", placeItems: "center", minHeight: "100dvh", margin: 0 }}>
        <main role="alert" style={{ maxWidth: 420, padding: 24, textAlign: "center" }}>
          <h1>Something went wrong</h1>
          <p>QualMeet could not load this page. Please try again in a moment.</p>
          <button type="button" onClick={() => reset()} style={{ padding: "8px 16px", fontSize: 16 }}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
