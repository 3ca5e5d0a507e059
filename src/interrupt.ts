/**
 * One SIGINT handler for the whole CLI: by default Ctrl-C says nothing was changed; a command that is in the
 * middle of changing things installs its own message (what is done, how to finish) for that stretch.
 */
type Handler = () => void;

const stack: Handler[] = [];

export function installInterruptHandler(fallback: Handler): void {
  process.on("SIGINT", () => {
    (stack[stack.length - 1] ?? fallback)();
  });
}

/** While `handler` is installed, Ctrl-C runs it instead of the default; call the result to remove it. */
export function whileInterrupted(handler: Handler): () => void {
  stack.push(handler);
  return () => {
    const i = stack.lastIndexOf(handler);
    if (i >= 0) stack.splice(i, 1);
  };
}
