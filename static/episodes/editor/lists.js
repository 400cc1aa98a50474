// Small ordered lists (guests, platform links, body links): ↑/↓ buttons renumber hidden positions.
export function orderedLists() {
  document.querySelectorAll("fieldset.ordered").forEach(function (group) {
    const tbody = group.querySelector("tbody");
    if (!tbody || tbody.dataset.ordered) return;
    tbody.dataset.ordered = "1";
    function rows() {
      return Array.from(tbody.querySelectorAll("tr.form-row")).filter((r) => !r.classList.contains("empty-form"));
    }
    function renumber() {
      rows().forEach(function (row, i) {
        const input = row.querySelector("input.row-position");
        if (input) input.value = i;
      });
    }
    function addButtons(row) {
      if (row.querySelector(".move-row") || row.classList.contains("empty-form")) return;
      const cell = row.lastElementChild;
      [["↑", -1, "Move up"], ["↓", 1, "Move down"]].forEach(function ([label, step, title]) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "move-row";
        b.textContent = label;
        b.title = title;
        b.setAttribute("aria-label", title);
        b.addEventListener("click", function () {
          let sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
          while (sibling && (!sibling.classList.contains("form-row") || sibling.classList.contains("empty-form"))) {
            sibling = step < 0 ? sibling.previousElementSibling : sibling.nextElementSibling;
          }
          if (!sibling) return;
          if (step < 0) tbody.insertBefore(row, sibling);
          else tbody.insertBefore(sibling, row);
          renumber();
          b.focus();
        });
        cell.appendChild(b);
      });
    }
    tbody.querySelectorAll("tr.form-row").forEach(addButtons);
    document.addEventListener("formset:added", function (event) {
      if (tbody.contains(event.target)) { addButtons(event.target); renumber(); }
    });
    const form = group.closest("form");
    if (form) form.addEventListener("submit", renumber);
    renumber();
  });
}
