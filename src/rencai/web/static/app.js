// Behaviour every page shares, kept out of the markup (the Content-Security-Policy allows no
// inline script): a "返回" link goes back in history.
"use strict";
document.addEventListener("click", (event) => {
  const back = event.target instanceof Element ? event.target.closest("a[data-back]") : null;
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
