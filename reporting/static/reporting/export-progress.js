// Progressive enhancement of the export progress page: without this file "Check progress"
// reloads the page. It polls the job's status (JSON, same access rule as the page) and updates
// the progress text in the page's aria-live="polite" region, then shows the download link. It is
// a file, not inline script (CSP), and the page has no refreshing meta tag (WCAG 2.2.1).
(function () {
  var live = document.querySelector("[data-nyth-export-status]");
  if (!live || !window.fetch) {
    return;
  }
  var url = live.getAttribute("data-nyth-export-status");
  var bar = document.getElementById("export-progress");
  var text = document.getElementById("export-progress-text");
  var stage = document.getElementById("export-stage");
  var result = document.getElementById("export-result");
  var failures = 0;
  var delay = 2000;

  function setText(element, value) {
    // Only a change is written, so a screen reader hears each new percentage once.
    if (element && element.textContent !== value) {
      element.textContent = value;
    }
  }

  function show(data) {
    if (bar) {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
    setText(text, data.progress_text);
    setText(stage, data.stage_text);
    if (!data.finished || !result) {
      return;
    }
    result.textContent = "";
    var message = document.createElement("strong");
    message.textContent = data.message;
    result.appendChild(message);
    if (data.download_url) {
      result.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.className = "govuk-link";
      link.id = "export-download";
      link.href = data.download_url;
      link.setAttribute("download", "");
      link.textContent = data.download_text;
      result.appendChild(link);
    }
    result.hidden = false;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (!data.finished) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // Signed out, the job gone, the network down: after three tries leave the button to it.
        failures += 1;
        if (failures < 3) {
          window.setTimeout(poll, delay * 2);
        }
      });
  }

  window.setTimeout(poll, delay);
})();
