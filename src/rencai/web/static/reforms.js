// 政策模拟: the comparison form sends the ticked runs as one list of numbers.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compare-form");
  if (!form) return;
  form.addEventListener("submit", () => {
    const picked = [...document.querySelectorAll(".compare-pick:checked")].map((box) => box.value);
    document.getElementById("compare-ids").value = picked.join(",");
  });
});
