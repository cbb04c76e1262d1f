// Package deploy holds the load balancer's Caddyfile template, shared by the
// embedded lab and docker compose so that the two cannot drift apart.
package deploy

import _ "embed"

// CaddyfileTemplate is the text/template source of the lab's Caddyfile. The
// renderer is internal/lab, which documents the template's fields.
//
//go:embed Caddyfile.tmpl
var CaddyfileTemplate string
