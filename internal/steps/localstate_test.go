package steps_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
)

// The landscape file beside the journal is neither written nor read
// through a symbolic link planted in the landscape directory.
func TestLandscapeFileIgnoresPlantedSymlinks(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	dir := journal.Dir(e.dir, memaws.DefaultAccountID, e.l.SID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "precious")
	const content = "do not touch\n"
	if err := os.WriteFile(victim, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// The temporary file the engine used to write before renaming.
	if err := os.Symlink(victim, filepath.Join(dir, ".landscape.yaml.tmp")); err != nil {
		t.Fatal(err)
	}
	e.apply()
	if got, _ := os.ReadFile(victim); string(got) != content {
		t.Fatalf("apply wrote through a planted link: the target holds %q", got)
	}
	// A landscape.yaml replaced by a link to another file is refused.
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte("sid: QAS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, journal.LandscapeFile)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, path); err != nil {
		t.Fatal(err)
	}
	_, err := e.eng.LoadLandscape(context.Background(), e.l.SID, false)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("LoadLandscape through a symlinked landscape.yaml: %v", err)
	}
}
