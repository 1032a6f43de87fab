// Entry point bundled by build.sh (esbuild, ESM, minified) into
// grader/web/static/vendor/codemirror/editor.bundle.js. Pages import it with
//   import {createEditor, highlightPython} from "/static/vendor/codemirror/editor.bundle.js";
// from an external module script (the CSP allows no inline scripts).
//
// Content-Security-Policy: CodeMirror's styles come from style-mod, which
// writes them into a <style> element when mounted in a Document (blocked by
// `style-src 'self'`) but into a constructed stylesheet adopted by the root
// when mounted in a ShadowRoot (CSSOM, which CSP does not restrict). So every
// editor lives in an open shadow root on a host <div class="cm-host"> that
// this module appends to `parent`; no nonce, no 'unsafe-inline'. Page CSS
// cannot reach inside the shadow root (inherited properties such as font and
// colour still do): size the editor by styling `.cm-host` (e.g. a height or
// max-height; the editor fills it and scrolls), change its look here.

import {EditorState, Compartment} from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, dropCursor, rectangularSelection, crosshairCursor,
} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {
  indentUnit, indentOnInput, bracketMatching, foldGutter, foldKeymap,
  syntaxHighlighting, HighlightStyle,
} from "@codemirror/language";
import {tags as t} from "@lezer/highlight";
import {search, searchKeymap, highlightSelectionMatches} from "@codemirror/search";
import {autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap} from "@codemirror/autocomplete";
import {python} from "@codemirror/lang-python";

const theme = EditorView.theme({
  "&": {height: "100%", backgroundColor: "#fff", color: "#1e1e1e"},
  "&.cm-focused": {outline: "2px solid #1a5fb4", outlineOffset: "-2px"},
  ".cm-scroller": {
    overflow: "auto",
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    lineHeight: "1.5",
  },
});

// CodeMirror's defaultHighlightStyle with the colours that fall below WCAG AA
// contrast (4.5:1) on white darkened: special strings/escapes (#e40, 3.9:1),
// invalid (#f00, 4.0:1), type names (#085, 4.5:1). All others are >= 5.5:1.
const highlightStyle = HighlightStyle.define([
  {tag: t.meta, color: "#404740"},
  {tag: t.link, textDecoration: "underline"},
  {tag: t.heading, textDecoration: "underline", fontWeight: "bold"},
  {tag: t.emphasis, fontStyle: "italic"},
  {tag: t.strong, fontWeight: "bold"},
  {tag: t.strikethrough, textDecoration: "line-through"},
  {tag: t.keyword, color: "#708"},
  {tag: [t.atom, t.bool, t.url, t.contentSeparator, t.labelName], color: "#219"},
  {tag: [t.literal, t.inserted], color: "#164"},
  {tag: [t.string, t.deleted], color: "#a11"},
  {tag: [t.regexp, t.escape, t.special(t.string)], color: "#b33c00"},
  {tag: t.definition(t.variableName), color: "#00f"},
  {tag: t.local(t.variableName), color: "#30a"},
  {tag: [t.typeName, t.namespace], color: "#075"},
  {tag: t.className, color: "#167"},
  {tag: [t.special(t.variableName), t.macroName], color: "#256"},
  {tag: t.definition(t.propertyName), color: "#00c"},
  {tag: t.comment, color: "#940"},
  {tag: t.invalid, color: "#c00"},
]);

// Common to the editor and the read-only view.
const common = [
  lineNumbers(),
  highlightSpecialChars(),
  python(),
  syntaxHighlighting(highlightStyle),
  bracketMatching(),
  EditorState.tabSize.of(4),
  indentUnit.of("    "),
  theme,
];

// Tab / Shift-Tab indent and dedent (indentWithTab). CodeMirror's own escape
// hatch keeps keyboard users from being trapped: Escape then Tab (within 2 s)
// moves focus out, and Ctrl-M (Shift-Alt-M on macOS) toggles Tab-moves-focus.
const editing = [
  highlightActiveLineGutter(),
  highlightActiveLine(),
  foldGutter(),
  history(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  closeBrackets(),
  autocompletion(),
  rectangularSelection(),
  crosshairCursor(),
  highlightSelectionMatches(),
  search({top: true}),
  keymap.of([
    ...closeBracketsKeymap,
    ...defaultKeymap,
    ...searchKeymap,
    ...historyKeymap,
    ...foldKeymap,
    ...completionKeymap,
    indentWithTab,
  ]),
];

function mount(parent, state) {
  if (!(parent instanceof HTMLElement)) throw new TypeError("parent must be an HTMLElement");
  const host = document.createElement("div");
  host.className = "cm-host";
  parent.appendChild(host);
  const root = host.attachShadow({mode: "open"});
  const view = new EditorView({state, parent: root, root});
  return {host, view};
}

function handle(host, view, setReadOnly) {
  return {
    getText: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: String(text ?? "")}});
    },
    setReadOnly,
    focus: () => view.focus(),
    destroy() {
      view.destroy();
      host.remove();
    },
  };
}

/**
 * A Python editor appended to `parent` (inside a shadow-root host div).
 * options: doc (initial text), readOnly (default false: when true the text can
 * still be focused, selected and searched, not changed), onChange(text) (after
 * every change of the text, setText included), label (aria-label of the
 * editable element, default "Python code editor").
 * Returns {getText(), setText(text), setReadOnly(bool), focus(), destroy()}.
 */
export function createEditor(parent, {doc = "", readOnly = false, onChange, label = "Python code editor"} = {}) {
  const readOnlyCompartment = new Compartment();
  const extensions = [
    common,
    editing,
    readOnlyCompartment.of(EditorState.readOnly.of(!!readOnly)),
    EditorView.contentAttributes.of({"aria-label": label}),
  ];
  if (typeof onChange === "function") {
    extensions.push(EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc.toString());
    }));
  }
  const {host, view} = mount(parent, EditorState.create({doc: String(doc), extensions}));
  return handle(host, view, (on) => {
    view.dispatch({effects: readOnlyCompartment.reconfigure(EditorState.readOnly.of(!!on))});
  });
}

/**
 * A read-only, highlighted view of `text` appended to `parent`. It is
 * focusable (tabindex 0) so keyboard users can scroll and select it.
 * Returns the same handle as createEditor; its setReadOnly does nothing.
 */
export function highlightPython(parent, text, {label = "Python code"} = {}) {
  const extensions = [
    common,
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.contentAttributes.of({"aria-label": label, tabindex: "0"}),
  ];
  const {host, view} = mount(parent, EditorState.create({doc: String(text ?? ""), extensions}));
  return handle(host, view, () => {});
}
