// Text from a task (its result, error, logs, request URLs, build errors naming its imports) is
// made inert before the CLI prints it: control characters — ESC and the C1 controls that start
// terminal sequences (clear screen, OSC 52 clipboard writes, cursor moves that forge a "✔"),
// carriage returns, bells — and the bidi overrides that reorder what is shown become visible
// escapes like \x1b or \u202e. Newlines and tabs stay where a multi-line text is expected.

// C0 (without \t and \n), DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
const UNSAFE_OR_BREAK = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function escapeChar(char: string): string {
  const code = char.charCodeAt(0)
  if (char === '\n') return '\\n'
  if (char === '\r') return '\\r'
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** `multiline`: keep \n and \t (a result, an error's message); else one line (a log, a URL). */
export function terminalSafe(text: string, multiline = false): string {
  return text.replace(multiline ? UNSAFE : UNSAFE_OR_BREAK, escapeChar)
}
