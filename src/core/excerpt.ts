/**
 * Text from the data, cut to a short excerpt wherever it is echoed (messages, stderr,
 * validation.json, kpis.json, the email): a 50 MB cell must not become a 50 MB message.
 * Control characters are shown as escapes, so a cell cannot break a line of output.
 */

/** About 80 characters: enough to recognise a value, short enough for one line. */
export const EXCERPT_CHARACTERS = 80;

export function excerpt(text: string, max = EXCERPT_CHARACTERS): string {
  // Code points, not UTF-16 units: a cut never splits a character in two.
  const characters = Array.from(text.length > max * 2 + 8 ? text.slice(0, max * 2 + 8) : text);
  const visible = characters.map(escapeControl);
  if (characters.length <= max && visible.every((part, i) => part === characters[i])) return text;
  // One per character; an escape counts its own length.
  const widthOf = (i: number) => (visible[i] === characters[i] ? 1 : (visible[i] as string).length);
  let length = 0;
  let cut = 0;
  while (cut < visible.length && length + widthOf(cut) <= max) {
    length += widthOf(cut);
    cut++;
  }
  const shortened = cut < visible.length || text.length > characters.join('').length;
  return `${visible.slice(0, cut).join('')}${shortened ? `… (${text.length} characters)` : ''}`;
}

function escapeControl(character: string): string {
  const code = character.codePointAt(0) as number;
  if (code >= 0x20 && code !== 0x7f) return character;
  if (character === '\n') return '\\n';
  if (character === '\r') return '\\r';
  if (character === '\t') return '\\t';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
