/* The episode editor: range selection, sending only changed transcript fields, ordering small lists.
   Everything works without this script; it makes long transcripts quick to work with. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function changedFields(table) {
    return Array.from(table.querySelectorAll("[data-orig]")).filter(function (el) {
      return el.value !== el.getAttribute("data-orig");
    });
  }

  ready(function () {
    var table = document.getElementById("transcript-table");
    var mainForm = document.getElementById("episode_form");
    var ops = document.getElementById("ops");

    // Range selection: click a box, shift-click another to select everything between.
    if (table) {
      var boxes = Array.from(table.querySelectorAll("tbody input[type=checkbox]"));
      var count = document.querySelector(".selection-count");
      var last = null;
      function update() {
        var n = boxes.filter(function (b) { return b.checked; }).length;
        if (count) count.textContent = n + " selected";
        boxes.forEach(function (b) { b.closest("tr").classList.toggle("selected", b.checked); });
      }
      boxes.forEach(function (box, index) {
        box.addEventListener("click", function (event) {
          if (event.shiftKey && last !== null) {
            var from = Math.min(last, index), to = Math.max(last, index);
            for (var i = from; i <= to; i++) boxes[i].checked = box.checked;
          }
          last = index;
          update();
        });
      });
      var all = table.querySelector(".select-all");
      if (all) all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
      update();

      table.addEventListener("input", function (event) {
        var el = event.target;
        if (el.hasAttribute("data-orig")) {
          el.closest("tr").classList.toggle("changed", el.value !== el.getAttribute("data-orig"));
        }
      });
    }

    // Send only the transcript fields that changed: a long transcript would post thousands otherwise.
    if (mainForm && table) {
      mainForm.addEventListener("submit", function () {
        var changed = new Set(changedFields(table));
        table.querySelectorAll("[data-orig]").forEach(function (el) {
          if (!changed.has(el)) el.disabled = true;
        });
        window.setTimeout(function () {
          table.querySelectorAll("[data-orig]").forEach(function (el) { el.disabled = false; });
        }, 0);
      });
    }

    // Row buttons (add a header or a turn, move or delete a section) submit the operations form.
    if (ops && table) {
      table.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-op]");
        if (!button) return;
        if (changedFields(table).length && !window.confirm("You have unsaved edits in the transcript. Discard them and continue?")) return;
        if (button.getAttribute("data-op") === "section-delete" && !window.confirm("Delete this section header? Its turns join the section before.")) return;
        var position = document.createElement("input");
        position.type = "hidden";
        position.name = "position";
        position.value = button.getAttribute("data-position");
        ops.appendChild(position);
        ops.action = "ops/" + button.getAttribute("data-op") + "/";
        ops.submit();
      });
    }

    // An operation reloads the page: do not let it drop unsaved typing silently.
    if (ops && table) {
      document.querySelectorAll("button[form=ops], .speakers form button").forEach(function (button) {
        button.addEventListener("click", function (event) {
          var dirty = changedFields(table).length > 0;
          if (dirty && !window.confirm("You have unsaved edits in the transcript. Discard them and continue?")) {
            event.preventDefault();
            return;
          }
          var selected = table.querySelectorAll("tbody input[type=checkbox]:checked").length;
          if (button.hasAttribute("data-needs-selection") && !selected && button.getAttribute("formaction") !== "ops/swap/") {
            event.preventDefault();
            window.alert("Select turns first (click a box, shift-click another for a range).");
            return;
          }
          var question = button.getAttribute("data-confirm");
          if (question && !window.confirm(question)) event.preventDefault();
        });
      });
      // Enter in a toolbar field presses the button that follows it, not the first one of the form.
      document.querySelectorAll(".transcript-toolbar input").forEach(function (input) {
        input.addEventListener("keydown", function (event) {
          if (event.key !== "Enter") return;
          var next = input.closest("label").nextElementSibling;
          while (next && next.tagName !== "BUTTON") next = next.nextElementSibling;
          if (next) { event.preventDefault(); next.click(); }
        });
      });
    }

    // Ctrl+S / Cmd+S saves and continues editing.
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "s" && mainForm) {
        event.preventDefault();
        var button = mainForm.querySelector("input[name=_continue]") || document.querySelector("button[name=_continue]");
        if (button) button.click();
      }
    });

    // Small ordered lists (guests, platform links, body links): ↑/↓ buttons renumber hidden positions.
    document.querySelectorAll("fieldset.ordered").forEach(function (group) {
      var tbody = group.querySelector("tbody");
      if (!tbody || tbody.dataset.ordered) return;
      tbody.dataset.ordered = "1";
      function renumber() {
        var rows = Array.from(tbody.querySelectorAll("tr.form-row")).filter(function (r) { return !r.classList.contains("empty-form"); });
        rows.forEach(function (row, i) {
          var input = row.querySelector("input.row-position");
          if (input) input.value = i;
        });
      }
      function addButtons(row) {
        if (row.querySelector(".move-row") || row.classList.contains("empty-form")) return;
        var cell = row.lastElementChild;
        [["↑", -1, "Move up"], ["↓", 1, "Move down"]].forEach(function (spec) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "move-row";
          b.textContent = spec[0];
          b.title = spec[2];
          b.setAttribute("aria-label", spec[2]);
          b.addEventListener("click", function () {
            var sibling = spec[1] < 0 ? row.previousElementSibling : row.nextElementSibling;
            while (sibling && (!sibling.classList.contains("form-row") || sibling.classList.contains("empty-form"))) {
              sibling = spec[1] < 0 ? sibling.previousElementSibling : sibling.nextElementSibling;
            }
            if (!sibling) return;
            if (spec[1] < 0) tbody.insertBefore(row, sibling);
            else tbody.insertBefore(sibling, row);
            renumber();
            b.focus();
          });
          cell.appendChild(b);
        });
      }
      tbody.querySelectorAll("tr.form-row").forEach(addButtons);
      document.addEventListener("formset:added", function (event) {
        var row = event.target;
        if (tbody.contains(row)) { addButtons(row); renumber(); }
      });
      var form = group.closest("form");
      if (form) form.addEventListener("submit", renumber);
      renumber();
    });
  });
})();
