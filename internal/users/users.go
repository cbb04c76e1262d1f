// Package users is the lab's demo user directory.
//
// The directory holds N users named user-0001, user-0002, … that all share
// one demo password. Passwords are checked with bcrypt against a hash made
// at start; the plain password is dropped once it is hashed.
//
// NOTE: because every demo user has the same password, the directory keeps a
// single bcrypt hash for all of them instead of one a user. The cost of a
// login (one bcrypt comparison) is what a real directory pays, but a real one
// stores a hash with its own salt for every user.
package users

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// ErrInvalidCredentials is returned by Check for an unknown user and for a
// wrong password alike, so callers can't tell the two apart.
var ErrInvalidCredentials = errors.New("invalid username or password")

// Admin is the role given to user-0001; every user has the role "user".
const Admin = "admin"

// User is one entry of the directory.
type User struct {
	Name  string
	Roles []string
}

// Directory is a fixed set of demo users. It is safe for concurrent use.
type Directory struct {
	count int
	hash  []byte
	// dummy is a hash of a random value that Check compares against for an
	// unknown user, so an unknown name costs as much time as a known one.
	dummy []byte
}

// Name returns the name of user i, counting from 1: Name(1) is "user-0001".
func Name(i int) string {
	return fmt.Sprintf("user-%04d", i)
}

// MaxUsers is the largest directory: the names go up to user-1000000.
const MaxUsers = 1_000_000

// maxPasswordLen is the longest password bcrypt hashes.
const maxPasswordLen = 72

// New hashes password with bcrypt at the given cost (bcrypt.DefaultCost is
// 10) and returns a directory of count users. It returns an error for a
// count outside 1 to MaxUsers, an empty password or one over 72 bytes, and a
// cost outside bcrypt's range.
func New(count int, password string, cost int) (*Directory, error) {
	if count < 1 || count > MaxUsers {
		return nil, fmt.Errorf("invalid user count %d: want 1 to %d", count, MaxUsers)
	}
	if password == "" {
		return nil, errors.New("missing demo password")
	}
	if len(password) > maxPasswordLen {
		return nil, fmt.Errorf("invalid demo password: %d bytes, bcrypt takes at most %d", len(password), maxPasswordLen)
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("invalid bcrypt cost %d: want %d to %d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, fmt.Errorf("hash demo password: %w", err)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no user has this password: "+password+"!"), cost)
	if err != nil {
		return nil, fmt.Errorf("hash placeholder password: %w", err)
	}
	return &Directory{count: count, hash: hash, dummy: dummy}, nil
}

// Count returns the number of users.
func (d *Directory) Count() int { return d.count }

// Lookup returns the user with the given name, and false when there is none.
func (d *Directory) Lookup(name string) (User, bool) {
	n, ok := parseName(name)
	if !ok || n > d.count {
		return User{}, false
	}
	u := User{Name: name, Roles: []string{"user"}}
	if n == 1 {
		u.Roles = append(u.Roles, Admin)
	}
	return u, true
}

// Check returns the user when name exists and password matches, and
// ErrInvalidCredentials otherwise. Both cases run one bcrypt comparison.
func (d *Directory) Check(name, password string) (User, error) {
	u, known := d.Lookup(name)
	hash := d.hash
	if !known {
		hash = d.dummy
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err != nil || !known {
		return User{}, ErrInvalidCredentials
	}
	return u, nil
}

func parseName(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "user-")
	if !ok || len(digits) < 4 {
		return 0, false
	}
	n := 0
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
		if n > MaxUsers {
			return 0, false
		}
	}
	if n == 0 || Name(n) != name {
		return 0, false
	}
	return n, true
}
