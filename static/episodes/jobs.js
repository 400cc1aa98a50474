// A job's bar, count, current file, message and report, kept up to date by polling its progress view.
// Every element with data-progress-url is one job (its own page, or a running job's bar on another page).
(function () {
  "use strict";
  var EVERY_MS = 500;
  var ACTIVE = { queued: true, running: true };

  function watch(box) {
    var url = box.getAttribute("data-progress-url");
    var lines = parseInt(box.getAttribute("data-lines") || "0", 10);
    var report = box.querySelector(".job-report");
    function part(name) { return box.querySelector("." + name); }

    function show(data) {
      var bar = part("job-bar");
      if (bar) {
        if (data.total === null) { bar.removeAttribute("value"); bar.removeAttribute("max"); }
        else { bar.max = Math.max(data.total, 1); bar.value = data.done; }
        bar.textContent = data.done;
      }
      var count = part("job-count");
      if (count) count.textContent = data.done + " / " + (data.total === null ? "?" : data.total);
      var current = part("job-current");
      if (current) current.textContent = data.current || (report ? "—" : "");
      var status = part("job-status");
      if (status) { status.textContent = data.status; status.className = "job-status status-" + data.status; }
      var message = part("job-message");
      if (message) message.textContent = data.message;
      box.setAttribute("data-status", data.status);
      if (report && data.report) {
        data.report.forEach(function (line) {
          var item = document.createElement("li");
          item.className = "status-" + line.status;
          item.textContent = line.text;
          (line.warnings || []).forEach(function (warning) {
            var note = document.createElement("div");
            note.className = "warn";
            note.textContent = "⚠ " + warning;
            item.appendChild(note);
          });
          if (line.diff && line.diff.length) {
            var details = document.createElement("details");
            var summary = document.createElement("summary");
            var pre = document.createElement("pre");
            summary.textContent = "Changes";
            pre.className = "diff";
            pre.textContent = line.diff.join("");
            details.appendChild(summary);
            details.appendChild(pre);
            item.appendChild(details);
          }
          report.appendChild(item);
        });
        lines += data.report.length;
      }
      if (!ACTIVE[data.status]) {
        var cancel = part("job-cancel");
        if (cancel) cancel.remove();
      }
    }

    function poll() {
      var address = url + (report ? "?since=" + lines : "");
      fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data) show(data);
          if (!data || ACTIVE[data.status]) window.setTimeout(poll, EVERY_MS);
        })
        .catch(function () { window.setTimeout(poll, EVERY_MS * 4); });
    }

    if (ACTIVE[box.getAttribute("data-status")]) poll();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), watch);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
