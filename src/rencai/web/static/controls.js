// Chinese form controls whatever the browser's language (an English browser would say
// "Choose File" and "mm/dd/yyyy"): a file input gets a Chinese button and the chosen file's
// name, a date or month input becomes text with the 年-月-日 pattern the server reads.
// Progressive: without this script the native controls still work.
"use strict";
(function () {
  const DATE = { pattern: "\\d{4}-\\d{2}-\\d{2}", hint: "年-月-日，例如 2026-12-01" };
  const MONTH = { pattern: "\\d{4}-\\d{2}", hint: "年-月，例如 2026-12" };

  function dateLike(input) {
    const kind = input.type === "month" ? MONTH : DATE;
    const { min, max } = input;
    input.dataset.nativeType = input.type;
    input.type = "text";
    input.inputMode = "numeric";
    input.autocomplete = "off";
    input.pattern = kind.pattern;
    input.maxLength = input.dataset.nativeType === "month" ? 7 : 10;
    input.placeholder = kind.hint;
    input.title = "请按" + kind.hint.split("，")[0] + "填写" + (min ? "，不早于 " + min : "") + (max ? "，不晚于 " + max : "");
    input.classList.add("cn-date");
  }

  function filePicker(input) {
    input.classList.add("visually-hidden", "cn-file-input");
    const button = document.createElement("span");
    button.className = "button cn-file-button";
    button.textContent = "选择文件";
    button.setAttribute("aria-hidden", "true");
    const name = document.createElement("span");
    name.className = "note cn-file-name";
    name.setAttribute("aria-live", "polite");
    name.textContent = "未选择文件";
    input.after(button, name);
    if (!input.closest("label")) {
      button.addEventListener("click", () => input.click());
    }
    input.addEventListener("change", () => {
      const files = Array.from(input.files || []).map((f) => f.name);
      name.textContent = files.length ? "已选择：" + files.join("、") : "未选择文件";
    });
  }

  function enhance(root) {
    root.querySelectorAll("input[type=date], input[type=month]").forEach(dateLike);
    root.querySelectorAll("input[type=file]:not(.cn-file-input)").forEach(filePicker);
  }

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  // HTMX swaps in new forms: enhance them too
  document.addEventListener("htmx:load", (event) => {
    if (event.target instanceof Element) enhance(event.target);
  });
})();
