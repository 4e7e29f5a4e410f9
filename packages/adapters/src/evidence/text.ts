/** Shortens text to the schema's limits, marking the cut; predicate fields have hard maxima. */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
