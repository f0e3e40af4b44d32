import { open } from 'node:fs/promises';
import { constants } from 'node:fs';

/**
 * Where the token a WebSocket server wants comes from: a file, never the command line (where
 * `ps` and shell history would show it). Both codex auth modes take it as `Authorization:
 * Bearer`: a capability token (`--ws-auth capability-token`) or a signed JWT
 * (`--ws-auth signed-bearer-token`).
 */
export interface TokenSource {
  /** The flag it came from, for messages. */
  flag: string;
  file: string;
}

/** A token file that cannot be used; the message never holds the token. */
export class TokenFileError extends Error {}

/** Larger than any token: a file this big is not one. */
const MAX_TOKEN_BYTES = 16 * 1024;

/**
 * Reads the token: the file's content, trimmed (as codex reads its own token file). It is read
 * again at every (re)connect, so a token rotated in place is picked up.
 */
export async function readToken(source: TokenSource): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: a FIFO given by mistake must not hang the open.
    handle = await open(source.file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'cannot be read';
    throw new TokenFileError(`${source.flag} ${source.file}: ${why}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new TokenFileError(`${source.flag} ${source.file}: not a regular file`);
    if (stat.size > MAX_TOKEN_BYTES) throw new TokenFileError(`${source.flag} ${source.file}: ${stat.size} bytes is too large for a token`);
    const token = (await handle.readFile('utf8')).trim();
    if (token.length === 0) throw new TokenFileError(`${source.flag} ${source.file}: the file is empty`);
    if (/[\r\n]/.test(token)) throw new TokenFileError(`${source.flag} ${source.file}: holds more than one line`);
    return token;
  } finally {
    await handle.close();
  }
}
