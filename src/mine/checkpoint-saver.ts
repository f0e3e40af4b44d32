import { saveCheckpoint, type MineCheckpoint } from './checkpoint.js';

/**
 * Saves the checkpoint whenever asked, never two writes at once, always the latest state:
 * homes commit pages concurrently, and an older state must never overwrite a newer one.
 */
export class CheckpointSaver {
  readonly #file: string | undefined;
  readonly #read: () => Omit<MineCheckpoint, 'updatedAt'>;
  #saving: Promise<void> | undefined;
  #dirty = false;

  /** @param file where to save; undefined to save nothing (output to stdout) */
  constructor(file: string | undefined, read: () => Omit<MineCheckpoint, 'updatedAt'>) {
    this.#file = file;
    this.#read = read;
  }

  /** Resolves once a save that includes the state as of now is done. */
  async save(): Promise<void> {
    if (this.#file === undefined) return;
    this.#dirty = true;
    while (this.#dirty) {
      if (this.#saving !== undefined) {
        await this.#saving;
        continue;
      }
      this.#dirty = false;
      this.#saving = saveCheckpoint(this.#file, this.#read()).finally(() => (this.#saving = undefined));
      await this.#saving;
    }
  }
}
