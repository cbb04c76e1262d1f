package lab

import (
	"github.com/authlab/authlab/internal/hybridauth"
	"github.com/authlab/authlab/internal/jwtauth"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/sessionauth"
)

// builders maps an app name (System.App) to the constructor that builds one
// replica of it.
var builders = map[string]server.BuildFunc{
	AppSessions: sessionauth.New,
	AppJWT:      jwtauth.New,
	AppHybrid:   hybridauth.New,
}
