package results

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestWriteReadRoundTrip(t *testing.T) {
	ms := 420.0
	run := &Run{
		Layout:  LayoutVersion,
		Started: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
		Mode:    "embedded",
		Scenarios: Scenarios{
			Revoke: map[string]*Revoke{"jwt": {Users: 5, RejectedAfterMS: nil}, "hybrid": {RejectedAfterMS: &ms}},
		},
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := Write(path, run); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, run) {
		t.Errorf("round trip changed the run:\n got %+v\nwant %+v", got, run)
	}
	if got.Scenarios.Revoke["jwt"].RejectedAfterMS != nil {
		t.Error("a null figure came back as a number")
	}
}

func TestReadRejectsOtherLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	if err := Write(path, &Run{Layout: LayoutVersion + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil {
		t.Fatal("Read of another layout: want error")
	}
}
