// A save merged over someone else's newer save came back with conflicts: each shows both values and a choice.
// "Take theirs" puts the saved value in the field (so the save leaves it as it is), "Keep mine" puts the typing
// back. Without this script the chosen radio button is posted and the server drops "theirs" choices itself.

export function mergeChoices(editor) {
  document.addEventListener("change", (event) => {
    const radio = event.target;
    if (!radio.matches || !radio.matches(".merge-choice input[type=radio]")) return;
    const name = radio.name.slice("resolve-".length);
    const field = document.querySelector(`[name="${CSS.escape(name)}"]:not([type=radio])`);
    if (!field) return;
    if (radio.value === "theirs") {
      if (field.dataset.mine === undefined) field.dataset.mine = field.value;
      const initial = document.querySelector(`[name="initial-${CSS.escape(name)}"]`);
      field.value = field.hasAttribute("data-orig") ? field.getAttribute("data-orig") : initial ? initial.value : radio.dataset.theirs;
    } else if (field.dataset.mine !== undefined) {
      field.value = field.dataset.mine;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    if (editor && field.hasAttribute("data-orig")) field.closest("tr").classList.toggle("changed", field.value !== field.getAttribute("data-orig"));
  });
}
