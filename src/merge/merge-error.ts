/**
 * Why a merge cannot go on. `input`: a file is missing or is not what it should be (exit 2);
 * `shards`: the files are fine but are not one whole job, each shard once (exit 1).
 */
export class MergeError extends Error {
  override name = 'MergeError';
  readonly kind: 'input' | 'shards';

  constructor(message: string, kind: 'input' | 'shards') {
    super(message);
    this.kind = kind;
  }
}
