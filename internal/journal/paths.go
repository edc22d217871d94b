package journal

import (
	"fmt"
	"os"
	"path/filepath"
)

// File names inside a landscape directory.
const (
	JournalFile   = "journal.jsonl"  // the undo log, one Record per line
	LandscapeFile = "landscape.yaml" // the landscape spec, written by the engine
	LockFile      = "lock"           // flock'd by the run that owns the landscape
	ArchiveDir    = "archive"        // archived journals, one subdirectory each
	tornPrefix    = "journal.torn-"  // copies of torn tails cut off on repair
)

// Dir returns the directory of one landscape: <stateDir>/<account>/<sid>.
func Dir(stateDir, account, sid string) string {
	return filepath.Join(stateDir, account, sid)
}

// syncDir fsyncs a directory so that entries created or renamed in it
// survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s for sync: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
