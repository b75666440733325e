// After django-otp-webauthn's script has made a passkey (its event bubbles from the button), go
// on to where the person was going: the page names it, so nothing here is inline (CSP).
document.addEventListener("otp_webauthn.register_complete", function () {
  var done = document.querySelector("[data-passkey-done]");
  if (done) {
    window.location.assign(done.getAttribute("data-passkey-done"));
  }
});
