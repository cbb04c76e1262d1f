// Command caddy is the Caddy command line with the modules that the embedded
// lab loads, built from the Caddy version that go.mod requires.
// deploy/offline/build-images.sh puts it in the authlab/caddy:offline image,
// which stands in for the official image where no registry can be reached.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	_ "github.com/caddyserver/caddy/v2/modules/filestorage"
	_ "github.com/caddyserver/caddy/v2/modules/logging"
)

func main() { caddycmd.Main() }
