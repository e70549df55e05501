/*
 * The one-screen "add a field" page: choosing another type redraws the
 * settings for it (the same as pressing "この種類にする"), and the preview of
 * the question follows the settings as they are typed (the server draws it:
 * views.field_preview). Without this script, the page works by its buttons.
 */
(function () {
  "use strict";
  var form = document.getElementById("fb-field-add");
  if (!form) return;
  var preview = document.querySelector("[data-fb-field-preview]");
  var retype = form.querySelector("[data-fb-retype]");
  var typeSelect = form.querySelector("[name='type']");
  if (typeSelect && retype) {
    retype.hidden = true;
    typeSelect.addEventListener("change", function () { retype.hidden = false; retype.click(); });
  }
  var timer = null, sequence = 0;
  function refresh() {
    var mine = ++sequence;
    fetch(form.getAttribute("data-fb-preview-url"), {
      method: "POST", body: new FormData(form), credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && mine === sequence) {
        preview.innerHTML = html;
        preview.setAttribute("data-fb-preview-ready", String(mine));
      }
    }).catch(function () { /* keep the last preview */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target !== typeSelect) later();
  });
}());
