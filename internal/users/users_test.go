package users

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func mustDirectory(tb testing.TB, count int) *Directory {
	tb.Helper()
	d, err := New(count, "correct horse", bcrypt.MinCost)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return d
}

func TestCheck(t *testing.T) {
	d := mustDirectory(t, 20)
	tests := []struct {
		name     string
		user     string
		password string
		wantErr  bool
	}{
		{name: "valid", user: "user-0020", password: "correct horse"},
		{name: "wrong password", user: "user-0001", password: "wrong", wantErr: true},
		{name: "beyond count", user: "user-0021", password: "correct horse", wantErr: true},
		{name: "zero", user: "user-0000", password: "correct horse", wantErr: true},
		{name: "no padding", user: "user-1", password: "correct horse", wantErr: true},
		{name: "extra padding", user: "user-00001", password: "correct horse", wantErr: true},
		{name: "sign", user: "user-+001", password: "correct horse", wantErr: true},
		{name: "empty", user: "", password: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := d.Check(tt.user, tt.password)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidCredentials) {
					t.Fatalf("Check error = %v, want ErrInvalidCredentials", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if u.Name != tt.user {
				t.Errorf("Name = %q, want %q", u.Name, tt.user)
			}
		})
	}
}

func TestAdminRole(t *testing.T) {
	d := mustDirectory(t, 2)
	admin, _ := d.Lookup("user-0001")
	other, _ := d.Lookup("user-0002")
	if len(admin.Roles) != 2 || admin.Roles[1] != Admin {
		t.Errorf("user-0001 roles = %v, want user and admin", admin.Roles)
	}
	if len(other.Roles) != 1 {
		t.Errorf("user-0002 roles = %v, want user only", other.Roles)
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	if _, err := New(0, "pw", bcrypt.MinCost); err == nil {
		t.Error("New with 0 users: want error")
	}
	if _, err := New(1, "", bcrypt.MinCost); err == nil {
		t.Error("New with empty password: want error")
	}
	if _, err := New(1, "pw", 99); err == nil {
		t.Error("New with cost 99: want error")
	}
	if _, err := New(MaxUsers+1, "pw", bcrypt.MinCost); err == nil {
		t.Errorf("New with %d users: want error", MaxUsers+1)
	}
	if _, err := New(1, strings.Repeat("p", 73), bcrypt.MinCost); err == nil {
		t.Error("New with a 73-byte password: want error")
	}
}

func TestCheckLastUser(t *testing.T) {
	dir, err := New(MaxUsers, "pw", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dir.Check(Name(MaxUsers), "pw"); err != nil {
		t.Errorf("Check(%s): %v, want the last user accepted", Name(MaxUsers), err)
	}
	if _, err := dir.Check(Name(MaxUsers+1), "pw"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("Check(%s): err = %v, want ErrInvalidCredentials", Name(MaxUsers+1), err)
	}
}
