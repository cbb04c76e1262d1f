package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// Error codes sent in the "error" field of every error response. Clients and
// the load test branch on these, so they never change meaning.
const (
	CodeInvalidRequest    = "invalid_request"
	CodeUnsupportedMedia  = "unsupported_media_type"
	CodeInvalidCredential = "invalid_credentials"
	CodeUnauthenticated   = "unauthenticated"
	CodeInvalidToken      = "invalid_token"
	CodeInvalidRefresh    = "invalid_refresh_token"
	CodeRefreshReused     = "refresh_token_reused"
	CodeForbidden         = "forbidden"
	CodeAdminDisabled     = "admin_disabled"
	CodeNotFound          = "not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodePayloadTooLarge   = "payload_too_large"
	CodeHeaderTooLarge    = "header_too_large"
	CodeRateLimited       = "rate_limited"
	CodeNotImplemented    = "not_implemented"
	CodeStoreUnavailable  = "store_unavailable"
	CodeInternal          = "internal_error"
)

// statusOf maps each error code to its HTTP status. It is the only place
// where an error becomes a status.
var statusOf = map[string]int{
	CodeInvalidRequest:    http.StatusBadRequest,
	CodeUnsupportedMedia:  http.StatusUnsupportedMediaType,
	CodeInvalidCredential: http.StatusUnauthorized,
	CodeUnauthenticated:   http.StatusUnauthorized,
	CodeInvalidToken:      http.StatusUnauthorized,
	CodeInvalidRefresh:    http.StatusUnauthorized,
	CodeRefreshReused:     http.StatusUnauthorized,
	CodeForbidden:         http.StatusForbidden,
	CodeAdminDisabled:     http.StatusForbidden,
	CodeNotFound:          http.StatusNotFound,
	CodeMethodNotAllowed:  http.StatusMethodNotAllowed,
	CodePayloadTooLarge:   http.StatusRequestEntityTooLarge,
	CodeHeaderTooLarge:    http.StatusRequestHeaderFieldsTooLarge,
	CodeRateLimited:       http.StatusTooManyRequests,
	CodeNotImplemented:    http.StatusNotImplemented,
	CodeStoreUnavailable:  http.StatusServiceUnavailable,
	CodeInternal:          http.StatusInternalServerError,
}

// Error is an error meant for the client: a stable code and a message written
// for the person calling the API. Cause, when set, is logged and never sent.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when positive, is sent as a Retry-After header in seconds.
	RetryAfter time.Duration
	// Detail holds extra fields for the JSON body, such as the expiry of a
	// token that can't be revoked.
	Detail map[string]any
	Cause  error
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps err as an internal error whose message hides the cause.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Cause: err}
}

// StoreUnavailable wraps err from the session or token store as a 503.
func StoreUnavailable(err error) *Error {
	return &Error{Code: CodeStoreUnavailable, Message: "the credential store is unavailable, try again later", Cause: err}
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Status returns the HTTP status of the error's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// toError turns any error a handler returned into an *Error.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return fromHTTPError(he)
	}
	return Internal(err)
}

func fromHTTPError(he *echo.HTTPError) *Error {
	switch he.Code {
	case http.StatusNotFound:
		return Errorf(CodeNotFound, "no such route")
	case http.StatusMethodNotAllowed:
		return Errorf(CodeMethodNotAllowed, "method not allowed on this route")
	case http.StatusRequestEntityTooLarge:
		return Errorf(CodePayloadTooLarge, "request body too large")
	case http.StatusUnauthorized:
		return Errorf(CodeUnauthenticated, "authentication required")
	case http.StatusBadRequest:
		return Errorf(CodeInvalidRequest, "invalid request")
	case http.StatusTooManyRequests:
		return Errorf(CodeRateLimited, "too many requests")
	}
	return Internal(he)
}

// handleError is the Echo error handler: it writes every error as JSON and
// logs only internal errors.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := toError(err)
	status := e.Status()
	if status >= http.StatusInternalServerError && e.Code != CodeNotImplemented {
		s.logFailure(c, e)
	}
	h := c.Response().Header()
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	if e.Code == CodeInvalidToken {
		h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	body := map[string]any{"error": e.Code, "message": e.Message}
	for k, v := range e.Detail {
		body[k] = v
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

// logFailure logs a failed request. A store outage fails every request that
// needs the store, so for each code it logs at most one line a second, with
// the number of lines it dropped since.
func (s *Server) logFailure(c echo.Context, e *Error) {
	s.failMu.Lock()
	now := time.Now()
	last := s.failLast[e.Code]
	if now.Sub(last) < time.Second {
		s.failDropped[e.Code]++
		s.failMu.Unlock()
		return
	}
	dropped := s.failDropped[e.Code]
	s.failLast[e.Code], s.failDropped[e.Code] = now, 0
	s.failMu.Unlock()
	s.Logger.Error("request failed", "method", c.Request().Method, "route", c.Path(),
		"code", e.Code, "err", e.Error(), "dropped_since_last", dropped)
}
