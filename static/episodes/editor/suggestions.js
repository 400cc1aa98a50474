// The Suggest buttons beside the editor's fields (and "Suggest chapters" under the sections): each asks the
// model in the background, as a job, follows the job, then shows the suggestion in place of the field's slot
// (its word diff, warnings, tokens and cost, Accept and Reject), as the server renders it. Nothing else on
// the page changes, so what is typed elsewhere stays. Without this script the button posts its form and the
// page comes back with the suggestion once the job is done.
const EVERY_MS = 1000;
const ACTIVE = new Set(["queued", "running"]);
const JSON_HEADERS = { Accept: "application/json" };

async function getJson(url) {
  const response = await fetch(url, { headers: JSON_HEADERS, credentials: "same-origin" });
  return response.ok ? response.json() : null;
}

// Wait for the job whose progress is at ``url`` to end; return its progress, with its report's lines.
async function finished(url, say) {
  for (;;) {
    const data = await getJson(url).catch(() => null);
    if (data && !ACTIVE.has(data.status)) return data;
    if (data && data.message) say(data.message);
    await new Promise((resolve) => window.setTimeout(resolve, data ? EVERY_MS : EVERY_MS * 4));
  }
}

async function suggest(button) {
  const form = button.form;
  const slot = button.closest(".suggest-slot");
  const status = slot.querySelector(".suggest-status");
  const say = (text) => { status.textContent = text; };
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  button.disabled = true;
  say("Asking the model…");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { ...JSON_HEADERS, "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
    });
    const reply = await response.json().catch(() => ({ ok: false, message: `The server answered ${response.status}.` }));
    if (!reply.ok) throw new Error(reply.message);
    say(reply.message);
    const job = await finished(reply.progress, say);
    // A request that got no answer, or an answer with nothing usable, is a line of the job's report: say why.
    const failed = (job.report || []).filter((line) => /: (failed|unusable): /.test(line.text));
    const fresh = await getJson(reply.slot);
    if (!fresh) throw new Error("Could not read the suggestion; reload the page.");
    const holder = document.createElement("div");
    holder.innerHTML = fresh.html;
    const replacement = holder.firstElementChild;
    slot.replaceWith(replacement);
    const note = job.status !== "succeeded" || failed.length ? (failed.map((line) => line.text).join(" ") || job.message) : job.message;
    replacement.querySelector(".suggest-status").textContent = note;
    const box = replacement.querySelector("textarea");
    if (box && !failed.length) box.focus({ preventScroll: false });
  } catch (error) {
    say(error.message || "Could not reach the server; nothing was asked. Try again.");
    button.disabled = false;
  }
}

// A suggestion waiting for review is never out of sight in a folded part of the form (the newer keys are
// folded while an episode has none, which is when they are most often suggested).
function unfold() {
  for (const waiting of document.querySelectorAll(".suggest-slot .suggestion")) {
    const folded = waiting.closest("details:not([open])");
    if (folded) folded.open = true;
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", unfold);
else unfold();

document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest(".suggest-button");
  if (!button || !button.form) return;
  event.preventDefault();
  suggest(button);
});
