// 云骥 chat page: clear the question after an answer arrives; a suggestion fills the question.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = document.getElementById("ask");
  if (form && event.detail.elt === form && event.detail.successful) {
    document.getElementById("question").value = "";
    const chat = document.getElementById("chat");
    if (chat && chat.lastElementChild) chat.lastElementChild.scrollIntoView({ block: "start" });
  }
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.suggestion");
  if (!link) return;
  event.preventDefault();
  const input = document.getElementById("question");
  input.value = link.textContent;
  input.focus();
});
