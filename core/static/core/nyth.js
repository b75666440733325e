// Progressive enhancement only: every page works without this file.
document.body.className += " js-enabled govuk-frontend-supported";
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}

// Conditional reveals on radios (the GOV.UK pattern's markup and classes). Not GOV.UK Frontend's
// own: it sets aria-expanded on the radios, which ARIA does not allow there (axe's
// aria-allowed-attr; govuk-frontend issue #979). Here a radio names what it reveals with
// data-nyth-reveals, gets aria-controls (allowed), and the content follows it in the page.
// Without JavaScript nothing is hidden: the CSS hides only under .govuk-frontend-supported.
(function () {
  var radios = document.querySelectorAll("input[type=radio][data-nyth-reveals]");
  if (!radios.length) {
    return;
  }
  function sync(name) {
    var group = document.querySelectorAll("input[type=radio][data-nyth-reveals]");
    for (var i = 0; i < group.length; i++) {
      if (group[i].name !== name) continue;
      var target = document.getElementById(group[i].getAttribute("data-nyth-reveals"));
      if (target) target.classList.toggle("govuk-radios__conditional--hidden", !group[i].checked);
    }
  }
  var names = {};
  for (var i = 0; i < radios.length; i++) {
    radios[i].setAttribute("aria-controls", radios[i].getAttribute("data-nyth-reveals"));
    names[radios[i].name] = true;
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.type === "radio" && names[input.name]) sync(input.name);
  });
  for (var name in names) sync(name);
})();
