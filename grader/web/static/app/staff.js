// Staff pages: filter the question bank by seed section and text, add up the weights, and
// copy invitation links.

const table = document.getElementById("question-table");
const section = document.getElementById("filter-section");
const text = document.getElementById("filter-text");
const count = document.getElementById("filter-count");

function filter() {
  if (!table) return;
  const wanted = section.value;
  const needle = text.value.trim().toLowerCase();
  let shown = 0;
  for (const row of table.tBodies[0].rows) {
    const weighted = row.querySelector("input.weight")?.value;
    const match = (!wanted || row.dataset.section === wanted) && (!needle || row.dataset.text.includes(needle));
    row.hidden = !(match || weighted); // a chosen question stays visible
    if (!row.hidden) shown += 1;
  }
  count.textContent = `${shown} shown`;
}
section?.addEventListener("change", filter);
text?.addEventListener("input", filter);
filter();

const total = document.getElementById("weight-total");
function addUp() {
  let sum = 0;
  for (const input of document.querySelectorAll("input.weight")) sum += Number(input.value) || 0;
  if (total) total.textContent = String(sum);
}
document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("input.weight")) addUp();
});
addUp();

document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    button.textContent = "Copied";
    const status = document.getElementById("copy-status");
    if (status) status.textContent = `Link copied: ${field.getAttribute("aria-label") ?? ""}`;
  } catch {
    button.textContent = "Selected: press Ctrl+C";
  }
});
