// What the signing window shows of the bytes to be signed: decoded from exactly those bytes (UTF-8, fatal, a BOM
// kept as a character), every character a person could not see or could mistake shown as a marked ⟨U+XXXX⟩, and
// long runs of blank lines collapsed into one counted line, so nothing can hide below or between the visible text.
// Lines are split at "\n" only, as a server's parser splits them: U+2028/U+2029 and a bare CR are marked, not drawn.

// Invisible, format, separator and look-alike space characters: controls (but "\n" and tab), format controls (bidi
// overrides, zero-width space/joiners, word joiner, invisible operators such as U+2063, soft hyphen, BOM, tags),
// line and paragraph separators, every space but U+0020, Hangul fillers, variation selectors, unassigned points.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Cn}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
const BLANK_RUN = 3; // this many blank lines in a row or more are shown as one counted line

const isInvisible = (ch) => ch !== '\n' && ch !== '\t' && ch !== ' ' && INVISIBLE.test(ch);
const codeOf = (ch) => `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

function lineNodes(line, counts) {
  const out = [];
  let run = '';
  for (const ch of line) {
    if (!isInvisible(ch)) { run += ch; continue; }
    if (run) { out.push(document.createTextNode(run)); run = ''; }
    const m = document.createElement('mark');
    m.className = 'invisible';
    m.textContent = `⟨${codeOf(ch)}⟩`;
    m.title = codeOf(ch);
    out.push(m);
    counts.marked++;
  }
  if (run) out.push(document.createTextNode(run));
  return out;
}

function blankLine(n) {
  const m = document.createElement('mark');
  m.className = 'blank-run';
  m.dataset.lines = String(n);
  m.textContent = `⟨${n} ⏎⟩`;
  return m;
}

// {text: false} for bytes that are not UTF-8 (the window shows hex); else {text: true, nodes, marked, blankRuns, blankLines}.
export function shownText(u8) {
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(u8); } catch (e) { return { text: false }; }
  const counts = { marked: 0, blankRuns: 0, blankLines: 0 };
  const lines = text.split('\n');
  const nodes = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j < lines.length && /^[ \t]*$/.test(lines[j]) && j < lines.length - 1) j++;
    if (j - i >= BLANK_RUN) {
      nodes.push(blankLine(j - i), document.createTextNode('\n'));
      counts.blankRuns++;
      counts.blankLines += j - i;
      i = j;
      continue;
    }
    nodes.push(...lineNodes(lines[i], counts));
    if (i < lines.length - 1) nodes.push(document.createTextNode('\n'));
    i++;
  }
  return { text: true, nodes, ...counts };
}
