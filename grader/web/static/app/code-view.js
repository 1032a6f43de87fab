// Highlights submitted code read-only (CodeMirror, inside a shadow root: CSP-safe). Each
// <pre data-highlight> is replaced by a focusable view of the same text; without this
// script the <pre> stays, as plain text.
import {highlightPython} from "/static/vendor/codemirror/editor.bundle.js";

for (const pre of document.querySelectorAll("pre[data-highlight]")) {
  const holder = document.createElement("div");
  holder.className = "code-view";
  pre.replaceWith(holder);
  const label = pre.closest("[role=tabpanel]")?.getAttribute("aria-labelledby");
  const name = label ? document.getElementById(label)?.textContent : "";
  highlightPython(holder, pre.textContent, {label: name ? `Code of ${name}` : "Python code"});
}
