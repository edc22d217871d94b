package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
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

// LocalLandscape is a landscape directory found in the state dir.
type LocalLandscape struct {
	Account string `json:"account"`
	SID     string `json:"sid"`
	Dir     string `json:"dir"`
	// HasJournal is true when journal.jsonl exists (the landscape was
	// applied at least once and not archived since).
	HasJournal bool `json:"hasJournal"`
	// Modified is the newer modification time of journal.jsonl and
	// landscape.yaml.
	Modified time.Time `json:"modified"`
}

// ListLandscapes lists the landscapes under stateDir: every
// <account>/<SID>/ directory holding a journal.jsonl or a landscape.yaml.
// Directories that only hold a lock or archives (destroyed landscapes) are
// left out. A missing stateDir yields no landscapes and no error. The result
// is sorted by account, then SID.
func ListLandscapes(stateDir string) ([]LocalLandscape, error) {
	accounts, err := os.ReadDir(stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list state directory %s: %w", stateDir, err)
	}
	var out []LocalLandscape
	for _, a := range accounts {
		if !a.IsDir() {
			continue
		}
		adir := filepath.Join(stateDir, a.Name())
		sids, err := os.ReadDir(adir)
		if err != nil {
			return nil, fmt.Errorf("list account directory %s: %w", adir, err)
		}
		for _, s := range sids {
			if !s.IsDir() {
				continue
			}
			dir := filepath.Join(adir, s.Name())
			l := LocalLandscape{Account: a.Name(), SID: s.Name(), Dir: dir}
			found := false
			for _, name := range []string{JournalFile, LandscapeFile} {
				fi, err := os.Stat(filepath.Join(dir, name))
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("inspect %s: %w", filepath.Join(dir, name), err)
				}
				found = true
				if name == JournalFile {
					l.HasJournal = true
				}
				if fi.ModTime().After(l.Modified) {
					l.Modified = fi.ModTime()
				}
			}
			if found {
				out = append(out, l)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].SID < out[j].SID
	})
	return out, nil
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
