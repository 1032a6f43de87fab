// Shared by every page (an ES module: the CSP allows no inline script).
// - htmx requests carry the session's CSRF token (header X-CSRF-Token).
// - A fragment that long-polls (data-retry) asks again after a failed request.
// - Forms with data-confirm ask before submitting.
// - The countdown counts from the server's clock, never the browser's: the offset between
//   the two is measured when the page is served.
// - Tab lists (role="tablist") work with the arrow keys.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrfToken();
});

for (const name of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
  document.addEventListener(name, (event) => {
    const elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-retry")) {
      setTimeout(() => window.htmx && window.htmx.trigger(elt, "retry"), 3000);
    }
  });
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// ---- the deadline ------------------------------------------------------------------------

const WARN_SECONDS = 5 * 60;

function format(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** Switch the page to read-only: every control marked data-until-deadline is disabled. */
export function readOnly(message) {
  document.body.classList.add("read-only");
  for (const el of document.querySelectorAll("[data-until-deadline]")) {
    if ("disabled" in el) el.disabled = true;
    if (el instanceof HTMLTextAreaElement) el.readOnly = true;
  }
  const note = document.getElementById("read-only-note");
  if (note && message) {
    note.textContent = message;
    note.hidden = false;
  }
  document.dispatchEvent(new CustomEvent("deadline"));
}

function minutesLeft(seconds) {
  if (seconds < 60) return "Less than a minute";
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function startCountdown() {
  const box = document.getElementById("countdown");
  if (!box) return;
  const deadline = Date.parse(box.dataset.deadline);
  const offset = Date.parse(box.dataset.serverTime) - Date.now(); // server minus browser
  const clock = box.querySelector(".clock");
  const warning = document.getElementById("time-warning");
  let warned = false;
  let over = false;
  const tick = () => {
    const left = (deadline - (Date.now() + offset)) / 1000;
    clock.textContent = format(left);
    if (left <= WARN_SECONDS && !warned) {
      warned = true;
      box.classList.add("warning");
      if (warning && left > 0) {
        warning.textContent = `${minutesLeft(left)} left: submit what you have.`;
        warning.hidden = false;
      }
    }
    if (left <= 0 && !over) {
      over = true;
      box.classList.add("over");
      clock.textContent = "0:00";
      if (warning) warning.hidden = true; // the read-only note says it now
      readOnly("The time is over: this page is read-only. Submissions made before the deadline are graded.");
      clearInterval(timer);
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
}

// ---- tabs --------------------------------------------------------------------------------

export function selectTab(tab) {
  const list = tab.closest('[role="tablist"]');
  for (const other of list.querySelectorAll('[role="tab"]')) {
    const on = other === tab;
    other.setAttribute("aria-selected", on ? "true" : "false");
    other.tabIndex = on ? 0 : -1;
    const panel = other.getAttribute("aria-controls") && document.getElementById(other.getAttribute("aria-controls"));
    if (panel) panel.hidden = !on;
  }
}

document.addEventListener("keydown", (event) => {
  const tab = event.target.closest && event.target.closest('[role="tab"]');
  if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
  const tabs = [...tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]')];
  let index = tabs.indexOf(tab);
  if (event.key === "ArrowLeft") index = (index - 1 + tabs.length) % tabs.length;
  if (event.key === "ArrowRight") index = (index + 1) % tabs.length;
  if (event.key === "Home") index = 0;
  if (event.key === "End") index = tabs.length - 1;
  tabs[index].focus();
  tabs[index].click();
  event.preventDefault();
});

document.addEventListener("click", (event) => {
  const tab = event.target.closest && event.target.closest('[role="tab"][aria-controls]');
  if (tab) selectTab(tab);
});

startCountdown();
