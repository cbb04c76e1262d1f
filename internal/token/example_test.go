package token_test

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/authlab/authlab/internal/token"
	"github.com/authlab/authlab/internal/users"
)

func ExampleManager() {
	m, err := token.NewManager(token.Config{
		Alg:    token.AlgHS256,
		Secret: []byte("example secret of at least 32 bytes"),
		TTL:    10 * time.Minute,
		Leeway: 30 * time.Second,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Println(err)
		return
	}
	raw, _, err := m.Issue(users.User{Name: "user-0002", Roles: []string{"user"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	claims, err := m.Verify(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(claims.Subject, claims.Roles, claims.ExpiresAt.Sub(claims.IssuedAt.Time))

	_, err = m.Verify(raw + "x")
	fmt.Println(err != nil)
	// Output:
	// user-0002 [user] 10m0s
	// true
}
