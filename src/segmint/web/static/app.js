// Draws every chart of the page from the JSON spec the server put next to it (no inline script).
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = document.getElementById(el.getAttribute("data-chart"));
      if (!spec) { return; }
      var figure = JSON.parse(spec.textContent);
      Plotly.newPlot(el, figure.data, figure.layout, {
        displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"]
      }).then(function () { el.setAttribute("data-rendered", "true"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

// Action buttons (admin): PATCH the action through the API with the session cookie, then reload.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action-id]");
    if (!button) { return; }
    button.disabled = true;
    fetch("/api/v1/actions/" + encodeURIComponent(button.getAttribute("data-action-id")), {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: button.getAttribute("data-status") })
    }).then(function (response) {
      if (response.ok) { window.location.reload(); return; }
      return response.json().then(function (body) {
        button.disabled = false;
        window.alert(body.error ? body.error.message : response.statusText);
      });
    });
  });
})();
