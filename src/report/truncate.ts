/** Shortens text for a person to read; machine output keeps the whole text. */
export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
