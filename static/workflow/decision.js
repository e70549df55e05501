// The decision form shows "差し戻す先", "合議先" and "申請者へのメッセージ" only
// when a decision that uses them is chosen (GOV.UK conditional reveal).
// Without JavaScript every field shows.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="decision"]:checked');
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (block) {
      // A space-separated list: the message to the applicant shows for every
      // decision that reaches the applicant.
      var shownFor = block.getAttribute("data-show-for").split(" ");
      // A field the server refused stays in view, with its message.
      block.hidden =
        shownFor.indexOf(value) === -1 && !block.querySelector(".text-danger");
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
