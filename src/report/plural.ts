/** "1 home", "2 homes", "1 retry", "3 retries"; `show` formats the number (default as is). */
export function plural(value: number, word: string, show: (value: number) => string = String): string {
  if (value === 1) return `${show(value)} ${word}`;
  return `${show(value)} ${word.endsWith('y') && !/[aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}
