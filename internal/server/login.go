package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/authlab/authlab/internal/users"
	"github.com/labstack/echo/v4"
)

// LoginRequest is the body of POST /login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// TokenResponse is the OAuth 2.0 shape (RFC 6749, section 5.1) that the JWT
// apps return from /login and hybrid also from /refresh.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// BindJSON decodes the JSON body of c into v. It requires an
// application/json content type and a single JSON object, and returns an
// *Error with code invalid_request, unsupported_media_type or
// payload_too_large otherwise.
func BindJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	media, _, err := mime.ParseMediaType(ct)
	if err != nil || media != echo.MIMEApplicationJSON {
		return Errorf(CodeUnsupportedMedia, "send the body as JSON with Content-Type: application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(v); err != nil {
		if tooLarge(err) {
			return Errorf(CodePayloadTooLarge, "request body too large")
		}
		if errors.Is(err, io.EOF) {
			return Errorf(CodeInvalidRequest, "missing JSON body")
		}
		return Errorf(CodeInvalidRequest, "malformed JSON body")
	}
	// Anything after the object but white space, even a stray "}", makes the
	// body invalid.
	var rest json.RawMessage
	if err := dec.Decode(&rest); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return Errorf(CodePayloadTooLarge, "request body too large")
		}
		return Errorf(CodeInvalidRequest, "the body must hold a single JSON object")
	}
	return nil
}

// tooLarge reports whether err comes from a body limit: net/http's
// MaxBytesReader, or Echo's BodyLimit middleware, which catches a chunked
// body that has no Content-Length.
func tooLarge(err error) bool {
	var maxErr *http.MaxBytesError
	var httpErr *echo.HTTPError
	return errors.As(err, &maxErr) || (errors.As(err, &httpErr) && httpErr.Code == http.StatusRequestEntityTooLarge)
}

// Login reads a LoginRequest, applies the login rate limits and checks the
// password. Every failure is an *Error: invalid_request for a missing field,
// rate_limited with a Retry-After, or invalid_credentials for an unknown user
// and a wrong password alike.
func (s *Server) Login(c echo.Context) (users.User, error) {
	var req LoginRequest
	if err := BindJSON(c, &req); err != nil {
		return users.User{}, err
	}
	req.Username = strings.TrimSpace(req.Username)
	if req.Username == "" || req.Password == "" {
		return users.User{}, Errorf(CodeInvalidRequest, "username and password are required")
	}
	if len(req.Username) > 64 || len(req.Password) > 72 {
		// bcrypt reads at most 72 bytes; a longer password would be cut.
		return users.User{}, Errorf(CodeInvalidCredential, "invalid username or password")
	}
	if wait, ok := s.limits.allow(req.Username, c.RealIP()); !ok {
		s.Metrics.Rejected("login_rate_limited")
		return users.User{}, &Error{Code: CodeRateLimited, Message: "too many login attempts, retry later", RetryAfter: wait}
	}
	u, err := s.Users.Check(req.Username, req.Password)
	if err != nil {
		s.Metrics.Rejected("bad_password")
		return users.User{}, Errorf(CodeInvalidCredential, "invalid username or password")
	}
	return u, nil
}

// RevokeRequest is the body of POST /admin/revoke.
type RevokeRequest struct {
	Username string `json:"username"`
}

// BindRevoke reads a RevokeRequest and checks that the user exists.
func (s *Server) BindRevoke(c echo.Context) (string, error) {
	var req RevokeRequest
	if err := BindJSON(c, &req); err != nil {
		return "", err
	}
	if req.Username == "" {
		return "", Errorf(CodeInvalidRequest, "username is required")
	}
	if _, ok := s.Users.Lookup(req.Username); !ok {
		return "", Errorf(CodeNotFound, "no user named %q", req.Username)
	}
	return req.Username, nil
}
