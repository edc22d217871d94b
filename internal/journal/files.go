package journal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrSymlink marks a state file that is a symbolic link. hanavault never
// follows one: a link planted as lock, journal.jsonl or landscape.yaml
// would make it truncate, append to or read another file.
var ErrSymlink = errors.New("is a symbolic link; hanavault does not follow links in its state directory")

// openNoFollow opens path like os.OpenFile, but fails with ErrSymlink when
// path is a symbolic link (O_NOFOLLOW where the system has it).
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if oNoFollow == 0 {
		if err := notSymlink(path); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, flag|oNoFollow, perm)
	if err != nil {
		if lerr := notSymlink(path); lerr != nil {
			return nil, lerr
		}
		return nil, err
	}
	return f, nil
}

// notSymlink returns an error wrapping ErrSymlink when path is a link.
func notSymlink(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s %w", path, ErrSymlink)
	}
	return nil
}

// ReadFile reads a file of the state directory without following a
// symbolic link. With max > 0 a file larger than max bytes is an error
// (and is not read past max). A missing file is an error wrapping
// fs.ErrNotExist.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if max > 0 {
		r = io.LimitReader(f, max+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if max > 0 && int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}

// WriteFileAtomic replaces path with data: it writes a new temporary file
// beside it (never an existing one, so never through a link), syncs it and
// renames it over path (a rename replaces a link, it does not follow it).
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}
