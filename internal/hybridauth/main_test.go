package hybridauth

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine running, because
// the lab starts and stops many replicas in one process.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
