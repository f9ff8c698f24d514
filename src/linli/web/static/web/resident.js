// Residents' survey form: hide a conditional question while the answer it depends on does
// not include one of its values. Without this script every question shows with a note, and
// the server ignores answers to questions whose condition is not met.
(function () {
  "use strict";
  var form = document.querySelector("form.r-survey");
  if (!form) return;
  var hidden = {};

  function chosen(name) {
    var values = [];
    if (hidden[name]) return values;
    form.querySelectorAll("input, select").forEach(function (el) {
      if (el.name !== name && el.name.indexOf(name + "_") !== 0) return;
      if (el.tagName === "SELECT") {
        if (el.value) values.push(el.value);
      } else if (el.checked) {
        values.push(el.value);
      }
    });
    return values;
  }

  function update() {
    hidden = {};
    form.querySelectorAll("fieldset[data-question]").forEach(function (box) {
      var name = "q" + box.getAttribute("data-question");
      var parent = box.getAttribute("data-show-if");
      if (!parent) return;
      var wanted = (box.getAttribute("data-show-values") || "").split(" ");
      var show = chosen(parent).some(function (v) { return wanted.indexOf(v) >= 0; });
      box.hidden = !show;
      if (!show) hidden[name] = true;
    });
  }

  form.addEventListener("change", update);
  update();
})();
