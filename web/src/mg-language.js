// mg for CodeMirror 6: a stream tokenizer (highlighting, and the tokens that bracket
// matching reads) and the colours of its tokens. It follows grammar/mg.pest and the
// REPL's highlighter (src/repl.rs, highlight_line); tests/it/web.rs checks that the
// word lists below hold every keyword and builtin of src/ast.rs and src/interpreter.rs.
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';

// src/ast.rs KEYWORDS: they start statements or belong to the syntax.
export const KEYWORDS = [
  'grad', 'backward', 'zero_grad', 'check', 'print', 'show', 'topo', 'dot', 'explain', 'assert',
  'seed', 'plot', 'for', 'while', 'break', 'continue', 'in', 'if', 'else', 'fn', 'return',
  'and', 'or', 'not', 'true', 'false',
];

// src/interpreter.rs BUILTINS.
export const BUILTINS = [
  'tanh', 'exp', 'log', 'relu', 'sigmoid', 'sqrt', 'abs', 'sin', 'cos', 'pow', 'max', 'min',
  'len', 'sum', 'zip', 'range', 'uniform', 'mean', 'Neuron', 'Layer', 'MLP', 'parameters',
  'str', 'round', 'clock', 'derivative',
];

const keywords = new Set(KEYWORDS);
const builtins = new Set(BUILTINS);

const NAME = /^[\p{L}_][\p{L}\p{N}_]*/u;
// 12, 0.5, 1e-3, 2.5E+4; in 0..10 the dots belong to the range, not to the 0.
const NUMBER = /^\d+(?:\.(?!\.)\d*)?(?:[eE][+-]?\d+)?/;
const LEADING_DOT_NUMBER = /^\.\d+(?:[eE][+-]?\d+)?/;
const OPERATOR = /^(?:\*\*|\.\.|==|!=|<=|>=|~=|[-+*/%]=|[-+*/%^<>=])/;

const parser = {
  name: 'mg',
  startState: () => ({ afterDot: false, afterFn: false }),
  copyState: (state) => ({ ...state }),
  token(stream, state) {
    if (stream.eatSpace()) return null;
    const afterDot = state.afterDot;
    const afterFn = state.afterFn;
    state.afterDot = false;
    state.afterFn = false;
    if (stream.peek() === '#') {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('f"') || stream.match('"')) {
      let escaped = false;
      for (let ch = stream.next(); ch != null; ch = stream.next()) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') break;
      }
      return 'string';
    }
    if (stream.match(NUMBER)) return 'number';
    // .5 is a number where nothing before it could own an attribute: not x.5, not 0..5.
    const before = stream.string.slice(0, stream.pos);
    if (!/[\p{L}\p{N}_.)\]]$/u.test(before) && stream.match(LEADING_DOT_NUMBER)) return 'number';
    const name = stream.match(NAME);
    if (name) {
      const word = name[0];
      if (afterDot) return 'propertyName';
      if (word === 'true' || word === 'false') return 'bool';
      if (keywords.has(word)) {
        state.afterFn = word === 'fn';
        return 'keyword';
      }
      if (afterFn) return 'def';
      if (builtins.has(word)) return 'builtin';
      return 'variableName';
    }
    if (stream.match(OPERATOR)) return 'operator';
    const ch = stream.next();
    if ('()[]{}'.includes(ch)) return 'bracket';
    if (ch === '.') {
      state.afterDot = true;
      return 'punctuation';
    }
    return 'punctuation';
  },
  languageData: {
    commentTokens: { line: '#' },
    closeBrackets: { brackets: ['(', '[', '{', '"'] },
  },
};

export const mgLanguage = StreamLanguage.define(parser);

// The REPL's colours (keywords magenta, builtins blue, numbers cyan, strings green,
// comments grey), in tones that read on white.
export const mgHighlight = syntaxHighlighting(HighlightStyle.define([
  { tag: tags.keyword, color: '#8b2fa8', fontWeight: '600' },
  { tag: tags.bool, color: '#8b2fa8' },
  { tag: tags.standard(tags.variableName), color: '#1f5fbf' },
  { tag: tags.definition(tags.variableName), color: '#b35900' },
  { tag: tags.number, color: '#0b7f86' },
  { tag: tags.string, color: '#2e7d32' },
  { tag: tags.comment, color: '#7a7a7a', fontStyle: 'italic' },
  { tag: tags.propertyName, color: '#6a4c00' },
  { tag: tags.operator, color: '#555' },
]));
