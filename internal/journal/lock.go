package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ErrLocked is returned (wrapped in a *LockedError) by Open when another
// process holds the landscape's lock.
var ErrLocked = errors.New("landscape is locked by another hanavault run")

// LockHolder is what the run holding a landscape's lock wrote into the lock
// file after taking it.
type LockHolder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	Run     string    `json:"run,omitempty"`
}

// LockedError says that another run holds the lock of Dir. It matches
// ErrLocked with errors.Is.
type LockedError struct {
	Dir string
	// Holder is nil when the lock file could not be read or parsed (for
	// example when the holder has taken the lock but not yet written it).
	Holder *LockHolder
}

// Error names the landscape directory and, when recorded, the process and
// run holding the lock.
func (e *LockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "another hanavault run is working on the landscape in %s", e.Dir)
	if h := e.Holder; h != nil {
		fmt.Fprintf(&b, " (PID %d on host %s, started %s", h.PID, h.Host, h.Started.Local().Format(time.DateTime+" MST"))
		if h.Run != "" {
			fmt.Fprintf(&b, ", run %s", h.Run)
		}
		b.WriteString(")")
	} else {
		b.WriteString(" (its PID is not recorded yet)")
	}
	b.WriteString("; it is safe to retry when that run ends")
	return b.String()
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// writeHolder records this process as the lock holder. It writes through a
// separate descriptor: the flock lives on the file, not on its content.
func writeHolder(path string, h LockHolder) error {
	b, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode lock holder: %w", err)
	}
	f, err := openNoFollow(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write lock holder to %s: %w", path, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write lock holder to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write lock holder to %s: %w", path, err)
	}
	return nil
}

// readHolder reads the holder of a lock file; nil when it is empty or
// unreadable.
func readHolder(path string) *LockHolder {
	b, err := ReadFile(path, 4096)
	if err != nil {
		return nil
	}
	var h LockHolder
	if json.Unmarshal(b, &h) != nil || h.PID == 0 {
		return nil
	}
	return &h
}

// clearHolder empties the lock file before the lock is released, so a
// stale holder is never reported.
func clearHolder(path string) error {
	f, err := openNoFollow(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("clear lock holder in %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("clear lock holder in %s: %w", path, err)
	}
	return nil
}
