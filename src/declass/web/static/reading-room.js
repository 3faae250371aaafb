// Progressive enhancement only: every page works without this file.
// Footnote markers open their note in place; "Copy" buttons copy a citation.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var ref = event.target.closest && event.target.closest("a.fn-ref");
    if (ref) {
      var note = document.getElementById(ref.getAttribute("href").slice(1));
      if (note) {
        event.preventDefault();
        var open = note.classList.toggle("open");
        ref.setAttribute("aria-expanded", open ? "true" : "false");
      }
      return;
    }
    var close = event.target.closest && event.target.closest("a.fn-close");
    if (close) {
      var pop = close.closest(".fn-pop");
      if (pop && pop.classList.contains("open")) {
        event.preventDefault();
        pop.classList.remove("open");
      }
    }
  });
  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector(".copied");
    if (!source) { return; }
    var text = source.textContent.trim();
    var done = function () { if (status) { status.textContent = "Copied to the clipboard."; } };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (status) { status.textContent = "Select the text above and copy it."; }
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.copy").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();
