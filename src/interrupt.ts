/**
 * One SIGINT handler for the whole CLI, installed by cli.ts: by default Ctrl-C says nothing was changed; a command
 * that is in the middle of changing things installs its own handler for that stretch. A handler returns the message
 * the process ends with (exit 130, cli.ts ends it), or undefined when it dealt with Ctrl-C itself (a watch it
 * stopped, a child that got the signal too).
 */
type Handler = () => string | undefined;

const NOTHING_CHANGED = "Interrupted; nothing was changed.";

const stack: Handler[] = [];

/** What Ctrl-C means now: the message to end with, or undefined to go on. */
export function interruptNow(): string | undefined {
  const handler = stack[stack.length - 1];
  return handler ? handler() : NOTHING_CHANGED;
}

/** While `handler` is installed, Ctrl-C runs it instead of the default; call the result to remove it. */
export function whileInterrupted(handler: Handler): () => void {
  stack.push(handler);
  return () => {
    const i = stack.lastIndexOf(handler);
    if (i >= 0) stack.splice(i, 1);
  };
}
