// Progressive enhancement only: every page works without this file.
document.body.className += " js-enabled govuk-frontend-supported";
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}
