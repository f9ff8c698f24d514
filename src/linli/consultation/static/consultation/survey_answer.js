// Shows a conditional question only while the question it depends on has one of its values
// chosen; hidden questions are disabled so their inputs are not sent. The server validates
// again (a hidden question must be left unanswered).
(function () {
  "use strict";
  var form = document.querySelector("form.survey-answer");
  if (!form) return;

  function fieldset(id) {
    return form.querySelector('fieldset[data-question="' + id + '"]');
  }

  function chosen(set) {
    var values = [];
    set.querySelectorAll("input:checked").forEach(function (input) {
      values.push(input.value);
    });
    set.querySelectorAll("select[data-value]").forEach(function (select) {
      if (select.value) values.push(select.getAttribute("data-value"));
    });
    return values;
  }

  function shown(set) {
    var parentId = set.getAttribute("data-show-if");
    if (!parentId) return true;
    var parent = fieldset(parentId);
    if (!parent || !shown(parent)) return false;
    var wanted = (set.getAttribute("data-show-values") || "").split(",");
    return chosen(parent).some(function (v) { return wanted.indexOf(v) !== -1; });
  }

  function refresh() {
    form.querySelectorAll("fieldset[data-show-if]").forEach(function (set) {
      var visible = shown(set);
      set.hidden = !visible;
      set.disabled = !visible;
    });
  }

  form.addEventListener("change", refresh);
  refresh();
})();
