/**
 * Reads a secret (an account password) from the console without echoing it. Resolves to null when
 * stdin is not an interactive console (a script or a pipe), so the caller can say how else to
 * pass it. The secret is never written anywhere.
 */
export function promptSecret(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.resolve(null);
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let secret = '';
    const finish = (value: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(secret);
        if (ch === '\u0003') return finish(null); // Ctrl+C
        if (ch === '\b' || ch === '\u007f') secret = secret.slice(0, -1);
        else if (ch >= ' ') secret += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
