// The decision form shows "差し戻す先", "合議先" and "申請者へのメッセージ" only
// when a decision that uses them is chosen (GOV.UK conditional reveal).
// Without JavaScript every field shows.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="decision"]:checked');
    var value = checked ? checked.value : "";
    // 起案: approving below the final level with a drafted outcome shows that
    // outcome's decision form too.
    var drafted = form.querySelector('select[name="draft_outcome"]');
    var values = [value];
    if (drafted && value === "approve" && drafted.value) {
      values.push("draft:" + drafted.value);
    }
    form.querySelectorAll("[data-show-for]").forEach(function (block) {
      // A space-separated list: the message to the applicant shows for every
      // decision that reaches the applicant.
      var shownFor = block.getAttribute("data-show-for").split(" ");
      var shown = values.some(function (v) { return shownFor.indexOf(v) !== -1; });
      // A field the server refused stays in view, with its message.
      block.hidden = !shown && !block.querySelector(".text-danger");
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
