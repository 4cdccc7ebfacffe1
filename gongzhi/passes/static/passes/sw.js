// Service worker of the rider's pass page: network first, and the last good copy of the pass page,
// its card and their static files when the network is gone. Served from /passes/sw.js with scope
// /passes/my/, so it controls only the rider's own pages.
"use strict";
var CACHE = "gz-rider-pass-v1";
var PAGES = ["/passes/my/", "/passes/my/card/"];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function fromCache(key) {
  return caches.open(CACHE).then(function (cache) { return cache.match(key); }).then(function (hit) {
    if (!hit) { return Response.error(); }
    var headers = new Headers(hit.headers);
    headers.set("X-Gz-From-Cache", "1");
    return hit.blob().then(function (body) {
      return new Response(body, { status: hit.status, statusText: hit.statusText, headers: headers });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var page = PAGES.indexOf(url.pathname) >= 0;
  var asset = url.pathname.indexOf("/static/") === 0;
  if (!page && !asset) { return; }
  var key = url.origin + url.pathname;
  event.respondWith(
    fetch(request).then(function (response) {
      // Keep only a real page: never a redirect to the login page, never an error.
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(key, copy); }));
      }
      return response;
    }).catch(function () { return fromCache(key); })
  );
});
