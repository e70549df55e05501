/*
 * The document template editor: choosing a preset (ひな形) puts its title and
 * body texts in the fields at once (from the presets' texts embedded in the
 * page), as the "ひな形の文面にする" button does through the server without
 * this script; the button is hidden here. Nothing is saved until 保存する.
 */
(function () {
  "use strict";
  var form = document.getElementById("document-template-form");
  var data = document.getElementById("document-presets");
  if (!form || !data) return;
  var presets = JSON.parse(data.textContent);
  var select = form.querySelector("[name='preset']");
  if (!select) return;
  // The button's work is done on choosing: it goes, its explanation stays
  // with the list.
  var apply = form.querySelector("[data-apply-preset]");
  if (apply) {
    apply.hidden = true;
    var described = (select.getAttribute("aria-describedby") || "").split(" ");
    described.push(apply.getAttribute("aria-describedby"));
    select.setAttribute("aria-describedby", described.join(" ").trim());
  }
  select.addEventListener("change", function () {
    var texts = presets[select.value];
    if (!texts) return;
    Object.keys(texts).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (field) field.value = texts[name];
    });
  });
}());
