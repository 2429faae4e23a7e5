/** Marks a participant that is a bot (a program joined through bot.join), in the participant list and on its tile. */
export function BotBadge() {
  return (
    <span className="ml-1.5 rounded bg-amber-500/30 px-1.5 py-0.5 text-xs text-amber-100" title="A bot: a program in this meeting, not a person">
      Bot
    </span>
  );
}
