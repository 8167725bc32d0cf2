// Tells the server the browser's time zone, so dates on the pages are shown in it: a cookie
// the server reads on the next page (nothing secret). A zone chosen on the account page wins.
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || !/^[A-Za-z0-9_+\/-]{1,64}$/.test(zone)) return;
    var value = "portcullis_tz=" + encodeURIComponent(zone);
    if (document.cookie.split("; ").indexOf(value) !== -1) return;
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = value + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  } catch (e) {
    // No Intl or no cookies: dates stay in UTC.
  }
})();
