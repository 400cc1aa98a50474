// The topics field: the box under it suggests the curated topics (its datalist) and adds the one chosen as a
// line of the field; as the editor types, the topics that are not on the list (nor one of its aliases) are
// named under the field, as the topics-curated rule names them once saved.
(() => {
  const lines = (area) => area.value.split("\n").map((line) => line.trim()).filter(Boolean);

  function known(input) {
    const list = document.getElementById(input.getAttribute("list"));
    const names = new Map();
    for (const option of list.options) {
      names.set(option.value.toLowerCase(), option.value);
      for (const alias of option.dataset.aliases.split("\n").filter(Boolean)) names.set(alias.toLowerCase(), option.value);
    }
    return names;
  }

  function mark(input) {
    const area = document.getElementById(input.dataset.for);
    const note = document.querySelector(`.topics-off-list[data-for="${input.dataset.for}"]`);
    const names = known(input);
    const off = lines(area).filter((topic) => !names.has(topic.toLowerCase()));
    note.hidden = off.length === 0;
    note.textContent = off.length ? `Not on the curated list: ${off.join(", ")}` : "";
  }

  function add(input) {
    const area = document.getElementById(input.dataset.for);
    const names = known(input);
    const typed = input.value.trim();
    if (!typed) return;
    const topic = names.get(typed.toLowerCase()) || typed; // an alias adds the topic's own name
    const topics = lines(area);
    if (!topics.some((line) => line.toLowerCase() === topic.toLowerCase())) {
      topics.push(topic);
      area.value = topics.join("\n");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    input.value = "";
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("input.topic-add")) add(event.target);
  });
  document.addEventListener("keydown", (event) => {
    // Enter in the box adds the topic; it must not submit the episode's form.
    if (event.key === "Enter" && event.target.matches("input.topic-add")) {
      event.preventDefault();
      add(event.target);
    }
  });
  document.addEventListener("input", (event) => {
    const input = document.querySelector(`input.topic-add[data-for="${event.target.id}"]`);
    if (input) mark(input);
  });
})();
