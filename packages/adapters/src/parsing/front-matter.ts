export interface FrontMatterSplit {
  yaml: string;
  body: string;
  /** Lines before the YAML starts (the opening fence), to report YAML errors at their place in the file. */
  yamlLineOffset: number;
}

const fenced = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/** Splits a Markdown file that starts with a `---` fenced YAML block. */
export function splitFrontMatter(text: string): FrontMatterSplit | undefined {
  const match = fenced.exec(text);
  if (!match) return undefined;
  return { yaml: match[1] ?? '', body: text.slice(match[0].length), yamlLineOffset: 1 };
}
