/**
 * What the browser test, the web bench and the screenshot tool share: finding a Chromium, and serving the
 * built app on a free port.
 *
 * @module
 */
const root = new URL("../", import.meta.url);

/**
 * A Chromium to drive: `$CHROMIUM`, else Debian's.
 *
 * @returns its path, or `undefined` when there is none
 */
export function findChromium(): string | undefined {
  const candidates = [Deno.env.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((path) => {
    if (path === undefined) return false;
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/**
 * Start `web/serve.ts` on a free port (the app must be built).
 *
 * @returns its URL and a way to stop it
 */
export async function serveDist(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-net=127.0.0.1", "web/serve.ts", "--port", "0"],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/http:\/\/\S+\//.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`web/serve.ts exited: ${text}`);
    text += value;
  }
  return {
    url: text.match(/http:\/\/\S+\//)![0],
    stop: async () => {
      child.kill();
      await reader.cancel();
      await child.status;
    },
  };
}
