// A guard on leaving the editor's page (a link, the breadcrumb, "Reload the page", closing the tab) while
// something typed is not saved: the browser asks first. Saving clears it; so does choosing to leave.

// What a field holds, comparable with what it held when the page opened.
function state(el) {
  if (el.type === "checkbox" || el.type === "radio") return String(el.checked);
  if (el.tagName === "SELECT") return Array.from(el.selectedOptions, (option) => option.value).join("\n");
  if (el.type === "file") return Array.from(el.files || [], (file) => file.name).join("\n");
  return el.value;
}

// Hidden fields change with typing only where they hold a row's order (the ↑/↓ of the small lists); the
// formsets' counters change when an empty row is added, which loses nothing.
function watched(el) {
  if (!el.name || el.hasAttribute("data-orig") || el.closest(".empty-form")) return false;
  if (el.type === "hidden") return el.classList.contains("row-position");
  return !["submit", "button", "reset", "image"].includes(el.type);
}

export class LeavingGuard {
  constructor(editor) {
    this.editor = editor;
    this.form = editor.mainForm;
    this.opened = new Map(); // field → what it held when the page opened (or its row was added)
    this.leaving = false;
    // A save the server refused comes back with the typing in the fields: it is not saved yet.
    this.refused = Boolean(document.querySelector(".errornote"));
  }

  start() {
    this.remember(this.form);
    document.addEventListener("formset:added", (event) => this.remember(event.target));
    if (this.form) this.form.addEventListener("submit", (event) => { if (!event.defaultPrevented) this.leaving = true; });
    window.addEventListener("beforeunload", (event) => {
      if (this.leaving || !this.unsaved()) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    });
    // Back from another page (the back/forward cache): the page asks again.
    window.addEventListener("pageshow", () => { this.leaving = false; });
  }

  remember(root) {
    if (!root) return;
    const fields = root.elements ? Array.from(root.elements) : Array.from(root.querySelectorAll("input, select, textarea"));
    for (const el of fields) if (watched(el)) this.opened.set(el, state(el));
  }

  // The transcript's fields carry what they held (data-orig); every other field of the form is compared
  // with what it held when the page opened.
  unsaved() {
    if (this.refused || this.editor.changedFields().length) return true;
    for (const [el, was] of this.opened) if (el.isConnected && !el.disabled && state(el) !== was) return true;
    return false;
  }
}
