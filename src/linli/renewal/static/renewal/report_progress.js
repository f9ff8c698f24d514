// Polls the status of reports still being generated (queued or running) and updates their
// progress bars; when one is done, adds its download link.
(function () {
  "use strict";
  var PERIOD_MS = 1500;
  function poll(row) {
    fetch(row.dataset.reportStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        row.dataset.status = state.status;
        row.querySelector("[data-role=label]").textContent = state.status_label;
        row.querySelector("[data-role=error]").textContent = state.error || "";
        var bar = row.querySelector("[data-role=bar]");
        var finished = state.status === "done" || state.status === "failed";
        if (bar && finished) {
          bar.remove();
        } else if (bar) {
          bar.value = state.progress;
          bar.textContent = state.progress + "%";
        }
        var actions = row.querySelector("[data-role=actions]");
        if (state.download && !actions.querySelector("[data-role=download]")) {
          var link = document.createElement("a");
          link.className = "button";
          link.dataset.role = "download";
          link.href = state.download;
          link.textContent = actions.dataset.downloadLabel;
          actions.appendChild(link);
        }
        if (!finished) { window.setTimeout(function () { poll(row); }, PERIOD_MS); }
      });
  }
  document.querySelectorAll("tr[data-report-status]").forEach(function (row) {
    if (row.dataset.status === "queued" || row.dataset.status === "running") { poll(row); }
  });
})();
