// The check-in desk's camera: progressive enhancement of the typed-code form.
// Uses the browser's BarcodeDetector where it exists, else jsQR (served locally from npm).
// Without JavaScript, or without a camera, the typed code works as before.
(function () {
  "use strict";
  var form = document.getElementById("check-in-form");
  var button = document.getElementById("scan-button");
  if (!form || !button) return;
  var video = document.getElementById("scanner-video");
  var box = document.getElementById("scanner");
  var hint = document.getElementById("scan-hint");
  var status = document.getElementById("scanner-status");
  var input = form.querySelector("input[name=code]");
  var method = form.querySelector("input[name=method]");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    if (!window.isSecureContext) { hint.textContent = hint.dataset.insecure; hint.hidden = false; }
    return;
  }
  button.hidden = false;
  var stream = null, detector = null, canvas = null, last = "", lastAt = 0;

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve(window.jsQR);
      var script = document.createElement("script");
      script.src = button.dataset.jsqr;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function found(text) {
    var now = Date.now();
    if (text === last && now - lastAt < 4000) return;  // the same ticket held up again
    last = text; lastAt = now;
    input.value = text;
    if (method) method.value = "scan";
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    if (method) setTimeout(function () { method.value = "typed"; }, 0);
  }

  function frame() {
    if (!stream) return;
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue);
        }).catch(function () {});
      } else if (window.jsQR) {
        canvas = canvas || document.createElement("canvas");
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        var context = canvas.getContext("2d", { willReadFrequently: true });
        context.drawImage(video, 0, 0);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) found(code.data);
      }
    }
    setTimeout(frame, 250);
  }

  function start() {
    var ready = ("BarcodeDetector" in window)
      ? window.BarcodeDetector.getSupportedFormats().then(function (formats) {
          if (formats.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          else return loadJsQR();
        })
      : loadJsQR();
    ready.then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (media) {
      stream = media; video.srcObject = media; video.play();
      box.hidden = false; status.textContent = hint.dataset.scanning;
      frame();
    }).catch(function () {
      hint.textContent = window.isSecureContext ? hint.dataset.denied : hint.dataset.insecure;
      hint.hidden = false;
    });
  }

  button.addEventListener("click", function () {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null; box.hidden = true; return;
    }
    start();
  });
  document.body.addEventListener("htmx:afterSwap", function () { input.value = ""; input.focus(); });
})();
