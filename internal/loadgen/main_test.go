package loadgen

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind, since the
// lab runs many phases in one process.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
