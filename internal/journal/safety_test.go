package journal

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// A last line that was written whole (it ends in a newline, or it is a
// complete JSON value) but is not a record was not torn by a crash: it is
// reported as corruption and never cut off automatically.
func TestCompleteInvalidLastLineIsCorrupt(t *testing.T) {
	first := recLine(t, Record{Seq: 1, Run: "r1", Kind: KindRunStart})
	for name, last := range map[string]string{
		"terminated garbage":             "this is not json\n",
		"terminated record without kind": `{"seq":2}` + "\n",
		"complete JSON without newline":  `{"seq":2,"step":"x"}`,
		"trailing text after a record":   `{"seq":2,"kind":"done"} oops` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeJournal(t, dir, first, last)
			_, torn, err := Read(dir)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "line 2") || torn != nil {
				t.Fatalf("Read: torn %+v, err %v; want ErrCorrupt at line 2", torn, err)
			}
			if j, err := Open(dir, "r2"); !errors.Is(err, ErrCorrupt) {
				if j != nil {
					j.Close()
				}
				t.Fatalf("Open: %v, want ErrCorrupt", err)
			}
		})
	}
}

// The files of a landscape directory are never opened through a symbolic
// link: a planted link must not make hanavault truncate or append to
// another file.
func TestSymlinksAreNotFollowed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	for _, name := range []string{LockFile, JournalFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(t.TempDir(), "precious")
			const content = "do not touch\n"
			if err := os.WriteFile(victim, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			j, err := Open(dir, "r1")
			if err == nil {
				_, err = j.Append(Record{Kind: KindRunStart})
				j.Close()
			}
			if err == nil || !strings.Contains(err.Error(), "symbolic link") {
				t.Errorf("Open and Append through a %s symlink: %v", name, err)
			}
			if got, _ := os.ReadFile(victim); string(got) != content {
				t.Errorf("the link's target now holds %q", got)
			}
			if name == JournalFile {
				if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "symbolic link") {
					t.Errorf("Read through a journal symlink: %v", err)
				}
			}
		})
	}
}

func TestReadFileRefusesSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(victim, []byte("sid: PRD\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, LandscapeFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(filepath.Join(dir, LandscapeFile), 1<<20); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("ReadFile through a symlink: %v", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, LandscapeFile), []byte("sid: QAS\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "sid: PRD\n" {
		t.Errorf("WriteFileAtomic wrote through the link: %q", got)
	}
	got, err := ReadFile(filepath.Join(dir, LandscapeFile), 1<<20)
	if err != nil || string(got) != "sid: QAS\n" {
		t.Fatalf("ReadFile after WriteFileAtomic: %q, %v", got, err)
	}
	if _, err := ReadFile(filepath.Join(dir, LandscapeFile), 4); err == nil {
		t.Fatal("ReadFile ignored its size limit")
	}
}

// fullFile is a journal file on a full disk: every write fails with
// ENOSPC after writing part of the record.
type fullFile struct{ *os.File }

func (f fullFile) Write(b []byte) (int, error) {
	n, _ := f.File.Write(b[:len(b)/2])
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// A full disk is reported once: the first failed append names ENOSPC, the
// journal keeps its complete records, and every later append of the run
// is refused with ErrStopped without repeating the cause.
func TestFullDiskIsReportedOnce(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, "r1")
	mustAppend(t, j, Record{Kind: KindRunStart})
	j.f = fullFile{j.f.(*os.File)}
	_, err := j.Append(Record{Kind: KindIntent, Step: "source/key"})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("first append on a full disk: %v", err)
	}
	for range 3 {
		_, err := j.Append(Record{Kind: KindIntent, Step: "replica/key"})
		if !errors.Is(err, ErrStopped) || strings.Contains(err.Error(), "no space") {
			t.Fatalf("later append on a full disk: %v", err)
		}
	}
	recs, torn, err := Read(dir)
	if err != nil || torn != nil || len(recs) != 1 {
		t.Fatalf("journal after the failed appends: %d records, torn %+v, %v", len(recs), torn, err)
	}
}
