// The decision form shows "差し戻す先" and "合議先" only when their decision is
// chosen (GOV.UK conditional reveal). Without JavaScript every field shows.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="decision"]:checked');
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (block) {
      block.hidden = block.getAttribute("data-show-for") !== value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('.workflow-action form').forEach(function (form) {
      if (!form.querySelector("[data-show-for]")) {
        return;
      }
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
  });
})();
