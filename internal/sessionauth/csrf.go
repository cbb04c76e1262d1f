package sessionauth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// sameOrigin is middleware against cross-site request forgery on the routes
// that change the session cookie (POST /logout, and POST /login because it
// sets the cookie). It rejects a request with 403 forbidden when:
//   - Sec-Fetch-Site is present and is not "same-origin", "same-site" or
//     "none", or
//   - Origin is present and its host (with port) differs from the request's
//     Host, which includes Origin "null".
//
// A request with neither header passes, as curl and the load test send
// them. Browsers send at least one of them on a cross-site POST, and the
// SameSite=Lax cookie is the second layer: a browser leaves it out of a
// cross-site POST. server.BindJSON also requires Content-Type
// application/json, which a cross-site HTML form can't send, and which a
// cross-site script can send only after a CORS preflight, and this app
// sends no CORS headers that would allow it.
//
// NOTE: "same-site" passes, so a page on a sibling subdomain can post here.
// The Host check assumes the load balancer forwards the client's Host
// header, which Caddy's reverse_proxy does by default. The Origin's scheme
// is not compared, because behind a proxy that terminates TLS the app can't
// tell which scheme the client used.
func (a *app) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if reason := crossSiteReason(c.Request()); reason != "" {
			a.srv.Metrics.Rejected("cross_site")
			return server.Errorf(server.CodeForbidden, "cross-site request rejected: %s", reason)
		}
		return next(c)
	}
}

// crossSiteReason returns why r is a cross-site request, or "" when it is not
// known to be one.
func crossSiteReason(r *http.Request) string {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "same-site", "none":
	default:
		return "Sec-Fetch-Site is not same-origin, same-site or none"
	}
	origin := r.Header.Get(echo.HeaderOrigin)
	if origin == "" {
		return ""
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return "Origin does not match the Host header"
	}
	return ""
}
