/** Input a mine cannot start from (a missing home, an output it cannot trust): one line, a usage error in the CLI. */
export class MineInputError extends Error {
  override name = 'MineInputError';
}
