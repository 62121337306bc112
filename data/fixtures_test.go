package data

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// sharedFixtures is the hand-checked fixtures folder the project is
// specified by (../shared/fixtures beside the repository). The tests read
// the repository's copies in testdata/fixtures, so that a clone alone can
// run them; this test keeps the copies identical to the originals.
const sharedFixtures = "../../shared/fixtures"

func TestFixtureCopiesMatchShared(t *testing.T) {
	if _, err := os.Stat(sharedFixtures); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI has no %s beside the repository: %v", sharedFixtures, err)
		}
		t.Skipf("%s is not beside this clone: the copies in testdata/fixtures are used as they are", sharedFixtures)
	}
	originals, err := filepath.Glob(filepath.Join(sharedFixtures, "*.json"))
	if err != nil || len(originals) == 0 {
		t.Fatalf("no fixtures in %s: %v", sharedFixtures, err)
	}
	for _, orig := range originals {
		want, err := os.ReadFile(orig)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(orig)
		got, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", name))
		if err != nil {
			t.Errorf("testdata/fixtures lacks %s: copy it from %s", name, sharedFixtures)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/fixtures/%s differs from %s/%s: copy it again", name, sharedFixtures, name)
		}
	}
}
