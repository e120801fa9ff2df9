// The large-text switch: remembered in localStorage; without JavaScript it stays hidden.
(function () {
  var html = document.documentElement;
  var button = document.querySelector(".text-size-switch");
  if (!button) return;
  function show() {
    var large = html.classList.contains("large-text");
    button.setAttribute("aria-pressed", large ? "true" : "false");
    button.textContent = large ? "标准字" : "大字";
  }
  button.hidden = false;
  show();
  button.addEventListener("click", function () {
    html.classList.toggle("large-text");
    try { localStorage.setItem("cunwu-text-size", html.classList.contains("large-text") ? "large" : "normal"); } catch (e) {}
    show();
  });
})();
