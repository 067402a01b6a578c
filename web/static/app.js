// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // A submitted form cannot be sent twice by a double click (the server also ignores repeats).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post") return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // An ESCO suggestion adds its label as a new line of the skills field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-skill]");
    if (!button) return;
    var field = document.getElementById(button.dataset.target);
    if (!field) return;
    var lines = field.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (lines.indexOf(button.dataset.addSkill) < 0) lines.push(button.dataset.addSkill);
    field.value = lines.join("\n");
    button.setAttribute("aria-pressed", "true");
    var search = document.getElementById("skill-search");
    if (search) { search.value = ""; search.focus(); }
    var list = document.getElementById("skill-suggestions");
    if (list) list.textContent = "";
  });
  // Back to a page from the browser's cache: its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
  // After a form comes back with errors, move focus to the summary so it is read first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
  // After proposing, the confirmation beside the candidate or need is where the user continues (on load:
  // after the browser has gone to the address's #fragment, which would otherwise take the focus away).
  window.addEventListener("load", function () {
    var confirmation = document.getElementById("confirmation");
    if (confirmation && !document.getElementById("error-summary")) confirmation.focus();
  });
})();
