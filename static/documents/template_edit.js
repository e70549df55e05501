/*
 * The document template editor: choosing a preset (ひな形) puts its title and
 * body texts in the fields at once, as the "ひな形の文面にする" button does
 * through the server without this script. Nothing is saved until 保存する.
 */
(function () {
  "use strict";
  var form = document.getElementById("document-template-form");
  var data = document.getElementById("document-presets");
  if (!form || !data) return;
  var presets = JSON.parse(data.textContent);
  var select = form.querySelector("[name='preset']");
  if (!select) return;
  select.addEventListener("change", function () {
    var texts = presets[select.value];
    if (!texts) return;
    Object.keys(texts).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (field) field.value = texts[name];
    });
  });
}());
