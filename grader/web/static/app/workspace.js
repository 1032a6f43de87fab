// The coding workspace: a CodeMirror editor per file (tabs: add, rename, delete), drafts
// saved on the server as the candidate types (debounced; restored from the server on reload or
// in another browser), submission with live results, and the coarse activity signals the
// landing page announces (large pastes, focus lost/regained, seconds active).
import {createEditor} from "/static/vendor/codemirror/editor.bundle.js";
import {csrfToken, readOnly, selectTab} from "/static/app/common.js";

const data = JSON.parse(document.getElementById("workspace-data").textContent);
const position = data.position;
const api = `/api/v1/invitation/items/${position}`;
const files = new Map(Object.entries(data.files));
let revision = data.revision;
let current = files.has("main.py") ? "main.py" : [...files.keys()][0];
let locked = document.getElementById("submit").disabled;

const tabs = document.getElementById("file-tabs");
const holder = document.getElementById("editor");
const saveStatus = document.getElementById("save-status");
const submitStatus = document.getElementById("submit-status");
const submitButton = document.getElementById("submit");
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\.(py|txt|json|toml|cfg|ini|md)$/;

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrfToken()},
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let payload = null;
  try { payload = await response.json(); } catch { payload = null; }
  return {ok: response.ok, status: response.status, body: payload};
}

// ---- the editor and its tabs -------------------------------------------------------------

const editor = createEditor(holder, {
  doc: files.get(current) ?? "",
  readOnly: locked,
  label: `Code of ${current}`,
  onChange(text) {
    if (files.get(current) === text) return;
    files.set(current, text);
    scheduleSave();
  },
});

function renderTabs() {
  tabs.replaceChildren();
  for (const name of [...files.keys()].sort((a, b) => (a === "main.py" ? -1 : b === "main.py" ? 1 : a.localeCompare(b)))) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.id = `file-tab-${[...files.keys()].indexOf(name)}`;
    tab.setAttribute("aria-selected", name === current ? "true" : "false");
    tab.tabIndex = name === current ? 0 : -1;
    tab.textContent = name; // a file name is text, never markup
    tab.addEventListener("click", () => open(name));
    tabs.appendChild(tab);
  }
  holder.setAttribute("aria-label", `Editing ${current}`);
}

function open(name) {
  const tabHadFocus = tabs.contains(document.activeElement); // arrow keys move between tabs
  current = name;
  editor.setText(files.get(name) ?? "");
  renderTabs(); // new buttons: the focus must follow to the new one
  const tab = [...tabs.children].find((t) => t.textContent === name);
  if (tab) {
    selectTab(tab);
    if (tabHadFocus) tab.focus();
  }
}

// ---- add, rename, delete files -----------------------------------------------------------

const nameForm = document.getElementById("name-form");
const nameInput = document.getElementById("file-name");
const nameLabel = document.getElementById("name-label");
const nameError = document.getElementById("name-error");
let naming = null; // "add" or "rename"

function askName(mode) {
  if (locked) return;
  naming = mode;
  nameLabel.textContent = mode === "add" ? "New file name" : `New name for ${current}`;
  nameInput.value = mode === "add" ? "" : current;
  nameError.textContent = "";
  nameForm.hidden = false;
  nameInput.focus();
}

function nameProblem(name) {
  if (!NAME_RE.test(name) || name.split("/").some((p) => p === "." || p === "..")) {
    return "Use a relative path of letters, digits, _ - . and / ending in .py, .txt, .json, .toml, .cfg, .ini or .md.";
  }
  if (files.has(name)) return `${name} exists already.`;
  if (naming === "add" && files.size >= data.max_files) return `At most ${data.max_files} files.`;
  return "";
}

nameForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  const problem = nameProblem(name);
  if (problem) {
    nameError.textContent = problem;
    return;
  }
  if (naming === "add") {
    files.set(name, "");
  } else {
    const text = files.get(current);
    files.delete(current);
    files.set(name, text);
  }
  nameForm.hidden = true;
  open(name);
  scheduleSave();
  editor.focus();
});
document.getElementById("name-cancel").addEventListener("click", () => { nameForm.hidden = true; });
document.getElementById("add-file").addEventListener("click", () => askName("add"));
document.getElementById("rename-file").addEventListener("click", () => askName("rename"));
document.getElementById("delete-file").addEventListener("click", () => {
  if (locked) return;
  if (files.size <= 1) {
    saveStatus.textContent = "A submission needs at least one file.";
    return;
  }
  if (!window.confirm(`Delete ${current}?`)) return;
  files.delete(current);
  open(files.has("main.py") ? "main.py" : [...files.keys()][0]);
  scheduleSave();
});

// ---- drafts ------------------------------------------------------------------------------

let saveTimer = null;
let saving = Promise.resolve();

// Until the server has them, the changes are also kept in this tab's sessionStorage: a reload
// right after typing (before the save, or while its request races the new page's) gets them
// back (recover below). Another browser gets what the server has.
const backupKey = `grader-draft:${data.invitation}:${position}`;

function backup() {
  try {
    sessionStorage.setItem(backupKey, JSON.stringify({files: Object.fromEntries(files), revision}));
  } catch { /* storage full or disabled: the server copy is all there is */ }
}

function dropBackup() {
  try { sessionStorage.removeItem(backupKey); } catch { /* nothing kept */ }
}

function scheduleSave() {
  if (locked) return;
  saveStatus.textContent = "Unsaved changes…";
  backup();
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => { saving = save(); }, 800);
}

function sameFiles(a, b) {
  const key = (o) => JSON.stringify(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
  return key(a) === key(b);
}

function adopt(copy, rev) {
  files.clear();
  for (const [name, text] of Object.entries(copy)) files.set(name, text);
  revision = rev;
  open(files.has("main.py") ? "main.py" : [...files.keys()][0]);
}

/** Changes this tab made but the page was served without: take them back, unless the draft
 * was changed elsewhere since (then the server's copy wins). */
async function recover() {
  let kept = null;
  try { kept = JSON.parse(sessionStorage.getItem(backupKey) ?? "null"); } catch { kept = null; }
  if (!kept || locked) return;
  const fresh = await call("GET", `${api}/draft`);
  if (!fresh.ok) return;
  const server = fresh.body;
  if (server.files && sameFiles(server.files, kept.files)) {
    // the last save arrived after the page was served
    if (server.revision !== revision) adopt(server.files, server.revision);
    saveStatus.textContent = "Draft saved on the server.";
    dropBackup();
  } else if ((server.revision ?? null) === (kept.revision ?? null)) {
    adopt(kept.files, server.revision);
    scheduleSave();
  } else {
    if (server.files) adopt(server.files, server.revision);
    dropBackup();
  }
}

async function save() {
  saveTimer = null;
  const body = {files: Object.fromEntries(files), base_revision: revision ?? undefined};
  const answer = await call("PUT", `${api}/draft`, body);
  const stored = (rev) => {
    revision = rev;
    saveStatus.textContent = `Draft saved at ${new Date().toLocaleTimeString()}.`;
    if (saveTimer === null) dropBackup(); else backup(); // newer changes wait for their turn
  };
  if (answer.ok) {
    stored(answer.body.revision);
  } else if (answer.status === 409 && /revision/.test(answer.body?.detail ?? "")) {
    // The same files may have got there first (the previous page's last save, sent as it
    // closed): then nothing was lost.
    const fresh = await call("GET", `${api}/draft`);
    if (fresh.ok && fresh.body.files && sameFiles(fresh.body.files, body.files)) {
      stored(fresh.body.revision);
    } else {
      saveStatus.textContent = "This draft was changed in another window: reload the page to get the latest.";
    }
  } else if (answer.status === 409) {
    lock(answer.body?.detail);
  } else {
    saveStatus.textContent = `Not saved: ${answer.body?.detail ?? `error ${answer.status}`}`;
  }
}

// A closing tab sends what is unsaved.
window.addEventListener("pagehide", () => {
  if (saveTimer === null || locked) return;
  clearTimeout(saveTimer);
  fetch(`${api}/draft`, {
    method: "PUT",
    keepalive: true,
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrfToken()},
    body: JSON.stringify({files: Object.fromEntries(files), base_revision: revision ?? undefined}),
  });
});

// ---- submit and live results -------------------------------------------------------------

submitButton.addEventListener("click", async () => {
  if (locked) return;
  submitButton.disabled = true;
  submitStatus.textContent = "Submitting…";
  if (saveTimer !== null) { clearTimeout(saveTimer); saving = save(); }
  await saving;
  const answer = await call("POST", `${api}/submissions`, {files: Object.fromEntries(files)});
  submitButton.disabled = locked;
  if (!answer.ok) {
    submitStatus.textContent = `Not submitted: ${answer.body?.detail ?? `error ${answer.status}`}`;
    if (answer.status === 409 && /time is over|finished|expired/.test(answer.body?.detail ?? "")) lock(answer.body.detail);
    return;
  }
  submitStatus.textContent = `Submission ${answer.body.id} sent: its result appears below.`;
  const history = document.getElementById("history");
  history.querySelector(".empty")?.remove();
  const item = document.createElement("li");
  const box = document.createElement("div");
  box.className = "result status-queued";
  box.id = `submission-${answer.body.id}`;
  box.setAttribute("hx-get", `/take/submissions/${answer.body.id}/result?wait=20&seen=queued`);
  box.setAttribute("hx-trigger", "load, retry");
  box.setAttribute("hx-swap", "outerHTML");
  box.setAttribute("data-retry", "");
  // As the server's fragment shows a queued submission, until it replaces this one.
  const head = document.createElement("p");
  head.className = "result-head";
  const link = document.createElement("a");
  link.href = `/take/submissions/${answer.body.id}`;
  link.textContent = `Submission ${answer.body.id}`;
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.textContent = "queued";
  head.append(link, " ", badge);
  box.appendChild(head);
  item.appendChild(box);
  history.prepend(item);
  window.htmx.process(box);
});

// ---- the deadline ------------------------------------------------------------------------

function lock(message) {
  locked = true;
  editor.setReadOnly(true);
  readOnly(message);
}
document.addEventListener("deadline", () => {
  if (!locked) { locked = true; editor.setReadOnly(true); }
});

// ---- activity signals --------------------------------------------------------------------

const LARGE_PASTE = 200;
let events = [];
let activeSeconds = 0;
let lastInput = Date.now();

holder.addEventListener("paste", (event) => {
  const size = (event.clipboardData?.getData("text") ?? "").length;
  if (size >= LARGE_PASTE) events.push({kind: "paste", at: new Date().toISOString(), item: position, size});
});
holder.addEventListener("keydown", () => { lastInput = Date.now(); });
window.addEventListener("blur", () => events.push({kind: "blur", at: new Date().toISOString(), item: position}));
window.addEventListener("focus", () => events.push({kind: "focus", at: new Date().toISOString(), item: position}));
setInterval(() => {
  if (document.hasFocus() && Date.now() - lastInput < 60_000) activeSeconds += 1;
}, 1000);

function flush(keepalive) {
  if (activeSeconds > 0) {
    events.push({kind: "active", at: new Date().toISOString(), item: position, seconds: Math.min(activeSeconds, 3600)});
    activeSeconds = 0;
  }
  if (!events.length || document.body.classList.contains("read-only")) return;
  const batch = events.splice(0, 200);
  fetch("/api/v1/invitation/activity", {
    method: "POST",
    keepalive,
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrfToken()},
    body: JSON.stringify({events: batch}),
  }).catch(() => {});
}
setInterval(() => flush(false), 30_000);
window.addEventListener("pagehide", () => flush(true));

renderTabs();
recover();
