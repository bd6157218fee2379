// Starts the vendored Swagger UI on /api/docs (no inline script: the Content-Security-Policy
// allows only the platform's own script files). "Try it out" from a signed-in browser sends the
// page's CSRF token with the session cookie.
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    requestInterceptor: (request) => {
      if (token) request.headers["X-CSRF-Token"] = token;
      return request;
    },
  });
})();
