// Highlights submitted code read-only (CodeMirror, inside a shadow root: CSP-safe). Each
// <pre data-highlight> is replaced by a focusable view of the same text; without this
// script the <pre> stays, as plain text.
import {highlightPython} from "/static/vendor/codemirror/editor.bundle.js";

for (const pre of document.querySelectorAll("pre[data-highlight]")) {
  // The file's name, from the tab that labels the panel (read before the <pre> leaves the page).
  const label = pre.closest("[role=tabpanel]")?.getAttribute("aria-labelledby");
  const name = label ? document.getElementById(label)?.textContent : "";
  const holder = document.createElement("div");
  holder.className = "code-view";
  pre.replaceWith(holder);
  highlightPython(holder, pre.textContent, {label: name ? `Code of ${name}` : "Python code"});
}
