// Progressive enhancement only: every form works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Upload with a progress bar: send the form by XMLHttpRequest and show the answer page.
  const form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData) return;
  const bar = document.getElementById("upload-progress");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && bar) { bar.max = e.total; bar.value = e.loaded; }
    });
    request.addEventListener("load", () => {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    if (bar) { bar.hidden = false; bar.removeAttribute("value"); }
    request.send(new FormData(form));
  });
});
