// The episode editor page: range selection, operations in the background, a player beside the transcript,
// keyboard work, and saves that send only the transcript fields an editor changed.
// Everything works without this script (plain form posts); it makes a long day with long transcripts quick.
import { mergeChoices } from "./editor/conflicts.js";
import { LeavingGuard } from "./editor/leaving.js";
import { orderedLists } from "./editor/lists.js";
import { Operations } from "./editor/ops.js";
import { Player } from "./editor/player.js";

const TEXT_TYPES = new Set(["text", "search", "url", "email", "number", "password", "tel", ""]);
const SCROLL_KEY = "episode-editor-scroll";

class Editor {
  constructor(table) {
    this.table = table;
    this.section = table.closest(".episode-editor");
    this.mainForm = document.getElementById("episode_form");
    this.opsForm = document.getElementById("ops");
    this.count = document.querySelector(".selection-count");
    this.last = null; // the row of the last click, for shift-click ranges
    this.current = null; // the keyboard's current turn
    this.ops = new Operations(this);
    const panel = document.getElementById("player-panel");
    this.player = panel ? new Player(this, panel) : null;
  }

  // Rows carry their position in their id (item-<n>), which the server renders again whenever it changes.
  rowAt(position) {
    return document.getElementById(`item-${position}`);
  }

  positionOf(row) {
    return Number(row.id.slice(5));
  }

  rowCount() {
    return this.table.querySelectorAll("tbody > tr").length;
  }

  boxes() {
    return Array.from(this.table.querySelectorAll("tbody input[name=positions]"));
  }

  isTextField(el) {
    if (!el) return false;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable) return true;
    return el.tagName === "INPUT" && TEXT_TYPES.has(el.type);
  }

  // -- selection ------------------------------------------------------------------------------------

  selectedPositions() {
    return this.boxes().filter((b) => b.checked).map((b) => b.value);
  }

  selectedKeys() {
    return new Set(this.boxes().filter((b) => b.checked).map((b) => b.closest("tr").dataset.pk));
  }

  // Check again the boxes of the ``rows`` just put in the table whose items were selected.
  restoreSelection(keys, rows) {
    for (const row of rows) {
      const box = row.querySelector("input[name=positions]");
      if (box && keys.has(row.dataset.pk)) {
        box.checked = true;
        row.classList.add("selected");
      }
    }
    this.countSelection();
  }

  updateSelection() {
    for (const box of this.boxes()) box.closest("tr").classList.toggle("selected", box.checked);
    this.countSelection();
  }

  countSelection() {
    const n = this.table.querySelectorAll("tbody input[name=positions]:checked").length;
    if (this.count) this.count.textContent = `${n} selected`;
  }

  // -- unsaved typing -----------------------------------------------------------------------------------

  changedFields() {
    return Array.from(this.table.querySelectorAll("[data-orig]")).filter((el) => el.value !== el.getAttribute("data-orig"));
  }

  unsavedValues() {
    return new Map(this.changedFields().map((el) => [el.name, el.value]));
  }

  // Put typing back into rows the server re-rendered; return how many could not be (their items are gone).
  restoreValues(values) {
    let lost = 0;
    for (const [name, value] of values) {
      const el = this.table.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!el) {
        lost += 1;
        continue;
      }
      el.value = value;
      el.closest("tr").classList.toggle("changed", el.value !== el.getAttribute("data-orig"));
    }
    return lost;
  }

  // -- where the editor is looking --------------------------------------------------------------------

  viewAnchor() {
    const focused = document.activeElement && this.table.contains(document.activeElement) ? document.activeElement.closest("tr") : null;
    const row = focused || this.firstVisibleRow();
    return row ? { pk: row.dataset.pk, index: this.positionOf(row), top: row.getBoundingClientRect().top } : null;
  }

  firstVisibleRow() {
    let low = 0;
    let high = this.rowCount() - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.rowAt(middle).getBoundingClientRect().bottom < 0) low = middle + 1;
      else high = middle;
    }
    return this.rowAt(low);
  }

  keepView(anchor) {
    if (!anchor) return;
    const row = this.table.querySelector(`tbody tr[data-pk="${anchor.pk}"]`);
    if (row) window.scrollBy(0, row.getBoundingClientRect().top - anchor.top);
  }

  // Bring item ``position`` into view (centred) if it is not; with ``quiet`` never move the focus.
  reveal(position, options = {}) {
    const row = this.rowAt(position);
    if (!row) return;
    const box = row.getBoundingClientRect();
    const toolbar = this.section.querySelector(".transcript-toolbar");
    const top = toolbar ? toolbar.getBoundingClientRect().bottom : 0;
    if (box.top < top || box.bottom > window.innerHeight) row.scrollIntoView({ block: "center" });
    if (!options.quiet) this.setCurrent(row);
  }

  setCurrent(row) {
    if (this.current && this.current !== row) this.current.classList.remove("current");
    this.current = row;
    if (row) row.classList.add("current");
  }

  moveCurrent(step) {
    const count = this.rowCount();
    if (!count) return;
    let index = this.current && this.current.isConnected ? this.positionOf(this.current) : -1;
    if (index < 0) index = this.firstVisibleRow() ? this.positionOf(this.firstVisibleRow()) - step : 0;
    index = Math.max(0, Math.min(count - 1, index + step));
    this.setCurrent(this.rowAt(index));
    this.reveal(index);
  }

  refreshed() {
    if (this.current && !this.current.isConnected) {
      this.current = this.table.querySelector(`tbody tr[data-pk="${this.current.dataset.pk}"]`);
      if (this.current) this.current.classList.add("current");
    }
    if (this.player) this.player.refreshed();
  }

  // -- operations ---------------------------------------------------------------------------------------

  // An operation of the toolbar or a row: the operations form's fields, the selection, and ``extra``.
  runOperation(action, extra = {}) {
    const data = new FormData(this.opsForm);
    data.delete("positions");
    for (const position of this.selectedPositions()) data.append("positions", position);
    for (const [key, value] of Object.entries(extra)) {
      data.delete(key);
      for (const item of Array.isArray(value) ? value : [value]) data.append(key, item);
    }
    return this.ops.send(action, data);
  }

  assignToSpeaker(number) {
    const speaker = document.querySelector(`#panel-speakers tr[data-key="${number}"]`);
    if (!speaker) return;
    let positions = this.selectedPositions();
    if (!positions.length && this.current && this.current.classList.contains("turn")) positions = [this.positionOf(this.current)];
    if (!positions.length) {
      this.ops.say("Select turns, or move to one with ↑/↓, then press the speaker's number.", "error");
      return;
    }
    this.runOperation("ops/assign/", { positions, who: speaker.dataset.label });
  }

  // -- wiring -------------------------------------------------------------------------------------------

  start() {
    const table = this.table;
    table.addEventListener("click", (event) => this.clicked(event));
    table.addEventListener("input", (event) => {
      const el = event.target;
      if (el.hasAttribute("data-orig")) el.closest("tr").classList.toggle("changed", el.value !== el.getAttribute("data-orig"));
    });
    table.addEventListener("keydown", (event) => this.fieldKey(event));
    const all = table.querySelector(".select-all");
    if (all) {
      all.addEventListener("change", () => {
        for (const box of this.boxes()) box.checked = all.checked;
        this.updateSelection();
      });
    }
    this.updateSelection();

    // Toolbar buttons and the speakers panel's forms run in the background.
    document.querySelectorAll(".transcript-toolbar button[form=ops]").forEach((button) => {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        if (button.hasAttribute("data-needs-selection") && !this.selectedPositions().length) {
          this.ops.say("Select turns first (click a box, shift-click another for a range).", "error");
          return;
        }
        const question = button.getAttribute("data-confirm");
        if (question && !window.confirm(question)) return;
        this.runOperation(button.getAttribute("formaction"));
      });
    });
    document.querySelectorAll(".transcript-toolbar input[form=ops]").forEach((input) => {
      // Enter in a toolbar field presses the button that follows it, not the first one of the form.
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        let next = input.closest("label").nextElementSibling;
        while (next && next.tagName !== "BUTTON") next = next.nextElementSibling;
        if (next) next.click();
      });
    });
    this.section.addEventListener("submit", (event) => {
      const form = event.target.closest("form.op-form");
      if (!form) return;
      event.preventDefault();
      this.ops.send(form.getAttribute("action"), new FormData(form));
    });
    this.section.addEventListener("click", (event) => {
      const link = event.target.closest(".section-nav a[data-position]");
      if (link) {
        event.preventDefault();
        this.reveal(Number(link.dataset.position));
      }
    });

    if (this.mainForm) this.mainForm.addEventListener("submit", (event) => this.saving(event));
    new LeavingGuard(this).start();
    document.addEventListener("keydown", (event) => this.pageKey(event));
    this.restoreScroll();
  }

  clicked(event) {
    const target = event.target;
    const row = target.closest("tbody tr");
    if (!row) return;
    if (target.matches("input[name=positions]")) {
      const index = this.positionOf(row);
      if (event.shiftKey && this.last !== null) {
        const boxes = this.boxes();
        const from = Math.min(this.last, index);
        const to = Math.max(this.last, index);
        for (let i = from; i <= to; i++) if (boxes[i]) boxes[i].checked = target.checked;
      }
      this.last = index;
      if (event.shiftKey) this.updateSelection();
      else {
        row.classList.toggle("selected", target.checked);
        this.countSelection();
      }
    }
    const seek = target.closest("button.seek");
    if (seek && this.player) {
      this.player.seek(Number(seek.dataset.sec));
      this.setCurrent(row);
      return;
    }
    const button = target.closest("button[data-op]");
    if (button) {
      const op = button.getAttribute("data-op");
      if (op === "section-delete" && !window.confirm("Delete this section header? Its turns join the section before.")) return;
      this.ops.send(`ops/${op}/`, { position: button.getAttribute("data-position") });
      return;
    }
    this.setCurrent(row);
  }

  // Enter in a one-line transcript field moves to the same field of the next item instead of submitting.
  fieldKey(event) {
    const el = event.target;
    if (event.key !== "Enter" || el.tagName !== "INPUT" || !el.hasAttribute("data-orig")) return;
    event.preventDefault();
    const field = el.name.split("-")[2];
    let row = el.closest("tr").nextElementSibling;
    while (row && !row.querySelector(`[name$="-${field}"]`)) row = row.nextElementSibling;
    if (row) row.querySelector(`[name$="-${field}"]`).focus();
  }

  pageKey(event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s" && this.mainForm) {
      event.preventDefault();
      const button = this.mainForm.querySelector("input[name=_continue]") || document.querySelector("button[name=_continue]");
      if (button) button.click();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || this.isTextField(event.target)) return;
    const onControl = event.target.matches && event.target.matches("button, input[type=checkbox], input[type=radio], a[href], summary");
    if (event.key === "ArrowDown" || event.key === "j" || event.key === "J") {
      event.preventDefault();
      this.moveCurrent(1);
    } else if (event.key === "ArrowUp" || event.key === "k" || event.key === "K") {
      event.preventDefault();
      this.moveCurrent(-1);
    } else if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      this.assignToSpeaker(event.key);
    } else if (event.key === " " && this.player && !onControl) {
      event.preventDefault();
      this.player.playPause();
    }
  }

  // Send only the transcript fields that changed (a long transcript would post thousands), and never more
  // than the server reads: too big a save is stopped here, with the text still on the page.
  saving(event) {
    const changed = new Set(this.changedFields());
    const limit = Number(this.section.dataset.maxRequest || 0);
    if (limit) {
      let size = 0;
      for (const el of changed) size += new Blob([el.name, el.value]).size;
      if (size > limit * 0.95) {
        event.preventDefault();
        const mb = (n) => (n / 1024 / 1024).toFixed(1);
        this.ops.say(`Not saved: your changes are ${mb(size)} MB and one save can send at most ${mb(limit)} MB. Your text is still here; split very long text into several turns.`, "error");
        return;
      }
    }
    this.table.querySelectorAll("[data-orig]").forEach((el) => { if (!changed.has(el)) el.disabled = true; });
    window.setTimeout(() => this.table.querySelectorAll("[data-orig]").forEach((el) => { el.disabled = false; }), 0);
    try {
      window.sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ path: window.location.pathname, y: window.scrollY }));
    } catch (error) { /* storage may be off: the page opens at the top */ }
  }

  // After a save the page comes back where the editor was, not at the top.
  restoreScroll() {
    let saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(SCROLL_KEY) || "null");
      window.sessionStorage.removeItem(SCROLL_KEY);
    } catch (error) { return; }
    if (saved && saved.path === window.location.pathname && !window.location.hash) window.scrollTo(0, saved.y);
  }
}

function start() {
  orderedLists();
  const table = document.getElementById("transcript-table");
  const editor = table ? new Editor(table) : null;
  if (editor) editor.start();
  mergeChoices(editor);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
