/** The "Examples:" block every command's help ends with (README promises one everywhere). */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}
