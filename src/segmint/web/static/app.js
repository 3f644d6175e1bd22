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
