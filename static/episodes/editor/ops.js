// Operations sent in the background: the server answers with the rows whose markup changed, the panels,
// the new version and how to undo; the page swaps those in, keeping scroll position, selection and any
// unsaved typing. Without this script the same forms post and the page reloads.

const PANELS = ["clips", "speakers", "warnings", "sections", "labels"];

export class Operations {
  constructor(editor) {
    this.editor = editor;
    this.status = document.getElementById("op-status");
    this.busy = false;
    this.panels = {}; // the panels' markup as last received
  }

  csrf() {
    const input = document.querySelector("#ops input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  version() {
    const input = document.querySelector("#ops input[name=version]");
    return input ? input.value : "";
  }

  // Send operation ``url`` with ``data`` (FormData or an object); resolve once the page shows the result.
  async send(url, data) {
    if (this.busy) return;
    const body = data instanceof FormData ? data : new FormData();
    if (!(data instanceof FormData)) {
      for (const [key, value] of Object.entries(data || {})) {
        for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
      }
    }
    if (!body.has("version")) body.set("version", this.version());
    this.busy = true;
    this.say("Working…", "pending");
    let reply;
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": this.csrf() },
        credentials: "same-origin",
      });
      reply = await response.json().catch(() => ({ ok: false, message: `The server answered ${response.status}.` }));
      reply.status = response.status;
    } catch (error) {
      reply = { ok: false, message: "Could not reach the server; nothing was changed. Check the connection and try again." };
    } finally {
      this.busy = false;
    }
    if (reply.rows) this.apply(reply);
    this.report(reply);
    return reply;
  }

  // Swap in what the operation changed.
  apply(reply) {
    const editor = this.editor;
    const bodies = editor.table.tBodies;
    const start = performance.now();
    const before = editor.rowCount();
    const anchor = editor.viewAnchor();
    const dirty = editor.unsavedValues();
    const selected = editor.selectedKeys();
    const positions = Object.keys(reply.rows).map(Number).sort((a, b) => a - b);
    let fresh = [];
    if (positions.length) {
      const template = document.createElement("template");
      template.innerHTML = positions.map((p) => reply.rows[p]).join("");
      fresh = Array.from(template.content.children);
      // Looked up by position (the row's id) before the new row with that id goes in.
      positions.forEach(function (position, i) {
        const old = position < before ? editor.rowAt(position) : null;
        if (old) old.replaceWith(fresh[i]);
        else bodies[bodies.length - 1].append(fresh[i]);
      });
    }
    const removed = before > reply.count;
    for (let position = reply.count; position < before; position++) {
      const row = editor.rowAt(position);
      if (row) row.remove();
    }
    const lost = editor.restoreValues(dirty);
    editor.restoreSelection(selected, fresh);
    document.querySelectorAll("input[name=version]").forEach((input) => { input.value = reply.version; });
    for (const name of PANELS) {
      const panel = document.getElementById(`panel-${name}`);
      const html = reply.panels && reply.panels[name];
      // A panel the operation left as it was is not rebuilt (the sections list can be long).
      if (panel && html !== undefined && html !== this.panels[name]) panel.innerHTML = this.panels[name] = html;
    }
    editor.refreshed();
    // Rows above where the editor looks changed height only if one of them was replaced or removed.
    if (anchor && ((positions.length && positions[0] < anchor.index) || (removed && reply.count <= anchor.index))) {
      editor.keepView(anchor);
    }
    performance.measure("editor:apply", { start });
    if (lost) reply.message += ` (${lost} unsaved edit${lost > 1 ? "s were" : " was"} in items that are gone.)`;
  }

  say(message, kind) {
    if (!this.status) return;
    this.status.hidden = false;
    this.status.className = `op-status ${kind || ""}`;
    this.status.replaceChildren();
    const text = document.createElement("span");
    text.className = "op-message";
    text.textContent = message;
    this.status.append(text);
    return this.status;
  }

  button(label, onclick) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", onclick);
    this.status.append(" ", button);
    return button;
  }

  report(reply) {
    if (!this.status) return;
    this.say(reply.message || (reply.ok ? "Done." : "Not done."), reply.ok ? "ok" : "error");
    if (reply.undo) {
      const undo = reply.undo;
      this.button(undo.label || "Undo", () => this.send(undo.url, { version: undo.version }));
    }
    if (reply.offer) {
      const offer = reply.offer;
      this.button(offer.label, () => this.send(`ops/${offer.operation}/`, offer.data));
    }
    if (reply.status === 409) this.button("Reload the page", () => window.location.reload());
    if (reply.ok && reply.position !== null && reply.position !== undefined) this.editor.reveal(reply.position);
  }
}

export { PANELS };
