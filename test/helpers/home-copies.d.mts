/** One copy made by {@link copyRollouts}: its thread id, the template's, and how far its times moved. */
export interface RolloutCopy {
  id: string;
  template: string;
  shiftMs: number;
}

export function uuidv7(ms: number): string;
export function rolloutsOf(home: string): Promise<Array<{ id: string; file: string }>>;
export function copyRollouts(options: { from: string; to: string; count: number; startMs?: number; stepMs?: number; slim?: boolean }): Promise<RolloutCopy[]>;
export function hasSqlite3(): Promise<boolean>;
export function copyHistory(options: { from: string; to: string; copies: readonly RolloutCopy[] }): Promise<void>;
