/*
 * The computed-value editor (templates/forms_builder/computed_editor.html):
 * only the parts of the chosen way of computing are shown, and none while
 * the expression is edited as JSON Logic. Without this script every part is
 * shown and the server reads the one that was chosen.
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-fb-computed-editor]").forEach(function (editor) {
    var shape = editor.querySelector("[name$='_shape']");
    var advanced = editor.querySelector("[name$='_advanced']");
    if (!shape) return;
    // The chosen shape is named by the list above its part: the part's own
    // legend stays for screen readers only.
    editor.querySelectorAll("[data-fb-calc-part] > legend").forEach(function (legend) {
      legend.classList.add("visually-hidden");
    });
    function show() {
      var raw = advanced && advanced.checked;
      editor.querySelectorAll("[data-fb-calc-part]").forEach(function (part) {
        part.hidden = raw || part.getAttribute("data-fb-calc-part") !== shape.value;
      });
      var wrapper = document.getElementById("div_" + shape.id);
      if (wrapper) wrapper.hidden = !!raw;
    }
    shape.addEventListener("change", show);
    if (advanced) advanced.addEventListener("change", show);
    show();
  });
}());
