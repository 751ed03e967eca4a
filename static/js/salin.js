// Copy buttons: <button data-copy-target="#id">. Without JavaScript the text stays selectable.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy-target"));
  var status = document.getElementById(button.getAttribute("data-copy-status"));
  if (!source) return;
  function done(message) { if (status) status.textContent = message; }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(function () { done("Tersalin."); },
      function () { source.select(); done("Tekan Ctrl+C untuk menyalin."); });
  } else {
    source.select();
    done(document.execCommand && document.execCommand("copy") ? "Tersalin." : "Tekan Ctrl+C untuk menyalin.");
  }
});
